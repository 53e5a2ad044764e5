package io.ftpgate.it;

import static io.ftpgate.it.Diagnostics.withDiagnostics;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.auditor.it.ExternalServer;
import io.ftpgate.auditor.it.PyftpdlibAuditIT;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ftpgate in front of a real pyftpdlib, with the early server leg on (the default). pyftpdlib accepts a passive
 * data connection as soon as it is made, and drops it silently if data or EOF arrives before the transfer
 * command, after which the command waits for a connection that never comes: a gateway that relays before the
 * server has answered the command hangs the session now and then (it did in the system test: an empty STOR is
 * the likeliest). Many small and empty uploads and downloads in a row, every byte checked by sha256.
 */
class PyftpdlibUpstreamIT {

    /** The uploading user of src/test/resources/auditor/pyftpd.py in "write" mode. */
    private static final String USER = "writer";
    private static final String PASSWORD = "writer-secret-90ad";
    private static final int ROUNDS = 40;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "client {0}")
    @ValueSource(strings = {"PASV", "EPSV", "PORT"})
    void smallAndEmptyFilesInARow(String mode) throws Exception {
        try (ExternalServer server = PyftpdlibAuditIT.start(dir, false, true);
                GatewayFixture gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", server.port())
                        .dataPorts(57000, 58000).start()) {
            FTPClient c = new FTPClient();
            c.setDefaultTimeout(15_000);
            c.setDataTimeout(java.time.Duration.ofSeconds(15));
            withDiagnostics(() -> "audit:\n" + gw.audit.dump(), () -> {
                c.connect(gw.address().getAddress(), gw.address().getPort());
                assertThat(c.login(USER, PASSWORD)).isTrue();
                assertThat(c.setFileType(FTP.BINARY_FILE_TYPE)).isTrue();
                if ("PORT".equals(mode)) {
                    c.enterLocalActiveMode();
                } else {
                    c.enterLocalPassiveMode();
                    c.setUseEPSVwithIPv4("EPSV".equals(mode));
                }
                for (int i = 0; i < ROUNDS; i++) {
                    byte[] data = Bytes.random(i, (i % 4) == 0 ? 0 : 1 << (i % 18));
                    String name = "f" + i + ".bin";
                    assertThat(c.storeFile(name, new ByteArrayInputStream(data)))
                            .as("STOR %s (%d bytes): %s", name, data.length, c.getReplyString()).isTrue();
                    ByteArrayOutputStream back = new ByteArrayOutputStream();
                    assertThat(c.retrieveFile(name, back)).as("RETR %s: %s", name, c.getReplyString()).isTrue();
                    assertThat(Bytes.sha256(back.toByteArray())).as(name).isEqualTo(Bytes.sha256(data));
                }
                assertThat(c.listNames()).as("the uploads and hello.txt").hasSize(ROUNDS + 1);
                c.logout();
                c.disconnect();
            });
            List<AuditEvent> transfers = gw.audit.all(RecordingAuditSink.type("transfer"));
            assertThat(transfers).hasSize(2 * ROUNDS + 1).allMatch(t -> "ok".equals(t.get("outcome")));
            assertThat(gw.audit.all(RecordingAuditSink.type("refused"))).isEmpty();
            assertThat(gw.audit.events()).noneMatch(e -> e.toString().contains(PASSWORD));
        }
    }

    /**
     * REST, then RETR and ABOR pipelined while the early leg is ready: the ABOR falls between the repeated
     * REST and the transfer command. Had the RETR still gone out, pyftpdlib (whose pre-accepted leg the abort
     * closed) would wait for a data connection forever and the session would hang.
     */
    @Test
    void aborBetweenRestAndTheTransferCommandLeavesTheSessionUsable() throws Exception {
        try (ExternalServer server = PyftpdlibAuditIT.start(dir, false, true);
                GatewayFixture gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", server.port())
                        .dataPorts(57000, 58000).start();
                RawFtp ftp = RawFtp.open(gw.address())) {
            withDiagnostics(() -> ftp.transcript + "\naudit:\n" + gw.audit.dump(), () -> {
                ftp.login(USER, PASSWORD);
                ftp.expect(ftp.cmd("TYPE I"), 200);
                int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
                try (java.net.Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                    ftp.expect(ftp.cmd("REST 1"), 350);
                    ftp.sendRaw("RETR hello.txt\r\nABOR\r\n");
                    assertThat(ftp.read().code()).isEqualTo(426);
                    assertThat(ftp.read().code()).isEqualTo(226);
                }
                assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
                // And the next transfer starts at 0, not at the aborted offset.
                int again = RawFtp.epsvPort(ftp.cmd("EPSV"));
                try (java.net.Socket d = RawFtp.dataConnect("127.0.0.1", again, "127.0.0.1")) {
                    assertThat(ftp.cmd("RETR hello.txt").code()).isIn(125, 150);
                    assertThat(new String(RawFtp.readAll(d), java.nio.charset.StandardCharsets.US_ASCII))
                            .isEqualTo("hello from pyftpdlib\n");
                }
                assertThat(ftp.read().code()).isEqualTo(226);
            });
        }
    }
}
