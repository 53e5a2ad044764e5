package io.ftpgate.it;

import static io.ftpgate.it.Diagnostics.withDiagnostics;
import static io.ftpgate.it.RecordingAuditSink.refused;
import static io.ftpgate.it.RecordingAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.cli.DemoUpstream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forward placement: the gateway greets the client itself and takes the destination from
 * {@code USER user@host[:port]}; the destination policy decides, before any connection is made.
 */
class ForwardPlacementIT {

    private static final String PASSWORD = "fwd-secret-pw-4d1e";
    private static final int FILE_SIZE = 3 * Bytes.MIB + 17;

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
        data = Bytes.random(11, FILE_SIZE);
        Files.write(root.resolve("data.bin"), data);
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

    private String diag() {
        return (ftp == null ? "" : ftp.transcript.toString()) + "\naudit:\n" + (gw == null ? "" : gw.audit.dump());
    }

    private GatewayFixture.Builder forward() {
        return GatewayFixture.builder("127.0.0.1").dataPorts(58000, 59000);
    }

    @Test
    void loopbackDestinationIsDeniedByDefault() throws Exception {
        ScriptedFtpServer target = new ScriptedFtpServer();
        closeables.add(target);
        gw = forward().start();
        ftp = RawFtp.open(gw.address());
        withDiagnostics(this::diag, () -> {
            String user = "USER anonymous@127.0.0.1:" + target.port();
            assertThat(ftp.cmd(user).code()).isEqualTo(530);
            AuditEvent r = gw.audit.awaitRefused("destination-not-allowed");
            assertThat(String.valueOf(r.get("input"))).startsWith(user);
            assertThat(r.get("reply")).isEqualTo(530);
            assertThat(target.controlConnections.get()).as("connections made to the denied destination").isZero();
            assertThat(gw.audit.all(type("login"))).isEmpty();
            // Not logged in: commands that need a server are refused.
            assertThat(ftp.cmd("PWD").code()).isEqualTo(530);
            assertThat(target.controlConnections.get()).isZero();
        });
    }

    @Test
    void allowedDestinationLogsInAndTransfers() throws Exception {
        gw = forward().allowDestination("127.0.0.1/32").start();
        ftp = RawFtp.open(gw.address());
        withDiagnostics(this::diag, () -> {
            assertThat(ftp.cmd("USER anonymous@127.0.0.1:" + upstreamPort).code()).isEqualTo(331);
            assertThat(ftp.cmd("PASS " + PASSWORD).code()).isEqualTo(230);
            AuditEvent login = gw.audit.await("login");
            assertThat(login.get("user")).isEqualTo("anonymous");
            assertThat(login.get("destination")).isEqualTo("127.0.0.1:" + upstreamPort);
            assertThat(login.get("outcome")).isEqualTo("ok");
            assertThat(login.fields().keySet()).noneMatch(k -> k.toLowerCase().contains("pass"));

            ftp.expect(ftp.cmd("TYPE I"), 200);
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                assertThat(ftp.cmd("RETR data.bin").code()).isEqualTo(150);
                assertThat(Bytes.sha256(RawFtp.readAll(d))).isEqualTo(Bytes.sha256(data));
            }
            assertThat(ftp.read().code()).isEqualTo(226);
            AuditEvent t = gw.audit.await("transfer");
            assertThat(t.get("destination")).isEqualTo("127.0.0.1:" + upstreamPort);
            assertThat(((Number) t.get("bytes")).longValue()).isEqualTo(FILE_SIZE);
            assertThat(ftp.cmd("QUIT").code()).isEqualTo(221);
            assertThat(gw.audit.await("session-close").get("reason")).isEqualTo("client-quit");
        });
    }

    @Test
    void destinationOutsideAllowListIsDenied() throws Exception {
        gw = forward().allowDestination("192.0.2.0/24").start();
        ftp = RawFtp.open(gw.address());
        withDiagnostics(this::diag, () -> {
            assertThat(ftp.cmd("USER anonymous@127.0.0.1:" + upstreamPort).code()).isEqualTo(530);
            gw.audit.awaitRefused("destination-not-allowed");
        });
    }

    @Test
    void userWithoutDestinationIsRefused() throws Exception {
        gw = forward().allowDestination("127.0.0.1/32").start();
        ftp = RawFtp.open(gw.address());
        withDiagnostics(this::diag, () -> {
            assertThat(ftp.cmd("USER noat").code()).isEqualTo(530);
            gw.audit.awaitRefused("destination-invalid");
            for (String bad : List.of("USER a@", "USER @127.0.0.1", "USER a@127.0.0.1:0", "USER a@127.0.0.1:99999",
                    "USER a@bad_host!:21")) {
                assertThat(ftp.cmd(bad).code()).as(bad).isEqualTo(530);
            }
            assertThat(gw.audit.all(refused("destination-invalid"))).hasSize(6);
            assertThat(gw.audit.all(type("login"))).isEmpty();
        });
    }

    @Test
    void commandsBeforeUserAre530() throws Exception {
        gw = forward().allowDestination("127.0.0.1/32").start();
        ftp = RawFtp.open(gw.address());
        withDiagnostics(this::diag, () -> {
            for (String cmd : List.of("PASS x", "PWD", "RETR data.bin", "PASV", "PORT 127,0,0,1,200,1",
                    "CWD /")) {
                assertThat(ftp.cmd(cmd).code()).as(cmd).isEqualTo(530);
            }
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
            assertThat(gw.audit.all(refused("not-logged-in"))).hasSize(6);
            // The session is still usable: now log in properly.
            assertThat(ftp.cmd("USER anonymous@127.0.0.1:" + upstreamPort).code()).isEqualTo(331);
            assertThat(ftp.cmd("PASS " + PASSWORD).code()).isEqualTo(230);
        });
    }

    /**
     * The password of a PASS the gateway refuses itself (here: before any USER, and after a denied destination)
     * must not be written to the audit log, whose {@code refused} events carry the offending input.
     */
    @Test
    void refusedPassIsNotAuditedWithThePassword() throws Exception {
        gw = forward().start();
        ftp = RawFtp.open(gw.address());
        withDiagnostics(this::diag, () -> {
            assertThat(ftp.cmd("PASS " + PASSWORD).code()).isEqualTo(530);
            assertThat(ftp.cmd("USER anonymous@127.0.0.1:" + upstreamPort).code()).isEqualTo(530);
            assertThat(ftp.cmd("PASS " + PASSWORD).code()).isEqualTo(530);
            assertThat(gw.audit.all(refused("not-logged-in"))).hasSize(2);
            assertThat(gw.audit.events()).as("audit events containing the password")
                    .noneMatch(e -> e.toString().contains(PASSWORD));
        });
    }
}
