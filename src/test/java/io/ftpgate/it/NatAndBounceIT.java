package io.ftpgate.it;

import static io.ftpgate.it.Diagnostics.withDiagnostics;
import static io.ftpgate.it.RecordingAuditSink.refused;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.config.Timeouts;
import io.ftpgate.config.UpstreamMode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NAT rewriting, bounce protection and pinhole discipline, reverse placement over IPv4, driven with a raw
 * control socket so every byte sent and received is exactly what the test says.
 */
class NatAndBounceIT {

    private static final String PASSWORD = "nat-bounce-secret-7f3a";
    private static final int FILE_SIZE = 2 * Bytes.MIB;

    @TempDir
    static Path root;
    private static final DemoUpstream upstream = new DemoUpstream();
    private static int upstreamPort;
    private static byte[] data;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private GatewayFixture gw;
    private RawFtp ftp;

    @BeforeAll
    static void startUpstream() throws Exception {
        data = Bytes.random(42, FILE_SIZE);
        Files.write(root.resolve("data.bin"), data);
        Files.writeString(root.resolve("README.txt"), "readme\n");
        Files.createDirectories(root.resolve("upload"));
        upstreamPort = upstream.start(root, true, "127.0.0.1");
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop();
    }

    @AfterEach
    void tearDown() throws Exception {
        Teardown.closeAll(ftp, closeables, gw, PASSWORD);
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    private GatewayFixture.Builder reverse() {
        return GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", upstreamPort).dataPorts(54000, 55000);
    }

    /** Starts {@code b}, opens a raw control connection through it and logs in anonymously. */
    private void loginThrough(GatewayFixture.Builder b) throws Exception {
        gw = b.start();
        ftp = RawFtp.open(gw.address());
        ftp.login("anonymous", PASSWORD);
        ftp.expect(ftp.cmd("TYPE I"), 200);
    }

    private String diag() {
        return (ftp == null ? "" : ftp.transcript.toString()) + "\naudit:\n" + (gw == null ? "" : gw.audit.dump());
    }

    @Test
    void publicAddressIsAdvertisedInPasvReply() throws Exception {
        loginThrough(reverse().publicAddress("198.51.100.7"));
        withDiagnostics(this::diag, () -> {
            RawFtp.Reply pasv = ftp.cmd("PASV");
            assertThat(pasv.code()).isEqualTo(227);
            assertThat(RawFtp.pasvHost(pasv)).isEqualTo("198.51.100.7");
            assertThat(RawFtp.pasvPort(pasv)).isBetween(54000, 54999);
            assertThat(pasv.last()).matches("227 Entering Passive Mode \\(198,51,100,7,\\d+,\\d+\\)\\.?");

            RawFtp.Reply epsv = ftp.cmd("EPSV");
            assertThat(epsv.code()).isEqualTo(229);
            assertThat(epsv.last()).as("229 carries only the port").matches("229 [^(]*\\(\\|\\|\\|\\d+\\|\\)\\.?");
            assertThat(RawFtp.epsvPort(epsv)).isBetween(54000, 54999);
            assertThat(epsv.last()).doesNotContain("198.51.100.7").doesNotContain("127.0.0.1");
        });
    }

    @Test
    void thirdPartyPortIsRefused() throws Exception {
        loginThrough(reverse());
        Victim victim = closeLater(new Victim("127.0.0.2", 0));
        int p = victim.port();
        withDiagnostics(this::diag, () -> {
            String port = "PORT 127,0,0,2," + (p >> 8) + "," + (p & 0xff);
            assertThat(ftp.cmd(port).code()).as(port).isEqualTo(501);
            AuditEvent r = gw.audit.awaitRefused("port-foreign-address");
            assertThat(r.get("input")).isEqualTo(port);
            assertThat(r.get("reply")).isEqualTo(501);
            assertThat(ftp.cmd("RETR README.txt").code()).as("RETR without an accepted PORT").isEqualTo(425);
            gw.audit.awaitRefused("no-data-connection");

            String eprt = "EPRT |1|127.0.0.2|" + p + "|";
            assertThat(ftp.cmd(eprt).code()).as(eprt).isEqualTo(501);
            gw.audit.awaitEvent(refused("port-foreign-address").and(e -> eprt.equals(e.get("input"))),
                    Duration.ofSeconds(5));
            assertThat(ftp.cmd("RETR README.txt").code()).as("RETR without an accepted EPRT").isEqualTo(425);
            assertThat(gw.audit.all(refused("no-data-connection"))).hasSize(2);

            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
            assertThat(victim.accepts()).as("connections the victim on 127.0.0.2 received").isZero();
            assertThat(gw.audit.all(RecordingAuditSink.type("transfer"))).isEmpty();
        });
    }

    @Test
    void privilegedPortIsRefused() throws Exception {
        loginThrough(reverse());
        withDiagnostics(this::diag, () -> {
            assertThat(ftp.cmd("PORT 127,0,0,1,0,25").code()).isEqualTo(501);
            AuditEvent r = gw.audit.awaitRefused("port-privileged");
            assertThat(r.get("input")).isEqualTo("PORT 127,0,0,1,0,25");
            assertThat(ftp.cmd("EPRT |1|127.0.0.1|25|").code()).isEqualTo(501);
            gw.audit.awaitEvent(refused("port-privileged").and(e -> "EPRT |1|127.0.0.1|25|".equals(e.get("input"))),
                    Duration.ofSeconds(5));
            assertThat(ftp.cmd("RETR README.txt").code()).isEqualTo(425);
        });
    }

    @Test
    void malformedPortIsRefused() throws Exception {
        loginThrough(reverse());
        withDiagnostics(this::diag, () -> {
            for (String bad : List.of("PORT 127,0,0,1,256,1", "EPRT |1|1.2.3.4|65558|", "PORT 127,0,0,1,4",
                    "PORT 127,0,0,1,-1,0", "EPRT |1|127.0.0.256|2048|", "EPRT ||||")) {
                assertThat(ftp.cmd(bad).code()).as(bad).isEqualTo(501);
                gw.audit.awaitEvent(refused("port-syntax").and(e -> bad.equals(e.get("input"))),
                        Duration.ofSeconds(5));
            }
            assertThat(ftp.cmd("LPRT 4,4,127,0,0,1,2,4,1").code()).isEqualTo(502);
            gw.audit.awaitRefused("long-address-unsupported");
            assertThat(ftp.cmd("LPSV").code()).isEqualTo(502);
            assertThat(gw.audit.all(refused("long-address-unsupported"))).hasSize(2);
            // Nothing was accepted: no plan.
            assertThat(ftp.cmd("RETR README.txt").code()).isEqualTo(425);
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
        });
    }

    // ------------------------------------------------------------------ scripted hostile upstream

    private ScriptedFtpServer scripted() throws IOException {
        return closeLater(new ScriptedFtpServer());
    }

    private GatewayFixture.Builder reverseTo(ScriptedFtpServer s) {
        return GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", s.port()).dataPorts(54000, 55000)
                .mode(UpstreamMode.PASSIVE);
    }

    @Test
    void pasvForeignAddressIsIgnored() throws Exception {
        ScriptedFtpServer s = scripted();
        s.pasvHost = "127.0.0.3";
        s.retrData = Bytes.random(7, 300_000);
        loginThrough(reverseTo(s));
        withDiagnostics(() -> diag() + "\n" + s.received(), () -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                RawFtp.Reply first = ftp.cmd("RETR file.bin");
                assertThat(first.code()).isEqualTo(150);
                byte[] got = RawFtp.readAll(d);
                assertThat(Bytes.sha256(got)).as("bytes relayed from the real data port")
                        .isEqualTo(Bytes.sha256(s.retrData));
            }
            assertThat(ftp.read().code()).isEqualTo(226);
            AuditEvent r = gw.audit.awaitRefused("pasv-foreign-address");
            assertThat(String.valueOf(r.get("input"))).contains("127,0,0,3");
            assertThat(s.commands).contains("PASV", "RETR file.bin");
            assertThat(s.dataPeers).containsExactly("127.0.0.1");
            assertThat(s.victim).isNotNull();
            assertThat(s.victim.accepts()).as("connections to the address named in the 227").isZero();
            AuditEvent t = gw.audit.await("transfer");
            assertThat(t.get("outcome")).isEqualTo("ok");
            assertThat(((Number) t.get("bytes")).longValue()).isEqualTo(s.retrData.length);
        });
    }

    @Test
    void pasvPrivilegedPortIsRefused() throws Exception {
        ScriptedFtpServer s = scripted();
        s.pasvPortOverride = 22;
        loginThrough(reverseTo(s));
        withDiagnostics(() -> diag() + "\n" + s.received(), () -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                RawFtp.Reply r = ftp.cmd("RETR file.bin");
                assertThat(r.code()).as("RETR when the server's 227 names port 22").isEqualTo(425);
            }
            AuditEvent a = gw.audit.awaitRefused("pasv-privileged-port");
            assertThat(String.valueOf(a.get("input"))).contains("0,22");
            assertThat(s.commands).as("the transfer command never reached the server").doesNotContain("RETR file.bin");
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
        });
    }

    @Test
    void unexpectedPasvReplyIsWithheld() throws Exception {
        ScriptedFtpServer s = scripted();
        Victim victim = closeLater(new Victim("127.0.0.3", 0));
        int p = victim.port();
        s.noopReply = "227 Entering Passive Mode (127,0,0,3," + (p >> 8) + "," + (p & 0xff) + ")";
        loginThrough(reverseTo(s));
        withDiagnostics(() -> diag() + "\n" + s.received(), () -> {
            RawFtp.Reply r = ftp.cmd("NOOP");
            assertThat(r.code()).isEqualTo(451);
            assertThat(r.text()).doesNotContain("127,0,0,3").doesNotContain("Passive");
            AuditEvent a = gw.audit.awaitRefused("unexpected-pasv-reply");
            assertThat(String.valueOf(a.get("input"))).contains("127,0,0,3");
            // The session goes on, and nothing acted on the withheld 227.
            assertThat(ftp.cmd("TYPE A").code()).isEqualTo(200);
            assertThat(ftp.cmd("RETR file.bin").code()).as("no plan came from the withheld 227").isEqualTo(425);
            assertThat(victim.accepts()).isZero();
        });
    }

    // ------------------------------------------------------------------ pinholes

    @Test
    void pinholeImpostorIsRefusedAndRealClientStillServed() throws Exception {
        loginThrough(reverse());
        withDiagnostics(this::diag, () -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            try (Socket impostor = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.2")) {
                impostor.setSoTimeout(5_000);
                assertThat(readEofOrReset(impostor.getInputStream())).as("the impostor's connection is closed")
                        .isTrue();
            }
            AuditEvent a = gw.audit.awaitRefused("data-peer-mismatch");
            assertThat(String.valueOf(a.get("input"))).startsWith("127.0.0.2:");
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                assertThat(ftp.cmd("RETR data.bin").code()).isEqualTo(150);
                assertThat(Bytes.sha256(RawFtp.readAll(d))).isEqualTo(Bytes.sha256(data));
            }
            assertThat(ftp.read().code()).isEqualTo(226);
            AuditEvent t = gw.audit.await("transfer");
            assertThat(t.get("outcome")).isEqualTo("ok");
            assertThat(((Number) t.get("bytes")).longValue()).isEqualTo(FILE_SIZE);
        });
    }

    @Test
    void pinholeExpiresWith425() throws Exception {
        loginThrough(reverse().timeouts(Timeouts.DEFAULTS.withPinhole(Duration.ofSeconds(1))));
        withDiagnostics(this::diag, () -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            Thread.sleep(1_500); // the test is about the pinhole's lifetime
            gw.audit.awaitRefused("pinhole-expired");
            assertThat(connectFails(port)).as("a connect after expiry fails").isTrue();
            // The plan is dead before the command is sent: the answer is 425 at once (no 150 for a data
            // connection that can never come).
            RawFtp.Reply r = ftp.cmd("RETR data.bin");
            assertThat(r.code()).as("first reply to RETR after the pinhole expired").isEqualTo(425);
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
        });
    }

    /**
     * STOR after the client's pinhole expired must not reach the server: a server that opened the file for the
     * STOR would truncate it and then see EOF, destroying the existing file although the client was told 425.
     */
    @Test
    void expiredPinholeDoesNotTruncateTheServerFile() throws Exception {
        byte[] keep = Bytes.random(99, 100_000);
        Files.write(root.resolve("upload").resolve("keep.bin"), keep);
        gw = reverse().timeouts(Timeouts.DEFAULTS.withPinhole(Duration.ofSeconds(1))).start();
        ftp = RawFtp.open(gw.address());
        ftp.login(DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD);
        ftp.expect(ftp.cmd("TYPE I"), 200);
        withDiagnostics(this::diag, () -> {
            RawFtp.pasvPort(ftp.cmd("PASV"));
            Thread.sleep(1_500); // the test is about the pinhole's lifetime
            gw.audit.awaitRefused("pinhole-expired");
            RawFtp.Reply r = ftp.cmd("STOR /upload/keep.bin");
            if (r.code() == 150) {
                r = ftp.read();
            }
            assertThat(r.code()).as("final reply to STOR after the pinhole expired").isEqualTo(425);
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
            assertThat(Files.size(root.resolve("upload").resolve("keep.bin")))
                    .as("size of the server's file after a STOR that the client was told failed (425)")
                    .isEqualTo(keep.length);
        });
    }

    @Test
    void pinholeIsSingleUse() throws Exception {
        loginThrough(reverse());
        withDiagnostics(this::diag, () -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                // The pinhole has its one connection; a second one, even from the right address, is turned away.
                assertThat(connectFails(port)).as("a second connection to the used pinhole").isTrue();
                assertThat(ftp.cmd("RETR data.bin").code()).isEqualTo(150);
                assertThat(Bytes.sha256(RawFtp.readAll(d))).isEqualTo(Bytes.sha256(data));
            }
            assertThat(ftp.read().code()).isEqualTo(226);
            assertThat(connectFails(port)).as("a connection after the transfer").isTrue();
        });
    }

    /**
     * True when a connect from 127.0.0.1 is refused, reset while connecting (the pinhole's port closes with its
     * last pinhole, and a connection queued on it meanwhile is reset), or accepted by the kernel but closed
     * without data.
     */
    private static boolean connectFails(int port) throws IOException {
        try (Socket s = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
            s.setSoTimeout(5_000);
            return readEofOrReset(s.getInputStream());
        } catch (ConnectException e) {
            return true;
        } catch (SocketException e) {
            if (String.valueOf(e.getMessage()).contains("reset")) {
                return true;
            }
            throw e;
        }
    }

    /** True on EOF or reset; false if data arrives; fails on timeout (the connection was kept open). */
    private static boolean readEofOrReset(InputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection was kept open (no EOF within 5 s)");
        } catch (SocketException e) {
            return true;
        }
    }

    @SuppressWarnings("unused")
    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
