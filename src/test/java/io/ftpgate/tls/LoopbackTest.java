package io.ftpgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same over real loopback sockets: a control connection and then data connections, one after the other,
 * each carrying bytes both ways and closed by the client as ftpgate closes a finished upload.
 */
class LoopbackTest {

    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path dir;

    private EventLoopGroup group;
    private Channel listener;
    private final BlockingQueue<SslHandler> accepted = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The first accepted connection's handler: the control connection's, whose context data connections use. */
    private volatile SslHandler firstAccepted;

    /** A TLS echo server: every accepted connection's SslHandler goes to {@link #accepted}. */
    private int listen(ServerTls tls) {
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler h = firstAccepted == null ? tls.newHandler(ch.alloc())
                                : tls.newDataHandler(ch.alloc(), firstAccepted);
                        firstAccepted = firstAccepted == null ? h : firstAccepted;
                        accepted.add(h);
                        ch.pipeline().addLast(h).addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.writeAndFlush(msg);
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof SslCloseCompletionEvent) {
                                    ctx.close(); // the client's close_notify: answer it and close, as FTP servers do
                                }
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Connects with {@code tls}, sends {@code text}, waits for its echo, closes; returns what came back. */
    private String exchange(SslHandler tls, int port, String text) throws Exception {
        BlockingQueue<String> echoed = new LinkedBlockingQueue<>();
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast(tls).addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        echoed.add(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
                        ((ByteBuf) msg).release();
                    }
                });
            }
        }).connect("127.0.0.1", port).syncUninterruptibly().channel();
        assertThat(tls.handshakeFuture().await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(tls.handshakeFuture().isSuccess()).as("%s", tls.handshakeFuture().cause()).isTrue();
        ch.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        String back = echoed.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        ch.close().syncUninterruptibly();
        return back;
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void dataConnectionsOverLoopbackResumeTheControlSession(String protocol) throws Exception {
        TlsSettings settings = TestCerts.only(protocol);
        SelfSigned.Written cert = TestCerts.localhost(dir);
        ServerTls server = TestCerts.server(cert, settings);
        int port = listen(server);
        SessionTls session = ClientTls.create(Trust.caFile(cert.certPem()), null, null, settings).forSession();

        SslHandler clientControl = session.control(ByteBufAllocator.DEFAULT, "localhost", port);
        assertThat(exchange(clientControl, port, "AUTH TLS")).isEqualTo("AUTH TLS");
        SslHandler control = accepted.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(TlsFacts.of(control).protocol()).isEqualTo(protocol);

        List<String> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SslHandler clientData = session.data(ByteBufAllocator.DEFAULT, "localhost", port);
            String echo = exchange(clientData, port, "data " + i);
            SslHandler data = accepted.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            results.add(echo + " " + TlsFacts.of(clientData).resumed() + " " + server.resumedFrom(data, control));
        }
        assertThat(results).containsExactly("data 0 true true", "data 1 true true", "data 2 true true");
    }
}
