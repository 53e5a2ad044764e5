package io.ftpgate.control;

import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.Timeouts;
import io.ftpgate.config.DataPathMode;
import io.ftpgate.data.DataPath;
import io.ftpgate.data.TranslatingPath;
import io.ftpgate.data.Transport;
import io.ftpgate.event.EventBus;
import io.ftpgate.nat.AddressTranslation;
import io.ftpgate.policy.AddressPolicy;
import io.ftpgate.policy.Admission;
import io.ftpgate.policy.GatewayPolicy;
import io.ftpgate.policy.UpstreamPool;
import io.ftpgate.tls.ClientTls;
import io.ftpgate.tls.ServerTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything the sessions of one listener share: its configuration and policies, the address translation, and
 * what the whole gateway shares. Immutable, so safe to read from every event loop; a reload builds a new one (running
 * sessions keep theirs).
 *
 * @param config        the listener's configuration
 * @param upstreams     the resolved servers of a reverse listener and how one is chosen; null for forward
 *                      placement
 * @param nat           the listener's address translation (227/229 and PORT/EPRT)
 * @param addressPolicy who may connect, and where a forward session may go
 * @param gatewayPolicy monitor mode, admission limits, command profiles
 * @param timeouts      the timers
 * @param serverTls     ftpgate as TLS server toward clients (client-tls on), else null
 * @param clientTls     ftpgate as TLS client toward the server (server-tls on), else null
 * @param shared        what the whole gateway shares
 */
record ListenerContext(ListenerConfig config, UpstreamPool upstreams, AddressTranslation nat,
        AddressPolicy addressPolicy, GatewayPolicy gatewayPolicy, Timeouts timeouts, ServerTls serverTls,
        ClientTls clientTls, Shared shared) {

    /**
     * The gateway-wide parts every listener shares.
     *
     * @param transport the Netty transport of the event loops
     * @param dataPath  how data connections are made and forwarded
     * @param events    the session-event publisher
     * @param admission session counts and login-failure blocks
     * @param resolver  threads for forward-placement name lookups (they block)
     * @param stopping  set once the gateway shuts down, so sessions it ends say so
     * @param live      the sessions now, by id: what an administrator can end ({@link Gateway#endSession})
     * @param kernel    the kernel data path for listeners with {@code data-path: kernel} once installed (after the
     *                  listeners are bound: a second instance must not replace a running one's table), or null
     */
    record Shared(Transport transport, DataPath dataPath, EventBus events, Admission admission,
            ExecutorService resolver, AtomicBoolean stopping, ConcurrentMap<String, Session> live,
            AtomicReference<TranslatingPath> kernel) {

        /** Without sessions to end from outside (tests of one pipeline). */
        Shared(Transport transport, DataPath dataPath, EventBus events, Admission admission,
                ExecutorService resolver, AtomicBoolean stopping) {
            this(transport, dataPath, events, admission, resolver, stopping, new ConcurrentHashMap<>(),
                    new AtomicReference<>());
        }
    }

    DataPath dataPath() {
        return shared.dataPath();
    }

    /** The translating (kernel) path when this listener uses it ({@code data-path: kernel}), else null. */
    TranslatingPath translatingPath() {
        return config.dataPath() == DataPathMode.KERNEL ? shared.kernel().get() : null;
    }

    EventBus events() {
        return shared.events();
    }

    Admission admission() {
        return shared.admission();
    }

    ExecutorService resolver() {
        return shared.resolver();
    }

    AtomicBoolean stopping() {
        return shared.stopping();
    }

    /**
     * True in transparent placement: every socket of its sessions takes IP_TRANSPARENT, since the addresses
     * they bind (the server's toward the client; the client's toward the server, with source client) are not
     * the gateway's own.
     */
    boolean transparent() {
        return config.placement() == io.ftpgate.policy.Placement.TRANSPARENT;
    }

    /** A connect bootstrap for a control connection on {@code loop}, with the connect timeout applied. */
    Bootstrap bootstrap(EventLoop loop, ChannelHandler handler, boolean autoRead) {
        Transport transport = shared.transport();
        return transport.applyConnectOptions(transport.applyTransparent(new Bootstrap(), transparent())
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeouts.connect().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, autoRead)
                .handler(handler));
    }
}
