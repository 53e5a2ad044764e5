package io.ftpgate.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The connect options every outgoing connection of the gateway gets, on the transport actually chosen. */
class TransportTest {

    @Test
    void outgoingConnectionsDeferTheirLocalPortToConnectTimeOnEpoll() throws Exception {
        Transport transport = Transport.detect(false);
        assumeTrue("epoll".equals(transport.name()), "epoll not available on this machine");
        EventLoopGroup group = transport.newGroup(1, "transport-test");
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 1, loopback)) {
            Bootstrap b = transport.applyConnectOptions(new Bootstrap().group(group)
                    .channel(transport.socketChannel()).handler(new ChannelInboundHandlerAdapter()));
            Channel ch = b.register().sync().channel();
            try {
                // Bound to an address with port 0, as the gateway binds its data legs: with the option the kernel
                // has not picked a port yet (without it, bind would have taken one already)...
                ch.bind(new InetSocketAddress(loopback, 0)).sync();
                assertThat(((InetSocketAddress) ch.localAddress()).getPort()).isZero();
                assertThat(ch.config().getOption(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT)).isTrue();
                // ...it picks one at connect time, and the leg keeps the address it was bound to (seen from the
                // server: Netty does not re-read the local address of a channel bound before its connect).
                ch.connect(server.getLocalSocketAddress()).sync();
                try (Socket accepted = server.accept()) {
                    assertThat(accepted.getInetAddress()).isEqualTo(loopback);
                    assertThat(accepted.getPort()).isPositive();
                }
            } finally {
                ch.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void nioNeedsNoExtraOption() {
        Transport nio = Transport.detect(true);
        Bootstrap b = nio.applyConnectOptions(new Bootstrap());
        assertThat(nio.name()).isEqualTo("nio");
        assertThat(b.config().options()).doesNotContainKey(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT);
    }
}
