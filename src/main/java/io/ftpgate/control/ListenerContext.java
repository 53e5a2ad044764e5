package io.ftpgate.control;

import io.ftpgate.audit.AuditSink;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.Timeouts;
import io.ftpgate.data.DataLegs;
import io.ftpgate.data.EarlyDataBuffer;
import io.ftpgate.data.Transport;
import io.ftpgate.nat.AdvertisedAddress;
import io.ftpgate.policy.AddressPolicy;
import io.ftpgate.policy.Admission;
import io.ftpgate.policy.GatewayPolicy;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Everything the sessions of one listener share: its configuration and policy, the transport, the audit sink
 * and the resolver pool. Immutable after construction, so safe to read from every event loop.
 */
final class ListenerContext {

    /**
     * Test seam: sees the target of every data-leg connect before it is attempted. The fuzzing oracle uses it
     * to prove that no input makes the gateway connect anywhere but the two control peers. Null in production.
     */
    static volatile java.util.function.Consumer<InetSocketAddress> dataConnectObserver;

    final ListenerConfig config;
    final InetSocketAddress upstream;
    final AdvertisedAddress advertised;
    final AddressPolicy addressPolicy;
    final GatewayPolicy gatewayPolicy;
    final Admission admission;
    final Timeouts timeouts;
    final Transport transport;
    final AuditSink audit;
    final ExecutorService resolver;
    /** Set once the gateway is shutting down, so sessions it ends say so in their audit record. */
    final AtomicBoolean stopping;

    ListenerContext(ListenerConfig config, InetSocketAddress upstream, InetAddress publicAddress,
            AddressPolicy addressPolicy, GatewayPolicy gatewayPolicy, Admission admission, Timeouts timeouts,
            Transport transport, AuditSink audit, ExecutorService resolver, AtomicBoolean stopping) {
        this.gatewayPolicy = gatewayPolicy;
        this.admission = admission;
        this.config = config;
        this.upstream = upstream;
        this.advertised = new AdvertisedAddress(publicAddress);
        this.addressPolicy = addressPolicy;
        this.timeouts = timeouts;
        this.transport = transport;
        this.audit = audit;
        this.resolver = resolver;
        this.stopping = stopping;
    }

    /** A connect bootstrap on {@code loop} with the connect timeout applied. */
    Bootstrap bootstrap(EventLoop loop, ChannelHandler handler, boolean autoRead) {
        return transport.applyConnectOptions(new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeouts.connect().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, autoRead)
                .handler(handler));
    }

    /**
     * Opens a data leg to {@code remote} from {@code localAddress} (port chosen by the kernel), auto-read off:
     * the relay decides when to read. Data-leg socket and buffer options: {@link DataLegs}.
     */
    Future<Channel> connectDataLeg(EventLoop loop, InetSocketAddress remote, InetAddress localAddress) {
        java.util.function.Consumer<InetSocketAddress> observer = dataConnectObserver;
        if (observer != null) {
            observer.accept(remote);
        }
        Promise<Channel> p = loop.newPromise();
        Bootstrap b = DataLegs.apply(bootstrap(loop, new EarlyDataBuffer(), false));
        b.connect(remote, new InetSocketAddress(localAddress, 0)).addListener(f -> {
            if (f.isSuccess()) {
                Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
                p.setSuccess(ch);
            } else {
                p.setFailure(f.cause());
            }
        });
        return p;
    }

    /** Applies the data-leg options ({@link DataLegs}) to a leg accepted by a pinhole. */
    static void tuneAcceptedLeg(Channel ch) {
        DataLegs.apply(ch);
    }
}
