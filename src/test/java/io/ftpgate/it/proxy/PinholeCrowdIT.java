package io.ftpgate.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.ProxyFront;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.net.PortRange;
import io.ftpgate.proxy.ProxyVersion;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/**
 * Pinholes keyed by (peer address, port): a passive range of two ports carries thirty clients from thirty addresses
 * transferring at once (directly, and through a balancer that forwards the range with PROXY headers, where every
 * connection arrives from the balancer and only the header tells the pinholes apart); a third pending transfer
 * from one address, with both ports already waiting for that address, is refused as {@code pinhole-exhausted}.
 */
class PinholeCrowdIT extends ProxyITBase {

    /** Ports in the range and clients in the crowd: small here; raised for the figures in docs/scaling.md. */
    static final int PORTS = Integer.getInteger("ftpgate.crowd.ports", 2);
    /**
     * Each test's range: above the kernel's ephemeral range (32768-60999 on Linux) and the ranges of the other
     * tests, and one of its own per test (a previous test's gateway may still be closing its pinhole ports):
     * with two ports, one taken elsewhere leaves the crowd a single port.
     */
    static final int DIRECT = 65420;
    static final int BALANCED = DIRECT + PORTS;
    static final int THIRD = BALANCED + PORTS;
    static final int ONE_PORT = THIRD + PORTS;
    static final int CLIENTS = Integer.getInteger("ftpgate.crowd.clients", 30);
    static final int FILE_BYTES = Integer.getInteger("ftpgate.crowd.bytes", 1 << 20);

    private InetSocketAddress start(boolean balanced, int low) throws Exception {
        int high = low + PORTS - 1;
        fixture();
        InetSocketAddress gw = fx.start(ListenerConfig.builder("crowd").clientDataPorts(new PortRange(low, high))
                .proxy(balanced ? ProxyFixture.proxy(ProxyVersion.V2, ProxyVersion.V2) : null));
        if (!balanced) {
            return gw;
        }
        ProxyFront front = fx.front(HAProxyProtocolVersion.V2);
        front.forwardRange(ProxyFixture.FRONT, low, high, "127.0.0.1");
        return new InetSocketAddress(ProxyFixture.FRONT, front.forward(ProxyFixture.FRONT, 0, gw));
    }

    @Test
    void aCrowdSharesTheRangeDirectly() throws Exception {
        crowd(start(false, DIRECT), "direct");
    }

    @Test
    void aCrowdSharesTheRangeThroughTheBalancer() throws Exception {
        crowd(start(true, BALANCED), "through the balancer");
    }

    /** Each client uploads, then downloads, its own file, all at once; every byte is checked. */
    private void crowd(InetSocketAddress control, String how) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        CyclicBarrier together = new CyclicBarrier(CLIENTS);
        long started = System.nanoTime();
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                String from = "127.0." + (i / 200) + "." + (2 + i % 200);
                // Every other file small: its last bytes and FIN reach ftpgate with the header, while the
                // connection may be moving to its session's event loop.
                byte[] data = Bytes.random(100 + i, i % 2 == 0 ? FILE_BYTES + i : 1000 + i);
                results.add(pool.submit(() -> {
                    FTPClient c = DataProxyIT.client(from, control.getAddress(), control.getPort());
                    together.await(10, TimeUnit.SECONDS);
                    String name = "f-" + from + ".bin";
                    assertThat(c.storeFile(name, new ByteArrayInputStream(data))).as(c.getReplyString()).isTrue();
                    ByteArrayOutputStream down = new ByteArrayOutputStream();
                    assertThat(c.retrieveFile(name, down)).as(c.getReplyString()).isTrue();
                    c.logout();
                    c.disconnect();
                    assertThat(Bytes.sha256(Files.readAllBytes(root.resolve(name)))).isEqualTo(Bytes.sha256(data));
                    return Bytes.sha256(down.toByteArray()) + " " + Bytes.sha256(data);
                }));
            }
            for (Future<String> r : results) {
                String[] pair = r.get(60, TimeUnit.SECONDS).split(" ");
                assertThat(pair[0]).isEqualTo(pair[1]);
            }
        } finally {
            pool.shutdownNow();
        }
        // A figure for docs/scaling.md, not an assertion (speed belongs in the benchmarks).
        System.out.printf("crowd %s: %d clients, %d ports, %d transfers of %d bytes, %d ms%n", how, CLIENTS, PORTS,
                2 * CLIENTS, FILE_BYTES, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        assertThat(audit.all(RecordingAuditSink.type("transfer"))).hasSize(2 * CLIENTS)
                .allSatisfy(t -> assertThat(t.get("outcome")).isEqualTo("ok"));
        assertThat(audit.all(RecordingAuditSink.type("refused"))).isEmpty();
    }

    @Test
    void aThirdPendingTransferFromOneAddressIsRefusedAnotherAddressStillGetsAPort() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PORTS == 2, "the two-port range of the default run");
        InetSocketAddress gw = start(false, THIRD);
        try (RawFtp a = RawFtp.openFrom(gw, "127.0.0.2"); RawFtp b = RawFtp.openFrom(gw, "127.0.0.2");
                RawFtp c = RawFtp.openFrom(gw, "127.0.0.2"); RawFtp d = RawFtp.openFrom(gw, "127.0.0.3")) {
            for (RawFtp s : List.of(a, b, c, d)) {
                s.login("anonymous", "crowd@example.org");
            }
            int first = RawFtp.epsvPort(a.cmd("EPSV"));
            int second = RawFtp.epsvPort(b.cmd("EPSV"));
            assertThat(List.of(first, second)).containsExactlyInAnyOrder(THIRD, THIRD + 1);
            RawFtp.Reply third = c.cmd("EPSV");
            assertThat(third.code()).isEqualTo(425);
            AuditEvent r = audit.awaitRefused("pinhole-exhausted");
            assertThat((String) r.get("client")).startsWith("127.0.0.2:");
            assertThat(RawFtp.epsvPort(d.cmd("EPSV"))).isBetween(THIRD, THIRD + PORTS - 1);
        }
    }

    @Test
    void anUploadThatEndsAsSoonAsItConnectsIsStoredWholeOnASharedPort() throws Exception {
        // Two sessions on one port: the second's connection is accepted on the port's event loop (the first
        // session's) and registered on its own, with its data and FIN already there.
        fixture();
        InetSocketAddress gw = fx.start(ListenerConfig.builder("crowd").clientDataPorts(new PortRange(ONE_PORT, ONE_PORT)));
        try (RawFtp a = RawFtp.openFrom(gw, "127.0.0.2"); RawFtp b = RawFtp.openFrom(gw, "127.0.0.3")) {
            a.login("writer", "s3cret-writer-pw");
            b.login("writer", "s3cret-writer-pw");
            assertThat(b.cmd("TYPE I").code()).isEqualTo(200);
            assertThat(RawFtp.epsvPort(a.cmd("EPSV"))).isEqualTo(ONE_PORT);
            assertThat(RawFtp.epsvPort(b.cmd("EPSV"))).isEqualTo(ONE_PORT);
            byte[] body = Bytes.random(7, 1000);
            try (Socket data = RawFtp.dataConnect("127.0.0.1", ONE_PORT, "127.0.0.3")) {
                data.getOutputStream().write(body);
                data.shutdownOutput();
                assertThat(b.cmd("STOR quick.bin").code()).isEqualTo(150);
                assertThat(b.read().code()).isEqualTo(226);
            }
            byte[] stored = Files.readAllBytes(root.resolve("quick.bin"));
            assertThat(stored.length).isEqualTo(body.length);
            assertThat(Bytes.sha256(stored)).isEqualTo(Bytes.sha256(body));
        }
    }
}
