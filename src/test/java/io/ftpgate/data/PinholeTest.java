package io.ftpgate.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.net.PortRange;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pinholes on real loopback sockets: peer binding, single use, expiry, port range; and ports shared by
 * pinholes for different peers (keyed by peer and port), each connection handed to its own pinhole.
 */
class PinholeTest {

    private static final PortRange RANGE = new PortRange(47000, 47099);
    private static EventLoopGroup group;
    private static Transport transport;
    private static RelayDataPath path;

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Pinhole.Events recorder = new Pinhole.Events() {
        @Override
        public void peerMismatch(InetSocketAddress from) {
            events.add("mismatch " + from.getAddress().getHostAddress());
        }

        @Override
        public void expired() {
            events.add("expired");
        }
    };

    @BeforeAll
    static void start() {
        transport = Transport.detect(false);
        group = transport.newGroup(2, "pinhole-test");
        path = new RelayDataPath(transport);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Pinhole open(Duration ttl) throws Exception {
        EventLoop loop = group.next();
        return loop.submit(() -> path.listen(loop, new PinholeSpec(InetAddress.getByName("127.0.0.1"),
                RANGE, InetAddress.getByName("127.0.0.1"), ttl), recorder)).get().get(5, TimeUnit.SECONDS);
    }

    private static boolean closedByPeer(Socket s) throws IOException {
        s.setSoTimeout(5000);
        return s.getInputStream().read() == -1;
    }

    @Test
    void portComesFromTheConfiguredRange() throws Exception {
        Pinhole p = open(Duration.ofSeconds(5));
        assertThat(p.port()).isBetween(RANGE.low(), RANGE.high());
        group.next().submit(p::close).get();
    }

    @Test
    void impostorIsClosedAndRecordedThenTheRealPeerIsAccepted() throws Exception {
        Pinhole p = open(Duration.ofSeconds(5));
        try (Socket impostor = new Socket()) {
            impostor.bind(new InetSocketAddress("127.0.0.2", 0));
            impostor.connect(new InetSocketAddress("127.0.0.1", p.port()));
            assertThat(closedByPeer(impostor)).isTrue();
        }
        assertThat(events).containsExactly("mismatch 127.0.0.2");
        try (Socket real = new Socket("127.0.0.1", p.port())) {
            DataLeg accepted = p.accepted().get(5, TimeUnit.SECONDS);
            assertThat(accepted.remote().getPort()).isEqualTo(real.getLocalPort());
        }
        group.next().submit(p::close).get();
    }

    @Test
    void pinholeIsSingleUse() throws Exception {
        Pinhole p = open(Duration.ofSeconds(5));
        int port = p.port();
        try (Socket first = new Socket("127.0.0.1", port)) {
            p.accepted().get(5, TimeUnit.SECONDS);
            boolean refused;
            try (Socket second = new Socket("127.0.0.1", port)) {
                refused = closedByPeer(second);
            } catch (IOException e) {
                refused = true;
            }
            assertThat(refused).isTrue();
        }
        group.next().submit(p::close).get();
    }

    @Test
    void unusedPinholeExpires() throws Exception {
        Pinhole p = open(Duration.ofMillis(200));
        int port = p.port();
        assertThat(p.accepted().await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(p.accepted().isSuccess()).isFalse();
        assertThat(events).containsExactly("expired");
        boolean refused;
        try (Socket late = new Socket("127.0.0.1", port)) {
            refused = closedByPeer(late);
        } catch (IOException e) {
            refused = true;
        }
        assertThat(refused).isTrue();
    }

    @Test
    void exhaustedRangeFailsCleanly() throws Exception {
        EventLoop loop = group.next();
        PortRange one = new PortRange(47100, 47100);
        try (java.net.ServerSocket busy = new java.net.ServerSocket(47100, 1, InetAddress.getByName("127.0.0.1"))) {
            var f = loop.submit(() -> path.listen(loop, new PinholeSpec(
                    InetAddress.getByName("127.0.0.1"), one, InetAddress.getByName("127.0.0.1"), Duration.ofSeconds(1)),
                    recorder)).get();
            assertThat(f.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(f.cause()).isInstanceOf(Pinhole.PinholeExhaustedException.class);
        }
    }

    private Pinhole openFor(String peer, PortRange range) throws Exception {
        EventLoop loop = group.next();
        return loop.submit(() -> path.listen(loop, new PinholeSpec(InetAddress.getByName("127.0.0.1"), range,
                InetAddress.getByName(peer), Duration.ofSeconds(5)), recorder)).get().get(5, TimeUnit.SECONDS);
    }

    private static Socket connectFrom(String local, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(local, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port));
        return s;
    }

    @Test
    void pinholesForDifferentPeersShareOnePortAndEachGetsItsOwnConnection() throws Exception {
        PortRange one = new PortRange(47110, 47110);
        Pinhole a = openFor("127.0.0.2", one);
        Pinhole b = openFor("127.0.0.3", one);
        assertThat(a.port()).isEqualTo(47110).isEqualTo(b.port());
        try (Socket fromB = connectFrom("127.0.0.3", 47110); Socket fromA = connectFrom("127.0.0.2", 47110)) {
            assertThat(a.accepted().get(5, TimeUnit.SECONDS).remote().getPort()).isEqualTo(fromA.getLocalPort());
            assertThat(b.accepted().get(5, TimeUnit.SECONDS).remote().getPort()).isEqualTo(fromB.getLocalPort());
        }
        assertThat(events).isEmpty();
        group.next().submit(a::close).get();
        group.next().submit(b::close).get();
    }

    @Test
    void aSecondPendingPinholeForTheSamePeerNeedsAnotherPortAndAStrangerIsToldToAll() throws Exception {
        PortRange one = new PortRange(47111, 47111);
        Pinhole a = openFor("127.0.0.2", one);
        Pinhole b = openFor("127.0.0.3", one);
        EventLoop loop = group.next();
        var second = loop.submit(() -> path.listen(loop, new PinholeSpec(InetAddress.getByName("127.0.0.1"), one,
                InetAddress.getByName("127.0.0.2"), Duration.ofSeconds(5)), recorder)).get();
        assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(second.cause()).isInstanceOf(Pinhole.PinholeExhaustedException.class)
                .hasMessageContaining("is free for 127.0.0.2");
        try (Socket stranger = connectFrom("127.0.0.4", 47111)) {
            assertThat(closedByPeer(stranger)).isTrue();
        }
        assertThat(events).containsExactlyInAnyOrder("mismatch 127.0.0.4", "mismatch 127.0.0.4");
        assertThat(a.accepted().isDone()).isFalse();
        group.next().submit(a::close).get();
        group.next().submit(b::close).get();
    }
}
