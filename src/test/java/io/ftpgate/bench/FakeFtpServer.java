package io.ftpgate.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lightweight FTP server for the load tool: enough of RFC 959 (USER, PASS, NOOP, TYPE, PASV, EPSV, PORT,
 * EPRT, RETR, STOR, QUIT) to hold ten thousand idle sessions and a thousand transfers on two threads, which
 * vsftpd (a process per session) cannot. RETR serves {@link Content} by name; STOR records the sha256 of what
 * arrived, under the file name, before it answers 226.
 */
final class FakeFtpServer implements AutoCloseable {

    final Map<String, String> stored = new ConcurrentHashMap<>();
    final AtomicInteger sessions = new AtomicInteger();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final InetAddress address;
    private Channel listener;

    FakeFtpServer(InetAddress address) {
        this.address = address;
    }

    InetSocketAddress start() {
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 8192)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(4096),
                                new StringDecoder(StandardCharsets.ISO_8859_1), new Control());
                    }
                }).bind(address, 0).syncUninterruptibly().channel();
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static void reply(ChannelHandlerContext ctx, String line) {
        ctx.writeAndFlush(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.ISO_8859_1));
    }

    /** One control connection. */
    private final class Control extends SimpleChannelInboundHandler<String> {
        private Promise<Channel> passive;
        private InetSocketAddress active;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            sessions.incrementAndGet();
            reply(ctx, "220 fake FTP server ready");
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            sessions.decrementAndGet();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            String verb = line.length() >= 4 ? line.substring(0, 4).trim().toUpperCase() : line.toUpperCase();
            String arg = line.length() > 5 ? line.substring(5).trim() : "";
            switch (verb) {
                case "USER" -> reply(ctx, "331 Password required");
                case "PASS" -> reply(ctx, "230 Logged in");
                case "NOOP" -> reply(ctx, "200 NOOP ok");
                case "TYPE" -> reply(ctx, "200 Type set");
                case "SYST" -> reply(ctx, "215 UNIX Type: L8");
                case "FEAT" -> reply(ctx, "211 No features");
                case "QUIT" -> ctx.writeAndFlush(Unpooled.copiedBuffer("221 Bye\r\n", StandardCharsets.ISO_8859_1))
                        .addListener(ChannelFutureListener.CLOSE);
                case "PASV", "EPSV" -> openPassive(ctx, verb.equals("EPSV"));
                case "PORT" -> {
                    String[] p = arg.split(",");
                    active = new InetSocketAddress(p[0] + "." + p[1] + "." + p[2] + "." + p[3],
                            Integer.parseInt(p[4]) * 256 + Integer.parseInt(p[5]));
                    passive = null;
                    reply(ctx, "200 PORT ok");
                }
                case "EPRT" -> {
                    String[] p = arg.split(java.util.regex.Pattern.quote(arg.substring(0, 1)));
                    active = new InetSocketAddress(p[2], Integer.parseInt(p[3]));
                    passive = null;
                    reply(ctx, "200 EPRT ok");
                }
                case "RETR", "STOR" -> transfer(ctx, verb.equals("RETR"), arg);
                default -> reply(ctx, "502 Not implemented");
            }
        }

        private void openPassive(ChannelHandlerContext ctx, boolean epsv) {
            Promise<Channel> accepted = ctx.executor().newPromise();
            passive = accepted;
            active = null;
            Channel[] holder = new Channel[1];
            ChannelFuture bind = new ServerBootstrap().group(ctx.channel().eventLoop())
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            holder[0].close();
                            if (!accepted.trySuccess(ch)) {
                                ch.close();
                            }
                        }
                    }).bind(((InetSocketAddress) ctx.channel().localAddress()).getAddress(), 0);
            bind.addListener(f -> {
                holder[0] = bind.channel();
                int port = ((InetSocketAddress) bind.channel().localAddress()).getPort();
                byte[] a = ((InetSocketAddress) ctx.channel().localAddress()).getAddress().getAddress();
                reply(ctx, epsv ? "229 Entering Extended Passive Mode (|||" + port + "|)"
                        : "227 Entering Passive Mode (" + (a[0] & 255) + "," + (a[1] & 255) + "," + (a[2] & 255)
                                + "," + (a[3] & 255) + "," + (port >> 8) + "," + (port & 255) + ")");
                // Reaped if nobody connects: a pinhole of our own must not leak either.
                ctx.executor().schedule(() -> {
                    bind.channel().close();
                    accepted.tryFailure(new IllegalStateException("no data connection"));
                }, 30, TimeUnit.SECONDS);
            });
        }

        private void transfer(ChannelHandlerContext ctx, boolean retr, String name) {
            Content content = retr ? Content.forName(name) : null;
            if (retr && content == null) {
                reply(ctx, "550 No such file");
                return;
            }
            Promise<Channel> data;
            if (passive != null) {
                data = passive;
            } else if (active != null) {
                data = ctx.executor().newPromise();
                Promise<Channel> d = data;
                new Bootstrap().group(ctx.channel().eventLoop()).channel(NioSocketChannel.class)
                        .option(ChannelOption.AUTO_READ, false)
                        .handler(new ChannelInboundHandlerAdapter())
                        .connect(active).addListener((ChannelFuture f) -> {
                            if (f.isSuccess()) {
                                d.trySuccess(f.channel());
                            } else {
                                d.tryFailure(f.cause());
                            }
                        });
            } else {
                reply(ctx, "425 Use PORT or PASV first");
                return;
            }
            passive = null;
            active = null;
            reply(ctx, "150 Opening BINARY mode data connection for " + name);
            data.addListener(f -> {
                if (!f.isSuccess()) {
                    reply(ctx, "425 Can't open data connection");
                    return;
                }
                Channel ch = (Channel) f.getNow();
                if (retr) {
                    ch.pipeline().addLast(new Sender(content));
                    ch.closeFuture().addListener(c -> reply(ctx, "226 Transfer complete"));
                    ch.pipeline().fireChannelWritabilityChanged();
                } else {
                    ch.pipeline().addLast(new Receiver(ctx, name));
                    ch.config().setAutoRead(true);
                }
            });
        }
    }

    /** Writes a file's content with backpressure, then closes. */
    private static final class Sender extends ChannelInboundHandlerAdapter {
        private final Content content;
        private final byte[] chunk = new byte[65536];

        Sender(Content content) {
            this.content = content;
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            while (ch.isWritable() && content.remaining() > 0) {
                int n = content.next(chunk, chunk.length);
                ch.write(Unpooled.copiedBuffer(chunk, 0, n));
            }
            if (content.remaining() == 0) {
                ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            } else {
                ch.flush();
            }
        }
    }

    /** Reads an upload to EOF, hashing it; records the digest before the 226. */
    private final class Receiver extends ChannelInboundHandlerAdapter {
        private final ChannelHandlerContext control;
        private final String name;
        private final MessageDigest md = Content.digest();

        Receiver(ChannelHandlerContext control, String name) {
            this.control = control;
            this.name = name;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            md.update(b.nioBuffer());
            b.release();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stored.put(name, HexFormat.of().formatHex(md.digest()));
            reply(control, "226 Transfer complete");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
