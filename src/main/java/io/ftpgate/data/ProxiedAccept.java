package io.ftpgate.data;

import io.ftpgate.proxy.ProxyFailure;
import io.ftpgate.proxy.ProxyHeader;
import io.ftpgate.proxy.ProxyHeaderReader;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to a pinhole port that the balancer forwards (data design 2, {@code data-proxy-protocol}): the
 * connection's peer is the balancer, so the pinhole it belongs to is known only from its PROXY header. The
 * connection is read on the port's event loop until the header is complete ({@link ProxyHeaderReader}: trusted
 * balancers only, the header stripped); then it is handed to the pending pinhole of the client the header names,
 * moving to that pinhole's event loop, with whatever followed the header kept for the relay
 * ({@link EarlyDataBuffer}). A header naming a client with no pending pinhole there is reported as a peer
 * mismatch; a refused header as such, to every pinhole pending on the port.
 */
final class ProxiedAccept implements ProxyHeaderReader.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(ProxiedAccept.class);

    private final SharedPorts.Port port;
    private final Channel child;

    private ProxiedAccept(SharedPorts.Port port, Channel child) {
        this.port = port;
        this.child = child;
    }

    /** Registers {@code child} on the port's loop behind a header reader. */
    static void start(SharedPorts.Port port, Channel child) {
        PinholeSpec.Proxy proxy = port.proxy;
        // A peer that sends its last bytes and FIN at once (a small upload) must not have the connection closed
        // under it while it moves to its pinhole's loop (a closed channel cannot be registered again): its EOF
        // is held as a half-closure until the pinhole has it (SocketPinhole#onAccept).
        child.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        child.pipeline().addLast(new ProxyHeaderReader(proxy.version(), proxy.from(), proxy.timeout(),
                new ProxiedAccept(port, child)));
        port.loop.register(child).addListener(f -> {
            if (!f.isSuccess()) {
                child.unsafe().closeForcibly();
            }
        });
    }

    @Override
    public void identified(ChannelHandlerContext ctx, ProxyHeader h) {
        SocketPinhole target = h.local() ? null : port.claim(h.client().getAddress());
        LOG.debug("pinhole port {}: header names {}, pinhole {}", port.number(), h.client(), target == null ? "none"
                : "found");
        if (target == null) {
            InetSocketAddress named = h.client();
            SharedPorts.refuse(port, child, p -> p.events().peerMismatch(named));
            return;
        }
        // Installed now, before the reader hands on what followed the header: those bytes are the file's first.
        DataLegPipeline.install(child, true);
        if (target.loop() == child.eventLoop()) {
            target.onAccept(child);
            return;
        }
        child.deregister().addListener(d -> target.loop().register(child).addListener(r -> {
            if (r.isSuccess()) {
                target.onAccept(child);
            } else {
                LOG.warn("a data connection could not move to its session's event loop: {}", r.cause().toString());
                EarlyDataBuffer.discard(child);
                child.unsafe().closeForcibly();
            }
        }));
    }

    @Override
    public void refused(ChannelHandlerContext ctx, ProxyFailure failure, InetSocketAddress peer, String detail) {
        SharedPorts.refuse(port, child, p -> p.events().proxyRefused(failure, peer, detail));
    }
}
