package io.ftpgate.control;

import io.ftpgate.audit.AuditSink;
import io.ftpgate.audit.AuditTrail;
import io.ftpgate.data.DataPath;
import io.ftpgate.data.RelayDataPath;
import io.ftpgate.data.TranslatingPath;
import io.ftpgate.event.EventBus;
import io.ftpgate.nat.AddressTranslation;
import io.ftpgate.policy.Limits;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.data.Transport;
import io.ftpgate.policy.Admission;
import io.ftpgate.policy.UpstreamHealth;
import io.ftpgate.policy.UpstreamPool;
import io.ftpgate.policy.Placement;
import io.ftpgate.net.Cidr;
import io.ftpgate.protocol.FtpReply;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running ftpgate: all listeners of one {@link GatewayConfig}, their sessions and data pinholes.
 * Start with {@link #start}; {@link #close} stops accepting, ends every session and releases every port.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** Threads resolving forward destinations (name lookups block, so they stay off the event loops). */
    private static final int RESOLVER_THREADS = 4;
    /** Pending control connections the kernel may queue per listener. */
    private static final int LISTEN_BACKLOG = 1024;
    /** The {@code session-close} reason of a session an administrator ended. */
    public static final String ADMIN_ENDED = "admin-ended";

    private final EventLoopGroup group;
    private final ChannelGroup listeners = new DefaultChannelGroup("listeners", GlobalEventExecutor.INSTANCE);
    private final ChannelGroup sessions = new DefaultChannelGroup("sessions", GlobalEventExecutor.INSTANCE);
    private final List<InetSocketAddress> bound = new ArrayList<>();
    private final Transport transport;
    private final AtomicBoolean stopping = new AtomicBoolean();
    // Set once by bindAll; reload swaps the contexts (new sessions see the new policy, running ones keep theirs).
    private final List<AtomicReference<ListenerContext>> contexts = new ArrayList<>();
    private final Set<InetSocketAddress> own = new HashSet<>();
    private final ListenerContext.Shared shared;
    /** Upstream servers' session counts and down marks, shared by the listeners' pools and kept across reloads. */
    private final UpstreamHealth health = new UpstreamHealth(Clock.systemUTC());
    private GatewayConfig current;
    private UnmatchedReport unmatched;

    private Gateway(Transport transport, EventBus events, DataPath dataPath, Limits limits) {
        this.transport = transport;
        this.group = transport.newGroup(0, "ftpgate-io");
        ExecutorService resolver = Executors.newFixedThreadPool(RESOLVER_THREADS,
                new DefaultThreadFactory("ftpgate-dns", true));
        this.shared = new ListenerContext.Shared(transport, dataPath, events,
                new Admission(limits, Clock.systemUTC()), resolver, stopping, new ConcurrentHashMap<>(),
                new AtomicReference<>());
    }

    /**
     * Binds every listener of {@code config}, with the audit log as the one event subscriber; throws
     * {@link GatewayStartException} with a clear message.
     */
    public static Gateway start(GatewayConfig config, AuditSink audit) throws GatewayStartException {
        return start(config, EventBus.of(new AuditTrail(audit)), RelayDataPath::new);
    }

    /**
     * Binds every listener of {@code config}. Session events go to {@code events}; data connections are made
     * and forwarded by the path {@code dataPath} builds for the gateway's transport.
     */
    public static Gateway start(GatewayConfig config, EventBus events, Function<Transport, DataPath> dataPath)
            throws GatewayStartException {
        return start(config, events, dataPath, relay -> null);
    }

    /**
     * Binds every listener of {@code config}, as above; listeners with {@code data-path: kernel} also use the
     * path {@code kernel} builds beside the relay (it is closed with the gateway). {@code kernel} reports a
     * path it cannot build with {@link GatewayStartException}.
     */
    public static Gateway start(GatewayConfig config, EventBus events, Function<Transport, DataPath> dataPath,
            KernelPathFactory kernel) throws GatewayStartException {
        Transport transport = Transport.detect(false);
        DataPath relay = dataPath.apply(transport);
        boolean wanted = !GatewayConfig.kernelDataPorts(config.listeners()).isEmpty();
        Gateway gw = new Gateway(transport, events, relay, config.gatewayPolicy().limits());
        TranslatingPath translating = null;
        try {
            gw.bindAll(config);
            // After binding: an instance started twice by mistake fails on its listen address before it could
            // replace the running one's table (installing replaces a table of the same name).
            if (wanted) {
                translating = kernel.build(relay);
                if (translating == null) {
                    throw new GatewayStartException("data-path kernel: this ftpgate was started without the kernel"
                            + " path");
                }
                gw.shared.kernel().set(translating);
                gw.unmatched = new UnmatchedReport(translating, events, GlobalEventExecutor.INSTANCE);
            }
        } catch (GatewayStartException | RuntimeException e) {
            gw.close();
            throw e;
        }
        LOG.info("ftpgate started ({} transport, {} data path{}) on {}", transport.name(),
                gw.shared.dataPath().name(), translating == null ? "" : ", kernel where it can", gw.bound);
        return gw;
    }

    /** Builds the kernel data path beside the relay ({@code cli} does, with the kernel package). */
    @FunctionalInterface
    public interface KernelPathFactory {
        TranslatingPath build(DataPath relay) throws GatewayStartException;
    }

    private void bindAll(GatewayConfig config) throws GatewayStartException {
        for (ListenerConfig lc : config.listeners()) {
            AtomicReference<ListenerContext> ref = new AtomicReference<>();
            contexts.add(ref);
            boolean transparent = lc.placement() == Placement.TRANSPARENT;
            if (transparent) {
                requireTransparent(lc);
            }
            for (HostAndPort hp : lc.listen()) {
                InetSocketAddress addr = new InetSocketAddress(literal(hp.host(), "listen address of " + lc.name()),
                        hp.port());
                ServerBootstrap b = transport.applyTransparent(new ServerBootstrap(), transparent);
                transport.applyControlOptions(b);
                ChannelFuture f = b
                        .group(group)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, LISTEN_BACKLOG)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(ControlPipelines.client(ref::get, false, sessions))
                        .bind(addr).awaitUninterruptibly();
                if (!f.isSuccess()) {
                    throw new GatewayStartException("cannot listen on " + hp + " (listener " + lc.name() + "): "
                            + f.cause().getMessage());
                }
                listeners.add(f.channel());
                if (transparent && !Transport.isTransparent(f.channel())) {
                    // Netty only logs a refused socket option; without it TPROXY cannot hand connections over.
                    throw new GatewayStartException("cannot listen on " + hp + " (listener " + lc.name() + "):"
                            + " placement transparent needs IP_TRANSPARENT, which needs CAP_NET_ADMIN"
                            + " (or CAP_NET_RAW)");
                }
                InetSocketAddress local = (InetSocketAddress) f.channel().localAddress();
                bound.add(local);
                own.add(local);
            }
        }
        List<ListenerContext> built = buildContexts(config);
        for (int i = 0; i < built.size(); i++) {
            contexts.get(i).set(built.get(i));
        }
        current = config;
    }

    /** A transparent listener needs IP_TRANSPARENT: the epoll transport and CAP_NET_ADMIN; one line if not. */
    private void requireTransparent(ListenerConfig lc) throws GatewayStartException {
        String needs = "listener " + lc.name() + ": placement transparent needs IP_TRANSPARENT, which ";
        if (!transport.supportsTransparent()) {
            throw new GatewayStartException(needs + "only the Linux epoll transport offers (this gateway runs "
                    + transport.name() + ")");
        }
        if (!Transport.mayUseTransparent()) {
            throw new GatewayStartException(needs + "needs CAP_NET_ADMIN (or CAP_NET_RAW); run as root or grant it,"
                    + " e.g. AmbientCapabilities=CAP_NET_ADMIN in the systemd unit");
        }
    }

    /** Builds the runtime context of every listener; nothing is changed when this throws. */
    private List<ListenerContext> buildContexts(GatewayConfig config) throws GatewayStartException {
        List<ListenerContext> out = new ArrayList<>();
        for (ListenerConfig lc : config.listeners()) {
            UpstreamPool upstreams = null;
            if (!lc.upstreams().isEmpty()) {
                List<UpstreamPool.Member> members = new ArrayList<>();
                for (HostAndPort hp : lc.upstreams()) {
                    members.add(new UpstreamPool.Member(hp.toString(), new InetSocketAddress(
                            resolve(hp.host(), "upstream " + hp + " of " + lc.name()), hp.port())));
                }
                upstreams = new UpstreamPool(members, lc.upstreamPolicy(), health);
            }
            InetAddress pub = lc.publicAddress() == null ? null
                    : Cidr.canonical(literal(lc.publicAddress(), "public-address of " + lc.name()));
            out.add(new ListenerContext(lc, upstreams, new AddressTranslation(pub), lc.addressPolicy(own),
                    config.gatewayPolicy(), config.timeouts(), TlsSetup.server(lc), TlsSetup.client(lc), shared));
            LOG.debug("listener {}: {} placement on {}, upstream {}, public address {}, client data ports {}, "
                    + "server data ports {}, upstream mode {}", lc.name(), lc.placement(), lc.listen(),
                    lc.upstream() != null ? lc.upstreams() + " " + lc.upstreamPolicy().text()
                            : lc.placement() == Placement.TRANSPARENT ? "original destination" : "USER user@host",
                    pub == null ? "(control connection's local address)" : pub.getHostAddress(),
                    lc.clientDataPorts(), lc.serverDataPorts(), lc.upstreamMode());
        }
        return out;
    }

    /**
     * Applies a new configuration to new sessions; running sessions keep the policy they started with.
     * The listeners (their names and listen addresses) must be unchanged: rebinding needs a restart. On any
     * error nothing changes and the exception says why.
     */
    public synchronized void reload(GatewayConfig next) throws GatewayStartException {
        List<ListenerConfig> was = current.listeners();
        List<ListenerConfig> now = next.listeners();
        boolean same = was.size() == now.size();
        for (int i = 0; same && i < was.size(); i++) {
            ListenerConfig a = was.get(i);
            ListenerConfig b = now.get(i);
            same = a.name().equals(b.name()) && a.listen().equals(b.listen())
                    // IP_TRANSPARENT is set when the listener is bound.
                    && (a.placement() == Placement.TRANSPARENT) == (b.placement() == Placement.TRANSPARENT);
        }
        List<PortRange> kernelPorts = GatewayConfig.kernelDataPorts(now);
        if (!GatewayConfig.kernelDataPorts(was).equals(kernelPorts)
                || (shared.kernel().get() == null && !kernelPorts.isEmpty())) {
            throw new GatewayStartException("data-path kernel was turned on or off, or a kernel listener's data port"
                    + " ranges changed; restart ftpgate to install its nftables table for them (the running"
                    + " configuration is unchanged)");
        }
        if (!same) {
            throw new GatewayStartException("the listeners, their listen addresses or whether they are transparent"
                    + " changed; restart ftpgate to apply that (the running configuration is unchanged)");
        }
        List<ListenerContext> built = buildContexts(next);
        shared.admission().setLimits(next.gatewayPolicy().limits());
        for (int i = 0; i < built.size(); i++) {
            contexts.get(i).set(built.get(i));
        }
        if (!java.util.Objects.equals(current.auditLog(), next.auditLog())) {
            LOG.warn("audit-log changed to {}; this takes effect after a restart", next.auditLog());
        }
        current = next;
        LOG.info("configuration reloaded: new sessions use the new policy{}",
                next.gatewayPolicy().monitor() ? " (monitor mode: policy is logged, not enforced)" : "");
    }

    private static InetAddress literal(String host, String what) throws GatewayStartException {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
        if (bytes == null) {
            if ("localhost".equalsIgnoreCase(host)) {
                return InetAddress.getLoopbackAddress();
            }
            throw new GatewayStartException(what + " must be an IP address literal, got '" + host + "'");
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new GatewayStartException(what + ": invalid address '" + host + "'");
        }
    }

    private static InetAddress resolve(String host, String what) throws GatewayStartException {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new GatewayStartException(what + ": cannot resolve '" + host + "'");
        }
    }

    /**
     * Loads every listener's TLS certificates, keys and trust files as {@link #start} would, without binding
     * anything: the problems, one line each (empty when all load). For {@code check-config}.
     */
    public static List<String> checkTls(GatewayConfig config) {
        List<String> problems = new ArrayList<>();
        for (ListenerConfig lc : config.listeners()) {
            try {
                TlsSetup.server(lc);
                TlsSetup.client(lc);
            } catch (GatewayStartException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    /**
     * Ends the session {@code id} on behalf of an administrator: the client is told {@code 421}, then both
     * control connections, its pinholes and data legs close, and its {@code session-close} says
     * {@value #ADMIN_ENDED}. False when no such session is running (it may have just ended).
     */
    public boolean endSession(String id) {
        Session s = shared.live().get(id);
        if (s == null) {
            return false;
        }
        s.loop().execute(() -> {
            if (!s.isClosed()) {
                s.reply(FtpReply.of(421, "Session ended by the administrator."));
                s.closeAfterFlush(ADMIN_ENDED);
            }
        });
        return true;
    }

    /** The addresses actually bound, in configuration order (useful when a listen port was 0). */
    public List<InetSocketAddress> boundAddresses() {
        return List.copyOf(bound);
    }

    /** The transport in use ("epoll" or "nio"). */
    public String transportName() {
        return transport.name();
    }

    @Override
    public void close() {
        stopping.set(true);
        listeners.close().awaitUninterruptibly();
        sessions.close().awaitUninterruptibly();
        shared.resolver().shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        if (unmatched != null) {
            unmatched.stop();
        }
        TranslatingPath kernel = shared.kernel().getAndSet(null);
        if (kernel != null) {
            kernel.close();
        }
    }
}
