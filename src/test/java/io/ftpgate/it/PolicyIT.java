package io.ftpgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.control.Gateway;
import io.ftpgate.control.GatewayStartException;
import io.ftpgate.policy.CommandProfile;
import io.ftpgate.policy.DestinationRules;
import io.ftpgate.policy.Limits;
import io.ftpgate.policy.ListenerPolicy;
import io.ftpgate.policy.GatewayPolicy;
import io.ftpgate.policy.UserRule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy engine through a real gateway and a real MINA server: command profiles, anonymous rules,
 * session limits, the failed-login block, monitor mode and reload. Each refusal is checked by the reply the
 * client gets, the audit event (with {@code enforced}), and the server's file system where writes matter.
 */
class PolicyIT {

    @TempDir
    static Path root;
    private static final DemoUpstream upstream = new DemoUpstream();
    private static int upstreamPort;

    private final RecordingAuditSink audit = new RecordingAuditSink();
    private Gateway gw;
    private InetSocketAddress address;

    @BeforeAll
    static void startUpstream() throws Exception {
        Files.writeString(root.resolve("hello.txt"), "hello\n");
        Files.createDirectories(root.resolve("upload"));
        upstreamPort = upstream.start(root, true, "127.0.0.1");
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop();
    }

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static ListenerConfig listener(ListenerPolicy policy) {
        return ListenerConfig.builder("policy").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort("127.0.0.1", upstreamPort)).listenerPolicy(policy).build();
    }

    private void start(ListenerPolicy policy, GatewayPolicy settings) throws Exception {
        gw = Gateway.start(new GatewayConfig(List.of(listener(policy)), null, null, settings), audit);
        address = gw.boundAddresses().get(0);
    }

    private FTPClient login(String user, String password) throws Exception {
        FTPClient c = new FTPClient();
        c.setDefaultTimeout(10_000);
        c.connect(address.getAddress(), address.getPort());
        assertThat(c.login(user, password)).as(c.getReplyString()).isTrue();
        c.enterLocalPassiveMode();
        c.setFileType(FTP.BINARY_FILE_TYPE);
        return c;
    }

    private static boolean store(FTPClient c, String path) throws Exception {
        return c.storeFile(path, new ByteArrayInputStream("data\n".getBytes()));
    }

    private static ListenerPolicy policy(boolean anonymous, String defaultProfile, UserRule... rules) {
        return new ListenerPolicy(List.of(), anonymous, false, List.of(rules), defaultProfile);
    }

    @Test
    void readOnlyProfileRefusesWritesButAllowsReads() throws Exception {
        start(policy(true, "read-only"), GatewayPolicy.DEFAULTS);
        FTPClient c = login("demo", "demo");
        assertThat(store(c, "/upload/ro.txt")).isFalse();
        assertThat(c.getReplyString()).startsWith("550 Permission denied by gateway policy.");
        assertThat(Files.exists(root.resolve("upload/ro.txt"))).isFalse();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(c.retrieveFile("/hello.txt", out)).isTrue();
        assertThat(out.toString()).isEqualTo("hello\n");
        AuditEvent r = audit.awaitRefused("command-denied");
        assertThat(r.get("enforced")).isEqualTo(true);
        assertThat(r.get("input")).isEqualTo("STOR /upload/ro.txt");
        assertThat(audit.await("login").get("profile")).isEqualTo("read-only");
        c.logout();
    }

    @Test
    void userRuleSelectsAProfileAndTheConfiguredReply() throws Exception {
        CommandProfile noList = new CommandProfile("no-list", Set.of(), Set.of("LIST", "NLST", "MLSD"), 450,
                "Listings are not offered.");
        start(policy(true, "full", new UserRule("de*", List.of(), List.of(), "no-list")),
                new GatewayPolicy(false, Limits.DEFAULTS, Map.of("no-list", noList)));
        FTPClient c = login("demo", "demo");
        assertThat(c.listFiles("/")).isEmpty();
        assertThat(c.getReplyCode()).isEqualTo(450);
        assertThat(store(c, "/upload/rule.txt")).isTrue();
        audit.awaitRefused("command-denied");
        c.logout();
    }

    @Test
    void anonymousWriteIsDeniedByTheGatewayByDefault() throws Exception {
        start(policy(true, "full"), GatewayPolicy.DEFAULTS);
        FTPClient c = login("anonymous", "guest@example.net");
        assertThat(c.makeDirectory("/upload/anon")).isFalse();
        assertThat(c.getReplyString()).startsWith("550 Anonymous users may not write here.");
        audit.awaitRefused("anonymous-write-denied");
        c.logout();
    }

    @Test
    void anonymousLoginCanBeRefusedPerListener() throws Exception {
        start(policy(false, "full"), GatewayPolicy.DEFAULTS);
        FTPClient c = new FTPClient();
        c.connect(address.getAddress(), address.getPort());
        assertThat(c.login("anonymous", "guest@example.net")).isFalse();
        assertThat(c.getReplyCode()).isEqualTo(530);
        AuditEvent r = audit.awaitRefused("anonymous-denied");
        assertThat(r.fields().toString()).doesNotContain("guest@example.net");
        c.disconnect();
        login("demo", "demo").logout();
    }

    @Test
    void sessionsPerClientAreLimited() throws Exception {
        start(policy(true, "full"), new GatewayPolicy(false, new Limits(100, 2, 5, Duration.ofMinutes(1)), null));
        FTPClient a = login("demo", "demo");
        FTPClient b = login("demo", "demo");
        FTPClient third = new FTPClient();
        assertThatThrownBy(() -> third.connect(address.getAddress(), address.getPort()))
                .isInstanceOf(FTPConnectionClosedException.class).hasMessageContaining("421");
        audit.awaitRefused("too-many-sessions-from-client");
        a.logout();
        a.disconnect();
        // The refused third session closes too; wait for the one that gave its slot back.
        audit.awaitEvent(RecordingAuditSink.type("session-close").and(RecordingAuditSink.field("reason", "client-quit")),
                Duration.ofSeconds(10));
        login("demo", "demo").logout();
        b.logout();
    }

    @Test
    void repeatedLoginFailuresBlockTheAddress() throws Exception {
        start(policy(true, "full"), new GatewayPolicy(false, new Limits(100, 10, 2, Duration.ofMinutes(1)), null));
        FTPClient c = new FTPClient();
        c.connect(address.getAddress(), address.getPort());
        assertThat(c.login("demo", "wrong-1")).isFalse();
        assertThat(c.login("demo", "wrong-2")).isFalse();
        AuditEvent block = audit.awaitRefused("login-failures");
        assertThat(block.fields().toString()).doesNotContain("wrong-");
        FTPClient again = new FTPClient();
        assertThatThrownBy(() -> again.connect(address.getAddress(), address.getPort()))
                .isInstanceOf(FTPConnectionClosedException.class).hasMessageContaining("421");
        audit.awaitRefused("client-blocked");
        c.disconnect();
    }

    @Test
    void monitorModeRecordsVerdictsWithoutEnforcingThem() throws Exception {
        start(policy(true, "read-only"), new GatewayPolicy(true, Limits.DEFAULTS, null));
        FTPClient c = login("demo", "demo");
        assertThat(store(c, "/upload/monitored.txt")).as(c.getReplyString()).isTrue();
        assertThat(Files.readString(root.resolve("upload/monitored.txt"))).isEqualTo("data\n");
        AuditEvent r = audit.awaitRefused("command-denied");
        assertThat(r.get("enforced")).isEqualTo(false);
        assertThat(r.get("reply")).isNull();
        c.logout();
    }

    @Test
    void reloadAppliesToNewSessionsOnlyAndABadConfigChangesNothing() throws Exception {
        start(policy(true, "full"), GatewayPolicy.DEFAULTS);
        FTPClient before = login("demo", "demo");
        gw.reload(new GatewayConfig(List.of(listener(policy(true, "read-only"))), null, null,
                GatewayPolicy.DEFAULTS));
        assertThat(store(before, "/upload/old-session.txt")).as("running sessions keep their policy").isTrue();
        FTPClient after = login("demo", "demo");
        assertThat(store(after, "/upload/new-session.txt")).isFalse();
        assertThat(after.getReplyCode()).isEqualTo(550);

        ListenerConfig moved = ListenerConfig.builder("policy").listen(new HostAndPort("127.0.0.1", 1))
                .upstream(new HostAndPort("127.0.0.1", upstreamPort)).listenerPolicy(policy(true, "full")).build();
        assertThatThrownBy(() -> gw.reload(new GatewayConfig(List.of(moved), null, null)))
                .isInstanceOf(GatewayStartException.class).hasMessageContaining("restart");
        FTPClient still = login("demo", "demo");
        assertThat(store(still, "/upload/still-read-only.txt")).isFalse();
        before.logout();
        after.logout();
        still.logout();
    }

    private void startForward(DestinationRules destinations) throws Exception {
        ListenerConfig fwd = ListenerConfig.builder("forward").listen(new HostAndPort("127.0.0.1", 0))
                .allowDestination(List.of(io.ftpgate.net.Cidr.parse("127.0.0.1/32")))
                .listenerPolicy(new ListenerPolicy(List.of(), true, false, List.of(), "full", destinations)).build();
        gw = Gateway.start(new GatewayConfig(List.of(fwd), null, null), audit);
        address = gw.boundAddresses().get(0);
    }

    @Test
    void forwardDestinationPortOutsideTheAllowedPortsIsRefused() throws Exception {
        startForward(new DestinationRules(null, null, null, List.of(new io.ftpgate.net.PortRange(21, 21))));
        FTPClient c = new FTPClient();
        c.connect(address.getAddress(), address.getPort());
        assertThat(c.login("demo@127.0.0.1:" + upstreamPort, "demo")).isFalse();
        assertThat(c.getReplyCode()).isEqualTo(530);
        assertThat((String) audit.awaitRefused("destination-not-allowed").get("input"))
                .contains("is not an allowed destination port");
        c.disconnect();
    }

    @Test
    void denyDestinationWinsOverAllowDestination() throws Exception {
        startForward(new DestinationRules(List.of(io.ftpgate.net.Cidr.parse("127.0.0.0/8")), null, null, null));
        FTPClient c = new FTPClient();
        c.connect(address.getAddress(), address.getPort());
        assertThat(c.login("demo@127.0.0.1:" + upstreamPort, "demo")).isFalse();
        assertThat(c.getReplyCode()).isEqualTo(530);
        audit.awaitRefused("destination-not-allowed");
        c.disconnect();
    }

    private RawFtp fxpSession(String peerBlock) throws Exception {
        ListenerPolicy p = new ListenerPolicy(List.of(), true, false, List.of(), "full", null, null,
                List.of(new io.ftpgate.policy.FxpRule(List.of(io.ftpgate.net.Cidr.parse("127.0.0.1/32")),
                        List.of(io.ftpgate.net.Cidr.parse(peerBlock)))));
        start(p, GatewayPolicy.DEFAULTS);
        RawFtp ftp = RawFtp.open(address);
        ftp.login("demo", "demo");
        ftp.expect(ftp.cmd("TYPE I"), 200);
        return ftp;
    }

    @Test
    void fxpExceptionLetsAConfiguredPeerReceiveTheActiveDataConnection() throws Exception {
        try (RawFtp ftp = fxpSession("127.0.0.2/32");
                java.net.ServerSocket peer = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.2"))) {
            int p = peer.getLocalPort();
            ftp.expect(ftp.cmd("PORT 127,0,0,2," + (p >> 8) + "," + (p & 0xff)), 200);
            assertThat(ftp.cmd("RETR /hello.txt").code()).isEqualTo(150);
            try (java.net.Socket d = peer.accept()) {
                assertThat(new String(d.getInputStream().readAllBytes())).isEqualTo("hello\n");
            }
            assertThat(ftp.read().code()).isEqualTo(226);
            assertThat(audit.await("fxp").get("peer")).isEqualTo("127.0.0.2:" + p);
        }
    }

    @Test
    void fxpExceptionLetsAConfiguredPeerUseThePassivePinhole() throws Exception {
        try (RawFtp ftp = fxpSession("127.0.0.2/32")) {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            try (java.net.Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.2")) {
                assertThat(ftp.cmd("RETR /hello.txt").code()).isEqualTo(150);
                assertThat(new String(d.getInputStream().readAllBytes())).isEqualTo("hello\n");
            }
            assertThat(ftp.read().code()).isEqualTo(226);
        }
    }

    @Test
    void fxpExceptionCoversOnlyItsPeers() throws Exception {
        try (RawFtp ftp = fxpSession("127.0.0.2/32")) {
            assertThat(ftp.cmd("PORT 127,0,0,3,4,1").code()).isEqualTo(501);
            audit.awaitRefused("port-foreign-address");
        }
    }
}
