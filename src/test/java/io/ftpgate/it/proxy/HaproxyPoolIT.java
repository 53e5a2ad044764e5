package io.ftpgate.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.audit.AuditTrail;
import io.ftpgate.auditor.it.ExternalServer;
import io.ftpgate.auditor.it.MinaServer;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerProxy;
import io.ftpgate.control.Gateway;
import io.ftpgate.data.RelayDataPath;
import io.ftpgate.event.EventBus;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.net.Cidr;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.proxy.ProxyVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool of two ftpgate instances behind Debian's HAProxy, in front of Apache MINA, with the HAProxy
 * configurations docs/scaling.md shows. Design 2: HAProxy forwards control and the shared passive range with
 * {@code send-proxy-v2}, both backends {@code balance source} so a client's data connections reach the instance
 * that has its control connection. Design 1: control only through HAProxy, each instance advertising its own
 * address. Every file is checked by SHA-256 and every instance's audit names the real clients; a balancer
 * outside {@code proxy-protocol-from} is refused.
 */
class HaproxyPoolIT {

    static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    static final String FRONT = ProxyFixture.FRONT;
    static final String BALANCER = ProxyFixture.BALANCER;
    static final String[] INSTANCES = {"127.0.0.1", "127.0.0.11"};
    /** Above the kernel's ephemeral range (32768-60999), where no outgoing connection of the build can hold it. */
    static final int LOW = 65410;
    static final int HIGH = 65413;
    static final int CLIENTS = 8;

    @TempDir
    Path root;
    @TempDir
    Path conf;
    MinaServer mina;
    final List<Gateway> gateways = new ArrayList<>();
    final List<RecordingAuditSink> audits = new ArrayList<>();
    Process haproxy;

    @AfterEach
    void stop() throws InterruptedException {
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor(5, TimeUnit.SECONDS);
        }
        gateways.forEach(Gateway::close);
        if (mina != null) {
            mina.close();
        }
    }

    /** Two instances, one per loopback address; returns their control ports. */
    private List<Integer> pool(boolean design2, String trusted) throws Exception {
        ExternalServer.require(HAPROXY, "haproxy");
        mina = MinaServer.options().start(root);
        List<Integer> ports = new ArrayList<>();
        for (String host : INSTANCES) {
            ListenerConfig l = ListenerConfig.builder("pool").listen(new HostAndPort(host, 0))
                    .upstream(new HostAndPort("127.0.0.1", mina.port())).clientDataPorts(new PortRange(LOW, HIGH))
                    .publicAddress(design2 ? null : host)
                    .proxy(new ListenerProxy(ProxyVersion.V2, List.of(Cidr.parse(trusted)),
                            design2 ? ProxyVersion.V2 : ProxyVersion.OFF, ProxyVersion.OFF)).build();
            RecordingAuditSink audit = new RecordingAuditSink();
            Gateway g = Gateway.start(new GatewayConfig(List.of(l), null, null), EventBus.of(new AuditTrail(audit)),
                    RelayDataPath::new);
            gateways.add(g);
            audits.add(audit);
            ports.add(g.boundAddresses().get(0).getPort());
        }
        return ports;
    }

    /** Writes and starts the HAProxy configuration; returns the front's control port. */
    private int haproxy(List<Integer> ports, boolean design2) throws Exception {
        return haproxy(ports, design2, "");
    }

    /** ... with {@code serverOptions} added to each control server line (health checks). */
    private int haproxy(List<Integer> ports, boolean design2, String serverOptions) throws Exception {
        int front = freePort();
        StringBuilder cfg = new StringBuilder("""
                global
                    maxconn 512
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 60s
                    timeout server 60s
                frontend ftp
                    bind %s:%d
                    default_backend ftpgate
                backend ftpgate
                    balance source
                """.formatted(FRONT, front));
        for (int i = 0; i < INSTANCES.length; i++) {
            cfg.append("    server g").append(i + 1).append(' ').append(INSTANCES[i]).append(':').append(ports.get(i))
                    .append(" send-proxy-v2 source ").append(BALANCER).append(serverOptions).append('\n');
        }
        if (design2) {
            cfg.append("frontend ftp-data\n    bind ").append(FRONT).append(':').append(LOW).append('-').append(HIGH)
                    .append("\n    default_backend ftpgate-data\nbackend ftpgate-data\n    balance source\n");
            for (int i = 0; i < INSTANCES.length; i++) {
                // No port: each connection goes to the port it arrived on.
                cfg.append("    server g").append(i + 1).append(' ').append(INSTANCES[i])
                        .append(" send-proxy-v2 source ").append(BALANCER).append('\n');
            }
        }
        Path file = Files.writeString(conf.resolve("haproxy.cfg"), cfg);
        haproxy = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(conf.resolve("haproxy.log").toFile()).start();
        awaitListening(new InetSocketAddress(FRONT, front));
        return front;
    }

    @Test
    void design2ControlAndDataThroughHaproxyToTwoInstances() throws Exception {
        int front = haproxy(pool(true, BALANCER + "/32"), true);
        crowd(front, false);
        assertThat(audits).allSatisfy(a -> assertThat(a.all(RecordingAuditSink.type("refused"))).isEmpty());
    }

    @Test
    void design1ControlThroughHaproxyDataStraightToEachInstance() throws Exception {
        int front = haproxy(pool(false, BALANCER + "/32"), false);
        crowd(front, true);
    }

    @Test
    void aBalancerOutsideProxyProtocolFromIsRefused() throws Exception {
        int front = haproxy(pool(true, "127.0.0.8/32"), true);
        try (RawFtp c = RawFtp.connectFrom(new InetSocketAddress(FRONT, front), "127.0.0.2")) {
            assertThat(c.awaitClose(Duration.ofSeconds(10))).isEmpty();
        }
        assertThat(audits.stream().flatMap(a -> a.all(RecordingAuditSink.refused("proxy-untrusted")).stream()))
                .isNotEmpty().allSatisfy(r -> assertThat((String) r.get("client")).startsWith(BALANCER + ":"));
    }

    @Test
    void healthChecksWithCheckSendProxyNameNoClientAndAreAccepted() throws Exception {
        haproxy(pool(true, BALANCER + "/32"), false, " check check-send-proxy inter 200ms");
        for (RecordingAuditSink a : audits) {
            AuditEvent open = a.awaitEvent(e -> "session-open".equals(e.event())
                    && ((String) e.get("client")).startsWith(BALANCER + ":"), Duration.ofSeconds(10));
            assertThat((String) open.get("via")).startsWith(BALANCER + ":");
        }
        assertThat(audits).allSatisfy(a -> assertThat(a.all(RecordingAuditSink.type("refused"))).isEmpty());
    }

    /** {@link #CLIENTS} clients from as many addresses, each uploading and downloading its file at once. */
    private void crowd(int front, boolean design1) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String from = "127.0.0." + (20 + i);
            byte[] data = Bytes.random(i, Bytes.MIB / 2 + i);
            done.add(threads.submit(() -> {
                FTPClient c = DataProxyIT.client(from, InetAddress.getByName(FRONT), front);
                // Design 1 needs a client that connects where the 227 says (the instance), not to the control
                // connection's peer (the balancer), and accepts that they differ: Commons Net 3.9+ and curl 7.74+
                // do neither by default, and EPSV carries no address at all.
                c.setIpAddressFromPasvResponse(design1);
                c.setRemoteVerificationEnabled(!design1);
                String name = "pool-" + from + ".bin";
                assertThat(c.storeFile(name, new ByteArrayInputStream(data))).as(c.getReplyString()).isTrue();
                ByteArrayOutputStream down = new ByteArrayOutputStream();
                assertThat(c.retrieveFile(name, down)).as(c.getReplyString()).isTrue();
                assertThat(Bytes.sha256(down.toByteArray())).isEqualTo(Bytes.sha256(data));
                assertThat(Bytes.sha256(Files.readAllBytes(root.resolve(name)))).isEqualTo(Bytes.sha256(data));
                c.logout();
                c.disconnect();
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        threads.shutdownNow();
        List<String> clients = new ArrayList<>();
        // balance source hashes these eight addresses onto both instances (deterministic for a fixed pool)
        assertThat(audits).allSatisfy(a -> assertThat(a.all(RecordingAuditSink.type("transfer"))).isNotEmpty());
        for (RecordingAuditSink a : audits) {
            a.all(RecordingAuditSink.type("transfer")).forEach(t -> clients.add(((String) t.get("client"))
                    .replaceAll(":\\d+$", "")));
            assertThat(a.all(RecordingAuditSink.type("session-open")))
                    .allSatisfy(o -> assertThat((String) o.get("via")).startsWith(BALANCER + ":"));
        }
        assertThat(clients).hasSize(2 * CLIENTS).allMatch(c -> c.startsWith("127.0.0.2"));
        assertThat(clients.stream().distinct()).hasSize(CLIENTS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(FRONT))) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(InetSocketAddress a) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(a, 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("HAProxy did not listen on " + a);
    }
}
