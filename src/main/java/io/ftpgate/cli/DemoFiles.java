package io.ftpgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Creates the demo folder: {@code README.txt}, {@code pub/notes.txt}, a deterministic {@code random.bin}
 * (generated, so no binary is committed) and an empty {@code upload/}.
 */
public final class DemoFiles {

    /** Size of {@code random.bin}: big enough that a transfer is visible, small enough to be instant. */
    public static final int RANDOM_BIN_SIZE = 1 << 20;
    /** Seed of {@code random.bin}; java.util.Random's algorithm is specified, so the file is the same everywhere. */
    private static final long SEED = 2121;
    private static final List<String> RESOURCES = List.of("README.txt", "pub/notes.txt");

    private DemoFiles() {
    }

    /** Fills {@code root} (which must exist) and returns the SHA-256 (hex) of {@code random.bin}. */
    public static String create(Path root) throws IOException {
        for (String name : RESOURCES) {
            Path target = root.resolve(name);
            Files.createDirectories(target.getParent());
            try (InputStream in = DemoFiles.class.getResourceAsStream("/demo/" + name)) {
                if (in == null) {
                    throw new IOException("demo resource missing from the jar: demo/" + name);
                }
                Files.copy(in, target);
            }
        }
        byte[] data = new byte[RANDOM_BIN_SIZE];
        new Random(SEED).nextBytes(data);
        Files.write(root.resolve("random.bin"), data);
        Files.createDirectories(root.resolve(DemoUpstream.UPLOAD_DIR));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
