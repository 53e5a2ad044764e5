package io.ftpgate.data;

import io.ftpgate.net.Cidr;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The relay path's {@link Pinhole}: a place on a listening port of the configured range, on one gateway address,
 * that other pinholes (for other peers) may share ({@link SharedPorts}). A connection from anyone but the expected
 * peer (a port thief racing the real client) is closed and reported before the thief sees its EOF. The
 * pinhole's state is its event loop's; {@link SharedPorts} calls in through {@link #loop()}.
 */
final class SocketPinhole implements Pinhole {

    private final EventLoop loop;
    private final SharedPorts ports;
    private final PinholeSpec spec;
    private final InetAddress expectedPeer;
    private final Events events;
    private final Promise<Pinhole> opened;
    private final Promise<DataLeg> accepted;
    private final int start;
    // The search (SharedPorts.place) runs on the event loop; the port is set under the registry's lock.
    private int attempt = -1;
    private volatile SharedPorts.Port port;
    // Owned by the event loop.
    private ScheduledFuture<?> expiry;
    private boolean closed;

    private SocketPinhole(EventLoop loop, SharedPorts ports, PinholeSpec spec, Events events) {
        this.loop = loop;
        this.ports = ports;
        this.spec = spec;
        this.expectedPeer = Cidr.canonical(spec.expectedPeer());
        this.events = events;
        this.opened = loop.newPromise();
        this.accepted = loop.newPromise();
        this.start = ThreadLocalRandom.current().nextInt(spec.range().size());
    }

    /**
     * Opens a pinhole as {@code spec} says; call on {@code loop}.
     *
     * @return a future completing with the open pinhole, or failing with {@link PinholeExhaustedException}
     */
    static Future<Pinhole> open(EventLoop loop, SharedPorts ports, PinholeSpec spec, Events events) {
        SocketPinhole pinhole = new SocketPinhole(loop, ports, spec, events);
        ports.place(pinhole);
        return pinhole.opened;
    }

    EventLoop loop() {
        return loop;
    }

    PinholeSpec spec() {
        return spec;
    }

    Events events() {
        return events;
    }

    InetAddress expectedPeer() {
        return expectedPeer;
    }

    /** True when FXP exceptions make this pinhole accept others too: it then has its port to itself. */
    boolean exclusive() {
        return spec.alsoAccepted() != null;
    }

    boolean alsoAccepts(InetAddress peer) {
        return spec.alsoAccepted() != null && spec.alsoAccepted().test(peer);
    }

    /** The next probe of the search. */
    int nextAttempt() {
        return ++attempt;
    }

    /** The search probes the same port once more (it was closing). */
    SocketPinhole again() {
        attempt--;
        return this;
    }

    /** Where the sequential sweep of the range starts. */
    int start() {
        return start;
    }

    /** Called under the registry's lock when this pinhole joins {@code p}. */
    void joined(SharedPorts.Port p) {
        port = p;
    }

    /** The port listens (from any thread): the pinhole is open from now on. */
    void armed(SharedPorts.Port p) {
        loop.execute(() -> {
            if (closed) {
                ports.leave(this, p);
                return;
            }
            expiry = loop.schedule(this::expire, spec.ttl().toMillis(), TimeUnit.MILLISECONDS);
            opened.setSuccess(this);
        });
    }

    /** No port of the range is free for this peer. */
    void exhausted(String message) {
        closed = true;
        opened.tryFailure(new PinholeExhaustedException(message));
    }

    /** The expected peer's connection, its leg pipeline installed, now registered on this loop. */
    void onAccept(Channel ch) {
        if (closed || accepted.isDone()) {
            EarlyDataBuffer.discard(ch);
            ch.close();
            return;
        }
        if (expiry != null) {
            expiry.cancel(false);
        }
        if (ch.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)) {
            // Handed over after a PROXY header (ProxiedAccept): a FIN that came meanwhile was held as a
            // half-closure; the leg now ends as any leg whose peer closed before the relay started, with what it
            // sent kept (EarlyDataBuffer).
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
            if (ch instanceof DuplexChannel d && d.isInputShutdown()) {
                ch.close();
            }
        }
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
        return port.number();
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
        if (expiry != null) {
            expiry.cancel(false);
        }
        if (port != null) {
            ports.leave(this, port);
        }
        if (!accepted.tryFailure(new PinholeClosedException()) && accepted.isSuccess()) {
            accepted.getNow().close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }
}
