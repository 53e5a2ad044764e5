package io.ftpgate.it;

import static io.ftpgate.it.Diagnostics.withDiagnostics;
import static io.ftpgate.it.RecordingAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.auditor.it.ExternalServer;
import io.ftpgate.auditor.it.VsftpdAuditIT;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.Timeouts;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.policy.UpstreamPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reverse listener in front of two real servers, Apache MINA FtpServer in the JVM and a vsftpd process, both
 * serving the same file: how each policy spreads sessions (read off the {@code login} and {@code session-close}
 * records), and what happens when vsftpd is stopped mid-run. The same stop is also run on a pool of two vsftpd
 * processes (issue 17), so failover is proven between two servers of the same kind, each a process of its own
 * that is killed, not only between the in-JVM MINA and vsftpd: the survivor's running session keeps
 * transferring, new sessions fail over to it with one {@code upstream-failover} record, and the stopped server's
 * own session ends. Every download is checked by sha256.
 */
class UpstreamPoolIT {

    private static final String FILE = "pool.bin";
    private static final byte[] DATA = Bytes.random(17, 3 * Bytes.MIB + 123);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final DemoUpstream mina = new DemoUpstream();
    private ExternalServer vsftpd;
    /** Every vsftpd started, stopped after each test (closing one already stopped mid-run does no harm). */
    private final List<ExternalServer> vsftpds = new ArrayList<>();
    private String minaName;
    private String vsftpdName;
    private final List<FTPClient> clients = new ArrayList<>();

    @BeforeEach
    void servers() throws Exception {
        Path minaRoot = Files.createDirectories(dir.resolve("mina"));
        Files.write(minaRoot.resolve(FILE), DATA);
        minaName = "127.0.0.1:" + mina.start(minaRoot, true);
    }

    /** vsftpd with {@code extraConfig} lines, serving the same file as MINA. */
    private void startVsftpd(String... extraConfig) throws Exception {
        vsftpd = vsftpdIn("vsftpd", extraConfig);
        vsftpdName = name(vsftpd);
    }

    /**
     * A vsftpd serving the same file as MINA, in a directory {@code name} of its own: each process needs its own
     * configuration, log and root, so that a second one can run (and be stopped) beside the first.
     */
    private ExternalServer vsftpdIn(String name, String... extraConfig) throws Exception {
        Path vsftpdDir = Files.createDirectories(dir.resolve(name));
        Files.createDirectories(vsftpdDir.resolve("root"));
        Files.write(vsftpdDir.resolve("root").resolve(FILE), DATA);
        ExternalServer server = VsftpdAuditIT.start(vsftpdDir, false, false, extraConfig);
        vsftpds.add(server);
        return server;
    }

    /** The name the gateway's audit records give a server: its host:port. */
    private static String name(ExternalServer server) {
        return "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        for (FTPClient c : clients) {
            try {
                c.disconnect();
            } catch (IOException e) {
                // already gone
            }
        }
        vsftpds.forEach(ExternalServer::close);
        mina.stop();
    }

    private GatewayFixture gateway(UpstreamPolicy policy) throws Exception {
        if (vsftpd == null) {
            startVsftpd();
        }
        return gateway(policy, minaName, vsftpdName);
    }

    /** A reverse listener with {@code policy} over {@code servers} (host:port), in that order. */
    private static GatewayFixture gateway(UpstreamPolicy policy, String... servers) throws Exception {
        List<HostAndPort> upstreams = new ArrayList<>();
        for (String server : servers) {
            upstreams.add(HostAndPort.parse(server, 21));
        }
        return GatewayFixture.of(ListenerConfig.builder("pool").listen(new HostAndPort("127.0.0.1", 0))
                .upstreams(upstreams).upstreamPolicy(policy).clientDataPorts(new PortRange(65000, 65199))
                .serverDataPorts(new PortRange(65200, 65399)).build(), null);
    }

    /** A logged-in anonymous session; returns the client. */
    private FTPClient login(GatewayFixture gw) throws IOException {
        FTPClient c = new FTPClient();
        clients.add(c);
        c.setDefaultTimeout(15_000);
        c.setDataTimeout(Duration.ofSeconds(15));
        c.connect(gw.address().getAddress(), gw.address().getPort());
        assertThat(c.login("anonymous", "pool@example.net")).as(c.getReplyString()).isTrue();
        assertThat(c.setFileType(FTP.BINARY_FILE_TYPE)).isTrue();
        c.enterLocalPassiveMode();
        return c;
    }

    private static void download(FTPClient c) throws IOException {
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        assertThat(c.retrieveFile(FILE, back)).as("RETR: %s", c.getReplyString()).isTrue();
        assertThat(Bytes.sha256(back.toByteArray())).isEqualTo(Bytes.sha256(DATA));
    }

    private static void quit(FTPClient c) throws IOException {
        c.logout();
        c.disconnect();
    }

    /** One whole session (login, download, quit); returns the server its login record names. */
    private String session(GatewayFixture gw) throws Exception {
        int before = gw.audit.all(type("session-close")).size();
        FTPClient c = login(gw);
        download(c);
        quit(c);
        awaitCloses(gw, before + 1);
        List<AuditEvent> logins = gw.audit.all(type("login"));
        return (String) logins.get(logins.size() - 1).get("upstream");
    }

    /** Waits until {@code n} sessions have closed (so their server's session count is given back). */
    private static void awaitCloses(GatewayFixture gw, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (gw.audit.all(type("session-close")).size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(gw.audit.all(type("session-close"))).hasSizeGreaterThanOrEqualTo(n);
    }

    @Test
    void roundRobinAlternatesBetweenTheServers() throws Exception {
        try (GatewayFixture gw = gateway(UpstreamPolicy.ROUND_ROBIN)) {
            withDiagnostics(() -> "audit:\n" + gw.audit.dump(), () -> {
                List<String> chosen = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    chosen.add(session(gw));
                }
                assertThat(chosen).containsExactly(minaName, vsftpdName, minaName, vsftpdName);
                assertThat(gw.audit.all(type("login"))).allMatch(l -> "round-robin".equals(l.get("upstream-policy"))
                        && l.get("upstream").equals(l.get("destination")));
                assertThat(gw.audit.all(type("transfer"))).hasSize(4)
                        .allMatch(t -> "ok".equals(t.get("outcome")) && ((Number) t.get("bytes")).longValue()
                                == DATA.length);
                assertThat(gw.audit.all(type("refused"))).isEmpty();
            });
        }
    }

    @Test
    void leastSessionsSendsNewSessionsToTheLessBusyServer() throws Exception {
        try (GatewayFixture gw = gateway(UpstreamPolicy.LEAST_SESSIONS)) {
            withDiagnostics(() -> "audit:\n" + gw.audit.dump(), () -> {
                FTPClient held = login(gw);
                String busy = (String) gw.audit.await("login").get("upstream");
                String idle = busy.equals(minaName) ? vsftpdName : minaName;
                for (int i = 0; i < 3; i++) {
                    assertThat(session(gw)).as("session %d while one session holds %s", i, busy).isEqualTo(idle);
                }
                download(held);
                quit(held);
                assertThat(gw.audit.all(type("login"))).allMatch(l -> "least-sessions".equals(l.get("upstream-policy")));
            });
        }
    }

    @Test
    void perUserSendsTheSameUserToTheSameServerAndOnlyADownServersUsersMove() throws Exception {
        try (GatewayFixture gw = gateway(UpstreamPolicy.PER_USER)) {
            withDiagnostics(() -> "audit:\n" + gw.audit.dump(), () -> {
                List<String> users = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    users.add("user" + i);
                }
                Map<String, String> first = userRound(gw, users);
                assertThat(userRound(gw, users)).as("the second round").isEqualTo(first);
                assertThat(first.values()).as("both servers have users").contains(minaName, vsftpdName);
                // anonymous logs in on whichever server is its own, every time, and downloads the same bytes.
                String anonymous = session(gw);
                assertThat(session(gw)).isEqualTo(anonymous);

                vsftpd.close();
                Map<String, String> after = userRound(gw, users);
                for (String u : users) {
                    assertThat(after.get(u)).as(u).isEqualTo(minaName);
                }
                List<AuditEvent> failovers = gw.audit.all(RecordingAuditSink.refused("upstream-failover"));
                assertThat(failovers).as("the first session of a vsftpd user found it down; the rest skipped it")
                        .hasSize(1);
                assertThat((String) failovers.get(0).get("input")).startsWith(vsftpdName + " (")
                        .endsWith("trying " + minaName);
                assertThat(session(gw)).isEqualTo(minaName);
            });
        }
    }

    /** SIGHUP's reload: a one-server listener becomes a pool for new sessions; the running session stays. */
    @Test
    void aReloadTurnsOneServerIntoAPool() throws Exception {
        startVsftpd();
        ListenerConfig one = ListenerConfig.builder("pool").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(HostAndPort.parse(minaName, 21)).clientDataPorts(new PortRange(65000, 65199)).build();
        try (GatewayFixture gw = GatewayFixture.of(one, null)) {
            withDiagnostics(() -> "audit:\n" + gw.audit.dump(), () -> {
                FTPClient running = login(gw);
                assertThat(session(gw)).isEqualTo(minaName);
                ListenerConfig pool = one.toBuilder().listen(gw.listener.listen())
                        .upstreams(List.of(HostAndPort.parse(vsftpdName, 21), HostAndPort.parse(minaName, 21)))
                        .build();
                gw.gateway.reload(new GatewayConfig(List.of(pool), Timeouts.DEFAULTS, null));
                assertThat(List.of(session(gw), session(gw))).containsExactly(vsftpdName, minaName);
                download(running);
                quit(running);
            });
        }
    }

    /** vsftpd full ({@code max_clients=1}) greets with 421: that server is skipped like one that is down. */
    @Test
    void aServerGreetingWithOtherThan220IsSkipped() throws Exception {
        startVsftpd("max_clients=1");
        try (GatewayFixture gw = gateway(UpstreamPolicy.ROUND_ROBIN)) {
            withDiagnostics(() -> "audit:\n" + gw.audit.dump(), () -> {
                FTPClient onMina = login(gw);
                FTPClient onVsftpd = login(gw);
                assertThat(gw.audit.all(type("login"))).extracting(l -> l.get("upstream"))
                        .containsExactly(minaName, vsftpdName);
                assertThat(session(gw)).isEqualTo(minaName);
                assertThat(session(gw)).as("vsftpd's turn, but it is full").isEqualTo(minaName);
                List<AuditEvent> failovers = gw.audit.all(RecordingAuditSink.refused("upstream-failover"));
                assertThat(failovers).hasSize(1);
                assertThat(failovers.get(0).get("input")).isEqualTo(vsftpdName + " (greeted 421); trying " + minaName);
                download(onVsftpd);
                download(onMina);
            });
        }
    }

    /** Each user connects, sends USER and quits; returns the server its session-close record names. */
    private Map<String, String> userRound(GatewayFixture gw, List<String> users) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (String u : users) {
            int before = gw.audit.all(type("session-close")).size();
            FTPClient c = new FTPClient();
            clients.add(c);
            c.setDefaultTimeout(15_000);
            c.connect(gw.address().getAddress(), gw.address().getPort());
            assertThat(c.getReplyCode()).as("the gateway's own greeting").isEqualTo(220);
            c.user(u); // MINA asks for a password (331), vsftpd is anonymous-only here (530): either way no login
            quit(c);
            awaitCloses(gw, before + 1);
            List<AuditEvent> closes = gw.audit.all(type("session-close"));
            AuditEvent close = closes.get(closes.size() - 1);
            assertThat(close.get("user")).isEqualTo(u);
            out.put(u, (String) close.get("destination"));
        }
        return out;
    }

    @Test
    void aServerStoppedMidRunLeavesTheOthersSessionsAloneAndNewSessionsFailOver() throws Exception {
        try (GatewayFixture gw = gateway(UpstreamPolicy.ROUND_ROBIN)) {
            stoppedMidRun(gw, minaName, vsftpd);
        }
    }

    /**
     * Issue 17: the pool is two vsftpd processes, one of them stopped mid-run (MINA, started for every test, is not
     * in this pool).
     */
    @Test
    void oneOfTwoVsftpdStoppedMidRunLeavesTheOthersSessionsAloneAndNewSessionsFailOver() throws Exception {
        String survivor = name(vsftpdIn("vsftpd-survivor"));
        ExternalServer stopped = vsftpdIn("vsftpd-stopped");
        try (GatewayFixture gw = gateway(UpstreamPolicy.ROUND_ROBIN, survivor, name(stopped))) {
            stoppedMidRun(gw, survivor, stopped);
        }
    }

    /**
     * On a round-robin pool of {@code survivor} then {@code stopped}: one session on each downloads, then
     * {@code stopped} is stopped. Its session ends, the survivor's keeps transferring, and new sessions all reach
     * the survivor, the first of them through one failover (the ones after it skip the down server).
     */
    private void stoppedMidRun(GatewayFixture gw, String survivor, ExternalServer stopped) throws Exception {
        String stoppedName = name(stopped);
        withDiagnostics(() -> "audit:\n" + gw.audit.dump(), () -> {
            FTPClient onSurvivor = login(gw);
            FTPClient onStopped = login(gw);
            List<AuditEvent> logins = gw.audit.all(type("login"));
            assertThat(logins).extracting(l -> l.get("upstream")).containsExactly(survivor, stoppedName);
            download(onSurvivor);
            download(onStopped);
            String stoppedSession = (String) logins.get(1).get("session");

            stopped.close();
            AuditEvent lost = gw.audit.awaitEvent(e -> "session-close".equals(e.event())
                    && stoppedSession.equals(e.get("session")), WAIT);
            assertThat(lost.get("reason")).as("the stopped server's session ends").isEqualTo("server-closed");

            download(onSurvivor);
            assertThat(onSurvivor.sendNoOp()).isTrue();
            List<String> chosen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                chosen.add(session(gw));
            }
            assertThat(chosen).as("every new session reached the survivor").containsOnly(survivor);
            download(onSurvivor);
            quit(onSurvivor);
            List<AuditEvent> failovers = gw.audit.all(RecordingAuditSink.refused("upstream-failover"));
            assertThat(failovers).as("one session found the stopped server down; the next ones skipped it")
                    .hasSize(1);
            assertThat(failovers.get(0).get("input"))
                    .isEqualTo(stoppedName + " (Connection refused); trying " + survivor);
            assertThat(gw.audit.all(RecordingAuditSink.refused("upstream-unreachable"))).isEmpty();
            assertThat(gw.audit.all(type("transfer")).stream()
                    .filter(t -> survivor.equals(t.get("destination")))).hasSize(3 + 4)
                    .allMatch(t -> "ok".equals(t.get("outcome")));
        });
    }
}
