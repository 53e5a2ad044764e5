package io.ftpgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.cli.DemoUpstream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transfer's audit record names the server path it really used, resolved against the directory the session
 * was in (learned with the gateway's own PWD after the login and every directory change), not just the name
 * the client typed.
 */
class AuditPathIT {

    @TempDir
    static Path root;
    private static final DemoUpstream upstream = new DemoUpstream();
    private static int upstreamPort;
    private static final byte[] DATA = Bytes.random(5, 4096);

    @BeforeAll
    static void startUpstream() throws Exception {
        Files.createDirectories(root.resolve("pub/deep"));
        Files.write(root.resolve("pub/deep/file.bin"), DATA);
        upstreamPort = upstream.start(root, true, "127.0.0.1");
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop();
    }

    private static void retr(RawFtp ftp, String arg) throws Exception {
        int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
        try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
            assertThat(ftp.cmd("RETR " + arg).code()).isEqualTo(150);
            assertThat(RawFtp.readAll(d)).isEqualTo(DATA);
        }
        assertThat(ftp.read().code()).isEqualTo(226);
    }

    @Test
    void transferPathsAreAbsoluteServerPaths() throws Exception {
        try (GatewayFixture gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", upstreamPort)
                        .dataPorts(55000, 55500).start();
                RawFtp ftp = RawFtp.open(gw.address())) {
            ftp.login("anonymous", "paths@example.org");
            assertThat(ftp.cmd("TYPE I").code()).isEqualTo(200);
            assertThat(ftp.cmd("CWD pub/deep").code()).isEqualTo(250);
            retr(ftp, "file.bin");
            assertThat(ftp.cmd("CDUP").code()).isEqualTo(250);
            retr(ftp, "deep/./file.bin");
            retr(ftp, "/pub/deep/file.bin");
            assertThat(ftp.cmd("PWD").last()).contains("\"/pub\"");
            ftp.cmd("QUIT");
            gw.audit.await("session-close");
            List<Object> paths = gw.audit.all(RecordingAuditSink.type("transfer")).stream()
                    .map(e -> e.get("path")).toList();
            assertThat(paths).containsExactly("/pub/deep/file.bin", "/pub/deep/file.bin", "/pub/deep/file.bin");
            AuditEvent login = gw.audit.all(RecordingAuditSink.type("login")).get(0);
            assertThat(login.get("profile")).isEqualTo("full");
        }
    }
}
