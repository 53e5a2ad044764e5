package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded upstream serves the demo files with the promised permissions, in both data modes. */
class DemoUpstreamTest {

    @TempDir
    Path root;

    private final DemoUpstream upstream = new DemoUpstream();
    private String sha256;
    private int port;

    @BeforeEach
    void start() throws Exception {
        sha256 = DemoFiles.create(root);
        port = upstream.start(root, true);
    }

    @AfterEach
    void stop() {
        upstream.stop();
    }

    private FTPClient login(String user, String password, boolean passive) throws Exception {
        FTPClient c = new FTPClient();
        c.setDefaultTimeout(10_000);
        c.connect("127.0.0.1", port);
        assertThat(c.login(user, password)).as("login " + user).isTrue();
        c.setFileType(FTP.BINARY_FILE_TYPE);
        if (passive) {
            c.enterLocalPassiveMode();
        } else {
            c.enterLocalActiveMode();
        }
        return c;
    }

    private static byte[] retrieve(FTPClient c, String path) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(c.retrieveFile(path, out)).as("RETR " + path + ": " + c.getReplyString()).isTrue();
        return out.toByteArray();
    }

    @Test
    void demoTreeHasTheSampleFiles() throws Exception {
        assertThat(root.resolve("README.txt")).exists();
        assertThat(root.resolve("pub/notes.txt")).exists();
        assertThat(root.resolve("upload")).isEmptyDirectory();
        assertThat(Files.size(root.resolve("random.bin"))).isEqualTo(DemoFiles.RANDOM_BIN_SIZE);
        // Deterministic: the same bytes every time, so the printed checksum can be documented.
        Path other = Files.createTempDirectory("ftpgate-demo-test");
        try {
            assertThat(DemoFiles.create(other)).isEqualTo(sha256);
        } finally {
            try (var s = Files.walk(other)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void anonymousReadsInBothModesButCannotWrite() throws Exception {
        for (boolean passive : new boolean[] {true, false}) {
            FTPClient c = login("anonymous", "guest@example.com", passive);
            try {
                assertThat(new String(retrieve(c, "README.txt"), StandardCharsets.UTF_8)).contains("ftpgate demo");
                assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(retrieve(c, "random.bin")))).isEqualTo(sha256);
                assertThat(c.listNames("/pub")).anyMatch(n -> n.endsWith("notes.txt"));
                assertThat(c.storeFile("/upload/x.txt", new ByteArrayInputStream(new byte[] {1}))).isFalse();
                assertThat(c.getReplyCode()).isEqualTo(550);
            } finally {
                c.disconnect();
            }
        }
        assertThat(root.resolve("upload/x.txt")).doesNotExist();
    }

    @Test
    void demoUserWritesOnlyUnderUpload() throws Exception {
        FTPClient c = login(DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD, true);
        try {
            assertThat(c.storeFile("/upload/hello.txt", new ByteArrayInputStream("hi".getBytes()))).isTrue();
            assertThat(c.storeFile("/hello.txt", new ByteArrayInputStream("hi".getBytes()))).isFalse();
            // A bare prefix check on "/upload" would let this one through.
            assertThat(c.storeFile("/upload-evil.txt", new ByteArrayInputStream("hi".getBytes()))).isFalse();
            assertThat(c.deleteFile("/README.txt")).isFalse();
        } finally {
            c.disconnect();
        }
        assertThat(root.resolve("upload/hello.txt")).hasContent("hi");
        assertThat(root.resolve("hello.txt")).doesNotExist();
        assertThat(root.resolve("upload-evil.txt")).doesNotExist();
        assertThat(root.resolve("README.txt")).exists();
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        FTPClient c = new FTPClient();
        c.connect("127.0.0.1", port);
        try {
            assertThat(c.login(DemoUpstream.DEMO_USER, "wrong")).isFalse();
        } finally {
            c.disconnect();
        }
    }
}
