package io.ftpgate.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay on real loopback sockets: a "client" and a "server" are plain sockets; the gateway's two legs
 * are Netty channels on one event loop, as in production.
 */
class DataRelayTest {

    private static EventLoopGroup group;
    private static Transport transport;

    @BeforeAll
    static void start() {
        transport = Transport.detect(false);
        group = transport.newGroup(1, "relay-test");
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Opens a Netty leg to a plain ServerSocket and returns both ends. */
    private static Object[] leg(EventLoop loop) throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Channel ch = new Bootstrap().group(loop).channel(transport.socketChannel())
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(new EarlyDataBuffer());
                        }
                    })
                    .connect(new InetSocketAddress(ss.getInetAddress(), ss.getLocalPort())).sync().channel();
            return new Object[] {ch, ss.accept()};
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static byte[] readAll(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    @Test
    void relaysEveryByteAndThenEof() throws Exception {
        EventLoop loop = group.next();
        Object[] c = leg(loop);
        Object[] s = leg(loop);
        Socket client = (Socket) c[1];
        Socket server = (Socket) s[1];
        byte[] payload = new byte[8 * 1024 * 1024 + 17];
        new Random(42).nextBytes(payload);
        DataRelay relay = new DataRelay((Channel) c[0], (Channel) s[0]);
        var done = loop.submit(() -> relay.commit(null)).get();
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try {
                return readAll(client.getInputStream());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (OutputStream out = server.getOutputStream()) {
            out.write(payload);
        }
        server.close();
        assertThat(sha256(received.get(30, TimeUnit.SECONDS))).isEqualTo(sha256(payload));
        FlowResult r = done.get(10, TimeUnit.SECONDS);
        assertThat(r.serverToClientBytes()).isEqualTo(payload.length);
        assertThat(r.clientToServerBytes()).isZero();
        assertThat(r.clean()).isTrue();
        client.close();
    }

    @Test
    void dataSentAndClosedBeforeTheRelayStartsIsNotLost() throws Exception {
        EventLoop loop = group.next();
        Object[] c = leg(loop);
        Object[] s = leg(loop);
        Socket client = (Socket) c[1];
        Socket server = (Socket) s[1];
        byte[] payload = "a small file that fits in one segment\n".getBytes();
        try (OutputStream out = server.getOutputStream()) {
            out.write(payload);
        }
        server.close();
        // Wait until the gateway's server leg has seen the close: the bytes must be held, not dropped.
        ((Channel) s[0]).closeFuture().await(5, TimeUnit.SECONDS);
        DataRelay relay = new DataRelay((Channel) c[0], (Channel) s[0]);
        var done = loop.submit(() -> relay.commit(null)).get();
        client.setSoTimeout(5000);
        assertThat(readAll(client.getInputStream())).isEqualTo(payload);
        assertThat(done.get(5, TimeUnit.SECONDS).serverToClientBytes()).isEqualTo(payload.length);
        client.close();
    }

    /**
     * PROT P: a TLS peer that ends its data with close_notify and waits for the gateway's before closing
     * (vsftpd after an empty download) sends it before the relay starts, while the other leg's handshake is
     * still running. The relay must take it as the EOF it stands for; before, it was dropped with the early-data
     * handler and both peers waited for each other.
     */
    @Test
    void aCloseNotifyBeforeTheRelayStartsEndsTheData() throws Exception {
        EventLoop loop = group.next();
        Object[][] legs = {leg(loop), leg(loop)};
        Channel serverLeg = (Channel) legs[1][0];
        // What the leg's SslHandler fires on close_notify; the server keeps its socket open.
        loop.submit(() -> serverLeg.pipeline().fireUserEventTriggered(SslCloseCompletionEvent.SUCCESS)).get();
        var done = loop.submit(() -> new DataRelay((Channel) legs[0][0], serverLeg).commit(null)).get();
        // The client sees the end of the data, and the server the gateway's answer (here: the close).
        for (Object[] l : legs) {
            try (Socket peer = (Socket) l[1]) {
                peer.setSoTimeout(10_000);
                assertThat(peer.getInputStream().read()).isEqualTo(-1);
            }
        }
        assertThat(done.get(10, TimeUnit.SECONDS).clean()).isTrue();
    }

    @Test
    void abortClosesBothLegsAndReportsNotClean() throws Exception {
        EventLoop loop = group.next();
        Object[] c = leg(loop);
        Object[] s = leg(loop);
        DataRelay relay = new DataRelay((Channel) c[0], (Channel) s[0]);
        var done = loop.submit(() -> relay.commit(null)).get();
        loop.submit(() -> relay.abort("client-abort")).get();
        FlowResult r = done.get(5, TimeUnit.SECONDS);
        assertThat(r.clean()).isFalse();
        assertThat(r.failure()).isEqualTo("client-abort");
        ((Socket) c[1]).setSoTimeout(5000);
        assertThat(((Socket) c[1]).getInputStream().read()).isEqualTo(-1);
        ((Socket) c[1]).close();
        ((Socket) s[1]).close();
    }
}
