package io.ftpgate.data;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Netty transport in use: Linux native epoll where available (fewer copies and syscalls on the relay
 * path), NIO everywhere else. Chosen once at start and logged, so a benchmark states which one ran.
 */
public final class Transport {

    /** SO_OOBINLINE (Linux asm-generic/socket.h: SOL_SOCKET = 1, SO_OOBINLINE = 10). */
    private static final IntegerUnixChannelOption SO_OOBINLINE = new IntegerUnixChannelOption("SO_OOBINLINE", 1, 10);

    /** Capability numbers (linux/capability.h). */
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_NET_RAW = 13;

    private final String name;
    private final IoHandlerFactory ioHandlerFactory;
    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends Channel> socketChannel;

    private Transport(String name, IoHandlerFactory factory, Class<? extends ServerChannel> serverChannel,
            Class<? extends Channel> socketChannel) {
        this.name = name;
        this.ioHandlerFactory = factory;
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
    }

    /**
     * Picks epoll when the native library loads, unless {@code preferNio} (or the system property
     * {@code ftpgate.transport=nio}) asks for NIO.
     */
    public static Transport detect(boolean preferNio) {
        boolean nio = preferNio || "nio".equalsIgnoreCase(System.getProperty("ftpgate.transport"));
        if (!nio && Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollSocketChannel.class);
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    /** A new event-loop group of {@code threads} threads (0 = Netty's default, two per core). */
    public EventLoopGroup newGroup(int threads, String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix, true),
                ioHandlerFactory);
    }

    /** Server (listening) channel class matching the group. */
    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    /** Client (connecting) channel class matching the group. */
    public Class<? extends Channel> socketChannel() {
        return socketChannel;
    }

    /**
     * Applies control-connection socket options: SO_OOBINLINE where the transport can set it. BSD-derived
     * clients send ABOR as Telnet "IAC IP IAC" in TCP urgent data followed by "DM ABOR" (RFC 959 §4.1.3);
     * without OOB-inline Linux removes the urgent byte from the stream and the ABOR line arrives corrupted.
     * With it, the whole sequence stays in band and the line decoder strips the Telnet commands.
     */
    public void applyControlOptions(ServerBootstrap bootstrap) {
        if ("epoll".equals(name)) {
            bootstrap.childOption(SO_OOBINLINE, 1);
        }
    }

    /**
     * Applies the options of every connection the gateway opens (to a server's control port, or a data leg).
     * With epoll, IP_BIND_ADDRESS_NO_PORT: the gateway binds each data leg it opens to its own address on that
     * side (the server-side address toward a server, the client-side one for an active-mode client leg), and a
     * plain bind(addr, 0) would pick the local port at bind time, from the bind hash alone, without knowing the
     * destination; under load (data connections leave TIME_WAITs behind) that search is slow and needlessly
     * exhausts ports. With the option the port is chosen at connect time from the full four-tuple, as for an
     * unbound socket (Linux 4.2+, ip(7)). An unbound connection (the control connection) is unaffected.
     */
    public <B extends Bootstrap> B applyConnectOptions(B bootstrap) {
        if ("epoll".equals(name)) {
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        return bootstrap;
    }

    /**
     * True when sockets can take IP_TRANSPARENT (ip(7)): only the epoll transport exposes it, and only on
     * Linux. Transparent placement needs it on its listeners, its pinholes and its outgoing connections.
     */
    public boolean supportsTransparent() {
        return "epoll".equals(name);
    }

    /**
     * Sets IP_TRANSPARENT on the sockets {@code bootstrap} makes when {@code on}: a listener then accepts
     * connections the router diverted to it with TPROXY (their local address is the original destination), a
     * pinhole may bind to the server's address, and an outgoing connection may bind to the client's. The kernel
     * refuses the option without CAP_NET_ADMIN; Netty only logs that, so callers that must know check
     * {@link #isTransparent} on the channel.
     */
    public <B extends AbstractBootstrap<B, ?>> B applyTransparent(B bootstrap, boolean on) {
        if (on && supportsTransparent()) {
            bootstrap.option(EpollChannelOption.IP_TRANSPARENT, true);
        }
        return bootstrap;
    }

    /**
     * True when this process may set IP_TRANSPARENT: the kernel wants CAP_NET_ADMIN or CAP_NET_RAW in the
     * effective set (ip(7); net/ipv4/ip_sockglue.c), read from {@code /proc/self/status} so that a missing
     * capability is one clear line at start rather than a failed bind with Netty's stack trace. True when the
     * file cannot be read: the bind then reports whatever the kernel says.
     */
    public static boolean mayUseTransparent() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long eff = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                    return (eff & (1L << CAP_NET_ADMIN | 1L << CAP_NET_RAW)) != 0;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // Not Linux, or an unexpected format: let the bind decide.
        }
        return true;
    }

    /** True when {@code channel}'s socket has IP_TRANSPARENT set. */
    public static boolean isTransparent(Channel channel) {
        return Boolean.TRUE.equals(channel.config().getOption(EpollChannelOption.IP_TRANSPARENT));
    }

    /** "epoll" or "nio". */
    public String name() {
        return name;
    }
}
