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
 * The relay path's {@link Pinhole}: a Netty listener bound to one gateway address on a random free port of a
 * configured range. A connection from anyone but the expected peer (a port thief racing the real client) is
 * closed and reported before the thief sees its EOF. All methods must be called on the owning event loop.
 */
final class SocketPinhole implements Pinhole {

    /** Random probes before falling back to a sequential scan of the range. */
    private static final int RANDOM_BIND_ATTEMPTS = 16;

    private final EventLoop loop;
    private final InetAddress expectedPeer;
    private final java.util.function.Predicate<InetAddress> alsoAccepted;
    private final Events events;
    private final Promise<DataLeg> accepted;
    // Owned by the event loop.
    private Channel listener;
    private ScheduledFuture<?> expiry;
    private boolean closed;

    private SocketPinhole(EventLoop loop, InetAddress expectedPeer, java.util.function.Predicate<InetAddress> alsoAccepted,
            Events events) {
        this.alsoAccepted = alsoAccepted;
        this.loop = loop;
        this.expectedPeer = Cidr.canonical(expectedPeer);
        this.events = events;
        this.accepted = loop.newPromise();
    }

    /**
     * Opens a pinhole as {@code spec} says.
     *
     * @return a future completing with the open pinhole, or failing with {@link PinholeExhaustedException}
     */
    static Future<Pinhole> open(EventLoop loop, Transport transport, PinholeSpec spec, Events events) {
        SocketPinhole pinhole = new SocketPinhole(loop, spec.expectedPeer(), spec.alsoAccepted(), events);
        Promise<Pinhole> opened = loop.newPromise();
        ServerBootstrap bootstrap = transport.applyTransparent(new ServerBootstrap(), spec.transparent())
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
        PortRange range = spec.range();
        int start = ThreadLocalRandom.current().nextInt(range.size());
        pinhole.tryBind(bootstrap, spec.bindAddress(), range, start, 0, spec.ttl(), opened);
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
        DataLegPipeline.install(ch, true);
        accepted.setSuccess(new ChannelLeg(ch));
    }

    private void expire() {
        if (accepted.isDone() || closed) {
            return;
        }
        // Reported before closing: whoever waits on accepted() then finds the expiry already recorded.
        events.expired();
        close();
    }

    @Override
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public Future<DataLeg> accepted() {
        return accepted;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeListener();
        if (!accepted.tryFailure(new PinholeClosedException()) && accepted.isSuccess()) {
            accepted.getNow().close();
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

    @Override
    public boolean isClosed() {
        return closed;
    }

}
