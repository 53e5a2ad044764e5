package io.ftpgate.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Deterministic file content for the load tool: the bytes of a file are a function of its name
 * {@code <size>-<seed>.bin}, so the fake server can serve any file without storing it and the client can check
 * every byte it receives by sha256 without having been told what was sent.
 */
final class Content {

    private final SplittableRandom random;
    private long remaining;
    private long word;
    private int wordBytes;

    Content(long size, long seed) {
        this.random = new SplittableRandom(seed);
        this.remaining = size;
    }

    static String name(long size, long seed) {
        return size + "-" + seed + ".bin";
    }

    /** Parses {@code <size>-<seed>.bin} (a path prefix is ignored); null when the name is not of that form. */
    static Content forName(String name) {
        String base = name.substring(name.lastIndexOf('/') + 1);
        int dash = base.indexOf('-');
        if (dash < 1 || !base.endsWith(".bin")) {
            return null;
        }
        try {
            return new Content(Long.parseLong(base.substring(0, dash)),
                    Long.parseLong(base.substring(dash + 1, base.length() - 4)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    long remaining() {
        return remaining;
    }

    /** Fills up to {@code max} bytes of {@code buf}; returns how many (0 at the end). */
    int next(byte[] buf, int max) {
        int n = (int) Math.min(max, remaining);
        for (int i = 0; i < n; i++) {
            if (wordBytes == 0) {
                word = random.nextLong();
                wordBytes = 8;
            }
            buf[i] = (byte) word;
            word >>>= 8;
            wordBytes--;
        }
        remaining -= n;
        return n;
    }

    /** The sha256 of the whole content, hex. */
    static String sha256(long size, long seed) {
        Content c = new Content(size, seed);
        MessageDigest md = digest();
        byte[] buf = new byte[65536];
        int n;
        while ((n = c.next(buf, buf.length)) > 0) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
