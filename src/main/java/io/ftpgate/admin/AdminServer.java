package io.ftpgate.admin;

import io.ftpgate.event.EventBus;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.SocketAddresses;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: Prometheus {@code /metrics}, the live view at {@code /} and its JSON API, served by
 * Netty's HTTP codec on one thread of its own (the FTP event loops never wait for a browser). It subscribes to
 * the gateway's {@link EventBus} before the gateway starts, so it sees every session from the first.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** Largest request accepted: the API takes no bodies beyond the login form's token. */
    static final int MAX_REQUEST_BYTES = 16 * 1024;
    /** Connections at once: a few browsers, Prometheus and {@code ftpgate status}; more is an attack. */
    static final int MAX_CONNECTIONS = 64;
    /** An idle keep-alive connection is closed after this long (event streams are exempt: heartbeats). */
    static final int IDLE_SECONDS = 60;
    /** Event streams get a comment this often, so a gone peer is noticed and proxies keep them open. */
    static final int HEARTBEAT_SECONDS = 15;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("ftpgate-admin", true), NioIoHandler.newFactory());
    private final ChannelGroup connections = new DefaultChannelGroup("admin", group.next());
    private final EventBus events;
    private final AdminAccess access;
    private final SessionControl sessions;
    private final LiveView live = new LiveView();
    private final GatewayMetrics metrics;
    private final EventStream stream = new EventStream(group.next());
    private final Map<String, AdminHandler.StaticFile> files = Map.of(
            "/", file("index.html", "text/html; charset=utf-8"),
            "/login.html", file("login.html", "text/html; charset=utf-8"),
            "/live.js", file("live.js", "text/javascript; charset=utf-8"),
            "/live.css", file("live.css", "text/css; charset=utf-8"));
    private Channel listener;

    private AdminServer(EventBus events, AdminAccess access, SessionControl sessions, String version) {
        this.events = events;
        this.access = access;
        this.sessions = sessions;
        this.metrics = new GatewayMetrics(live, version);
    }

    /**
     * Subscribes to {@code events} and listens on {@code listen}. {@code tokenFile} (may be null) holds the admin
     * token; without one the caller has made sure the address is loopback ({@code config.AdminConfig}).
     */
    public static AdminServer start(HostAndPort listen, String tokenFile, EventBus events, SessionControl sessions,
            String version) throws AdminStartException {
        AdminAccess access = tokenFile == null ? AdminAccess.open() : AdminAccess.withTokenFile(tokenFile);
        AdminServer s = new AdminServer(events, access, sessions, version);
        // Metrics first: a session-close is counted under its listener before the live view forgets the session.
        Consumer<SessionEvent> all = s.metrics.andThen(s.live).andThen(s.stream);
        events.subscribe(all);
        try {
            s.bind(listen);
        } catch (AdminStartException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /**
     * Why the admin token file could not be used, as {@link #start} would say; null when it can (for
     * {@code check-config}).
     */
    public static String tokenFileProblem(String tokenFile) {
        try {
            AdminAccess.withTokenFile(tokenFile);
            return null;
        } catch (AdminStartException e) {
            return e.getMessage();
        }
    }

    private void bind(HostAndPort listen) throws AdminStartException {
        String host = "localhost".equalsIgnoreCase(listen.host()) ? "127.0.0.1" : listen.host();
        ChannelFuture f = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.size() >= MAX_CONNECTIONS) {
                            ch.close();
                            return;
                        }
                        connections.add(ch);
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
                                new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new AdminHandler(AdminServer.this));
                    }
                })
                .bind(new InetSocketAddress(host, listen.port())).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new AdminStartException("cannot listen on " + listen + " (admin): " + f.cause().getMessage());
        }
        listener = f.channel();
        group.scheduleAtFixedRate(stream::heartbeat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        LOG.info("admin listener on http://{} (metrics at /metrics, live view at /){}", SocketAddresses.hostPort(address()),
                access.tokenRequired() ? "; the admin token is required" : "");
    }

    /** The address actually bound (useful when the port was 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** The metrics, for what is not a session event (configuration reloads). */
    public GatewayMetrics metrics() {
        return metrics;
    }

    LiveView live() {
        return live;
    }

    EventStream stream() {
        return stream;
    }

    AdminAccess access() {
        return access;
    }

    SessionControl sessions() {
        return sessions;
    }

    EventBus events() {
        return events;
    }

    Map<String, AdminHandler.StaticFile> files() {
        return files;
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        stream.close();
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static AdminHandler.StaticFile file(String name, String contentType) {
        try (InputStream in = AdminServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource io/ftpgate/admin/" + name);
            }
            return new AdminHandler.StaticFile(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
