package io.ftpgate.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditTrail;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerProxy;
import io.ftpgate.control.Gateway;
import io.ftpgate.data.RelayDataPath;
import io.ftpgate.event.EventBus;
import io.ftpgate.it.ProxyFront;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.net.Cidr;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.proxy.ProxyVersion;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * PROXY protocol out ({@code server-proxy-protocol}): ftpgate's control connection to the server starts with a
 * header naming the real client, read here by a server built on Netty's {@link HAProxyMessageDecoder} that then
 * speaks just enough FTP (a greeting, QUIT). The client connects directly, or through a balancer that itself
 * sends ftpgate a header: the server sees the same client either way.
 */
class ProxyOutIT {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<String> headers = new LinkedBlockingQueue<>();
    private Gateway gateway;
    private ProxyFront front;

    @AfterEach
    void stop() {
        if (front != null) {
            front.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The PROXY-aware server: records "version source:port -> destination" of each header, greets, ends. */
    private int server() {
        Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new HAProxyMessageDecoder(), new SimpleChannelInboundHandler<Object>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof HAProxyMessage m) {
                                    headers.add(m.protocolVersion() + " " + m.sourceAddress() + ":" + m.sourcePort()
                                            + " -> " + m.destinationAddress());
                                    ctx.writeAndFlush(ascii("220 PROXY-aware server ready.\r\n"));
                                } else if (((ByteBuf) msg).toString(StandardCharsets.US_ASCII).startsWith("QUIT")) {
                                    ctx.writeAndFlush(ascii("221 Bye.\r\n")).addListener(f -> ctx.close());
                                }
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private InetSocketAddress start(ProxyVersion out, ProxyVersion in) throws Exception {
        ListenerConfig l = ListenerConfig.builder("out").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort("127.0.0.1", server()))
                .proxy(new ListenerProxy(in, List.of(Cidr.parse(ProxyFixture.BALANCER + "/32")), ProxyVersion.OFF,
                        out)).build();
        gateway = Gateway.start(new GatewayConfig(List.of(l), null, null),
                EventBus.of(new AuditTrail(new RecordingAuditSink())), RelayDataPath::new);
        return gateway.boundAddresses().get(0);
    }

    @ParameterizedTest
    @EnumSource(value = ProxyVersion.class, names = {"V1", "V2"})
    void theServerSeesTheClientNotTheGateway(ProxyVersion out) throws Exception {
        InetSocketAddress gw = start(out, ProxyVersion.OFF);
        try (RawFtp c = RawFtp.connectFrom(gw, "127.0.0.2")) {
            assertThat(c.read().lines()).containsExactly("220 PROXY-aware server ready.");
            String header = headers.poll(10, TimeUnit.SECONDS);
            assertThat(header).isEqualTo(out.name() + " 127.0.0.2:" + c.localPort() + " -> 127.0.0.1");
            assertThat(c.cmd("QUIT").code()).isEqualTo(221);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProxyVersion.class, names = {"V1", "V2"})
    void behindABalancerTheServerSeesTheClientTheBalancerNamed(ProxyVersion out) throws Exception {
        InetSocketAddress gw = start(out, ProxyVersion.ANY);
        front = new ProxyFront(ProxyFixture.BALANCER, HAProxyProtocolVersion.V2);
        int port = front.forward(ProxyFixture.FRONT, 0, gw);
        try (RawFtp c = RawFtp.connectFrom(new InetSocketAddress(ProxyFixture.FRONT, port), "127.0.0.3")) {
            assertThat(c.read().code()).isEqualTo(220);
            assertThat(headers.poll(10, TimeUnit.SECONDS))
                    .isEqualTo(out.name() + " 127.0.0.3:" + c.localPort() + " -> " + ProxyFixture.FRONT);
        }
    }
}
