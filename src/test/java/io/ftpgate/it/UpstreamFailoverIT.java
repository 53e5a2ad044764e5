package io.ftpgate.it;

import static io.ftpgate.it.Diagnostics.withDiagnostics;
import static io.ftpgate.it.RecordingAuditSink.refused;
import static io.ftpgate.it.RecordingAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.auditor.it.ExternalServer;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.Timeouts;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.policy.UpstreamPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways a pool server can fail before the session uses it, each skipped for the next server: a port
 * nobody listens on, a server that accepts and hangs up, one that accepts and never greets. MINA is the server
 * that works; the broken ones are plain sockets on loopback. And a pool with no working server at all.
 */
class UpstreamFailoverIT {

    /** Short, so the silent server costs the test half a second rather than the default 30s. */
    private static final Timeouts TIMEOUTS = new Timeouts(Timeouts.DEFAULTS.pinhole(), Duration.ofMillis(500),
            Timeouts.DEFAULTS.controlIdle(), Timeouts.DEFAULTS.login(), Timeouts.DEFAULTS.dataIdle());
    private static final byte[] DATA = Bytes.random(5, 200_000);

    @TempDir
    Path dir;

    private final DemoUpstream mina = new DemoUpstream();
    /** Accepts connections into its backlog and never answers: the kernel completes the handshake. */
    private final ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    /** Accepts and hangs up at once (an orderly close: with a reset the connect itself may fail). */
    private final ServerSocket closer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Thread closing = new Thread(this::hangUp, "closer");

    UpstreamFailoverIT() throws IOException {
    }

    private void hangUp() {
        while (!closer.isClosed()) {
            try (Socket s = closer.accept()) {
                s.shutdownOutput(); // FIN, as a server that turns the connection down without a word
            } catch (IOException e) {
                return;
            }
        }
    }

    @AfterEach
    void stop() throws IOException {
        silent.close();
        closer.close();
        mina.stop();
    }

    private static String name(int port) {
        return "127.0.0.1:" + port;
    }

    private GatewayFixture gateway(UpstreamPolicy policy, String... servers) throws Exception {
        return GatewayFixture.of(ListenerConfig.builder("failover").listen(new HostAndPort("127.0.0.1", 0))
                .upstreams(List.of(servers).stream().map(s -> HostAndPort.parse(s, 21)).toList())
                .upstreamPolicy(policy).build(), TIMEOUTS);
    }

    @Test
    void everyKindOfDeadServerIsSkippedAndRecorded() throws Exception {
        closing.start();
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.write(root.resolve("f.bin"), DATA);
        String minaName = name(mina.start(root, true));
        String refusing = name(ExternalServer.freePort());
        String silentName = name(silent.getLocalPort());
        String closerName = name(closer.getLocalPort());
        try (GatewayFixture gw = gateway(UpstreamPolicy.ROUND_ROBIN, refusing, silentName, closerName, minaName)) {
            withDiagnostics(() -> "audit:\n" + gw.audit.dump(), () -> {
                FTPClient c = new FTPClient();
                c.setDefaultTimeout(15_000);
                c.connect(gw.address().getAddress(), gw.address().getPort());
                assertThat(c.login("anonymous", "x@example.net")).isTrue();
                c.setFileType(FTP.BINARY_FILE_TYPE);
                c.enterLocalPassiveMode();
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                assertThat(c.retrieveFile("f.bin", back)).isTrue();
                assertThat(Bytes.sha256(back.toByteArray())).isEqualTo(Bytes.sha256(DATA));
                c.logout();
                c.disconnect();
                assertThat(gw.audit.all(refused("upstream-failover"))).extracting(e -> e.get("input")).containsExactly(
                        refusing + " (Connection refused); trying " + silentName,
                        silentName + " (no greeting within the connect timeout); trying " + closerName,
                        closerName + " (closed the connection before greeting); trying " + minaName);
                assertThat(gw.audit.await("login").get("upstream")).isEqualTo(minaName);
            });
        }
    }

    @Test
    void aPoolWithNoWorkingServerRefusesTheSessionWith421() throws Exception {
        closing.start();
        String refusing = name(ExternalServer.freePort());
        String closerName = name(closer.getLocalPort());
        try (GatewayFixture gw = gateway(UpstreamPolicy.LEAST_SESSIONS, refusing, closerName)) {
            RawFtp raw = RawFtp.connect(gw.address());
            assertThat(raw.read().text()).isEqualTo("421 Service not available: the server cannot be reached.");
            AuditEvent unreachable = gw.audit.awaitRefused("upstream-unreachable");
            assertThat((String) unreachable.get("input")).startsWith("every server of the pool (")
                    .contains(refusing, closerName);
            assertThat(gw.audit.await("session-close").get("reason")).isEqualTo("upstream-unreachable");
            assertThat(gw.audit.all(refused("upstream-failover"))).hasSize(1);
            raw.close();
        }
    }

    @Test
    void perUserAnswersTheUserWith421WhenNoServerWorks() throws Exception {
        String refusing = name(ExternalServer.freePort());
        String silentName = name(silent.getLocalPort());
        try (GatewayFixture gw = gateway(UpstreamPolicy.PER_USER, refusing, silentName)) {
            RawFtp raw = RawFtp.connect(gw.address());
            assertThat(raw.read().text()).isEqualTo("220 ftpgate ready.");
            assertThat(raw.cmd("FEAT").text()).isEqualTo("530 Please log in with USER first.");
            assertThat(raw.cmd("USER alice").text()).isEqualTo("421 Service not available: no server can be reached.");
            assertThat(gw.audit.await("session-close").get("user")).isEqualTo("alice");
            assertThat(gw.audit.all(type("refused"))).extracting(e -> e.get("reason"))
                    .containsExactly("upstream-failover", "upstream-unreachable");
            raw.close();
        }
    }
}
