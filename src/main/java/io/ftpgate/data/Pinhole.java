package io.ftpgate.data;

import io.ftpgate.net.PortRange;
import io.ftpgate.net.Cidr;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A single-use data listener: bound to one gateway address on a random free port of a configured range, it
 * accepts exactly one connection, and only from the expected peer address, then stops listening.
 *
 * <p>This is the gateway's equivalent of OpenBSD ftp-proxy's {@code keep state (max 1)} rule pinned to the
 * peer: a connection from anyone else (a port thief racing the real client) is closed and reported, and the
 * pinhole keeps waiting for the real peer; if that peer does not come within the time to live, the pinhole
 * closes and reports expiry. All methods must be called on the owning event loop.
 */
public final class Pinhole {

    /** Random probes before falling back to a sequential scan of the range. */
    private static final int RANDOM_BIND_ATTEMPTS = 16;

    /** Receives the events a pinhole reports; called on the event loop. */
    public interface Events {
        /** A connection arrived from an address other than the expected peer and was closed. */
        void peerMismatch(InetSocketAddress from);

        /** The expected peer did not connect in time; the pinhole is closed. */
        void expired();
    }

    private final EventLoop loop;
    private final InetAddress expectedPeer;
    private final java.util.function.Predicate<InetAddress> alsoAccepted;
    private final Events events;
    private final Promise<Channel> accepted;
    // Owned by the event loop.
    private Channel listener;
    private ScheduledFuture<?> expiry;
    private boolean closed;

    private Pinhole(EventLoop loop, InetAddress expectedPeer, java.util.function.Predicate<InetAddress> alsoAccepted,
            Events events) {
        this.alsoAccepted = alsoAccepted;
        this.loop = loop;
        this.expectedPeer = Cidr.canonical(expectedPeer);
        this.events = events;
        this.accepted = loop.newPromise();
    }

    /**
     * Opens a pinhole on {@code bindAddress} with a free port from {@code range}.
     *
     * @return a future completing with the open pinhole, or failing with {@link PinholeExhaustedException}
     */
    public static Future<Pinhole> open(EventLoop loop, Transport transport, InetAddress bindAddress,
            PortRange range, InetAddress expectedPeer, Duration ttl, Events events) {
        return open(loop, transport, bindAddress, range, expectedPeer, a -> false, ttl, events);
    }

    /**
     * As {@link #open(EventLoop, Transport, InetAddress, PortRange, InetAddress, Duration, Events)}, but also
     * accepting a peer for which {@code alsoAccepted} holds (a configured FXP exception). Still one connection.
     */
    public static Future<Pinhole> open(EventLoop loop, Transport transport, InetAddress bindAddress,
            PortRange range, InetAddress expectedPeer, java.util.function.Predicate<InetAddress> alsoAccepted,
            Duration ttl, Events events) {
        Pinhole pinhole = new Pinhole(loop, expectedPeer, alsoAccepted, events);
        Promise<Pinhole> opened = loop.newPromise();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop, loop)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 8)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        pinhole.onAccept(ch);
                    }
                });
        int start = ThreadLocalRandom.current().nextInt(range.size());
        pinhole.tryBind(bootstrap, bindAddress, range, start, 0, ttl, opened);
        return opened;
    }

    private void tryBind(ServerBootstrap bootstrap, InetAddress bindAddress, PortRange range, int start,
            int attempt, Duration ttl, Promise<Pinhole> opened) {
        int total = Math.min(range.size(), RANDOM_BIND_ATTEMPTS) + range.size();
        if (attempt >= total) {
            opened.tryFailure(new PinholeExhaustedException("no free port in " + range + " on "
                    + bindAddress.getHostAddress()));
            return;
        }
        // First a few random probes (unpredictable ports, as pyftpdlib and OpenBSD do), then a full sweep
        // so a busy range still finds its last free port.
        int offset = attempt < RANDOM_BIND_ATTEMPTS
                ? ThreadLocalRandom.current().nextInt(range.size())
                : (start + attempt - RANDOM_BIND_ATTEMPTS) % range.size();
        int port = range.low() + offset;
        ChannelFuture bind = bootstrap.bind(new InetSocketAddress(bindAddress, port));
        bind.addListener(f -> {
            if (!f.isSuccess()) {
                tryBind(bootstrap, bindAddress, range, start, attempt + 1, ttl, opened);
                return;
            }
            listener = bind.channel();
            expiry = loop.schedule(this::expire, ttl.toMillis(), TimeUnit.MILLISECONDS);
            opened.setSuccess(this);
        });
    }

    private void onAccept(Channel ch) {
        InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
        if (closed || accepted.isDone()) {
            ch.close();
            return;
        }
        if (remote == null || !(Cidr.canonical(remote.getAddress()).equals(expectedPeer)
                || alsoAccepted.test(Cidr.canonical(remote.getAddress())))) {
            // Recorded before the close, so the record exists by the time the impostor sees its EOF.
            events.peerMismatch(remote);
            ch.close();
            return;
        }
        // Single use: stop listening before anything else can arrive.
        closeListener();
        DataLegs.apply(ch);
        EarlyDataBuffer.install(ch);
        accepted.setSuccess(ch);
    }

    private void expire() {
        if (accepted.isDone() || closed) {
            return;
        }
        // Reported before closing: whoever waits on accepted() then finds the expiry already recorded.
        events.expired();
        close();
    }

    /** The port this pinhole listens on. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The full local address this pinhole listens on. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Completes with the one accepted connection (auto-read off), or fails when the pinhole closes unused. */
    public Future<Channel> accepted() {
        return accepted;
    }

    /**
     * Closes the listener and the accepted connection, if any (a relay that took it over closes it anyway, so
     * closing it here is harmless and guarantees nothing outlives the transfer). Idempotent.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeListener();
        if (!accepted.tryFailure(new PinholeClosedException()) && accepted.isSuccess()) {
            accepted.getNow().close();
            EarlyDataBuffer.discard(accepted.getNow());
        }
    }

    private void closeListener() {
        if (expiry != null) {
            expiry.cancel(false);
        }
        if (listener != null) {
            listener.close();
        }
    }

    /** True once closed (used, expired or cancelled). */
    public boolean isClosed() {
        return closed;
    }

    /** The pinhole closed before its peer connected. */
    public static final class PinholeClosedException extends Exception {
        PinholeClosedException() {
            super("pinhole closed before the peer connected", null, false, false);
        }
    }

    /** No port of the range could be bound. */
    public static final class PinholeExhaustedException extends Exception {
        PinholeExhaustedException(String message) {
            super(message, null, false, false);
        }
    }
}
