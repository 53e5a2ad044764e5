package io.ftpgate.kernel;

import io.ftpgate.data.DataFlow;
import io.ftpgate.data.FlowResult;
import io.ftpgate.data.TranslatedPinhole;
import io.ftpgate.kernel.KernelPinholes.Released;
import io.ftpgate.kernel.NftCounters.Counter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kernel pinhole and the transfer over it. The connection is the kernel's, so its end is read from the
 * table: once the server has given its final reply, the flow polls for the connection's first FIN or RST
 * (every byte before the sender's FIN has passed the gateway), then reads its counters and removes the
 * pinhole. An abort (ABOR, session end, idle) cuts the connection with resets first. All netlink work runs on
 * the path's thread; results reach the session's event loop through promises.
 */
final class KernelFlow implements TranslatedPinhole, DataFlow {

    private static final Logger LOG = LoggerFactory.getLogger(KernelFlow.class);
    /**
     * Per-packet headers a counter counts besides the payload: IPv4 20 + TCP 20 + the timestamp option 12
     * (Linux's default, RFC 7323), IPv6 40 + 20 + 12; and what a SYN or SYN-ACK carries more (MSS 4,
     * SACK-permitted and window scale 4). Measured exact without loss (docs/data-paths.md, "Bytes").
     */
    private static final int HEADERS_V4 = 52;
    private static final int HEADERS_V6 = 72;
    private static final int SYN_OPTIONS = 8;
    /**
     * How long a cut connection's packets are answered with resets: longer than conntrack keeps a reset TCP
     * connection (nf_conntrack_tcp_timeout_close, 10 s), so the translation is gone before they stop; the
     * port stays taken for the peer as long.
     */
    static final Duration CUT_LINGER = Duration.ofSeconds(30);
    /** The first and the longest pause between two looks for the end (doubling in between). */
    private static final long FIRST_POLL_MICROS = 100;
    private static final long LONGEST_POLL_MICROS = 20_000;

    private final KernelDataPath path;
    private final EventLoop loop;
    private final InetAddress peer;
    private final int port;
    private final boolean peerIsClient;
    private final AtomicBoolean released = new AtomicBoolean();
    private final Promise<FlowResult> result;
    private final Promise<Boolean> used;
    private volatile long packetsSeen = -1;
    private volatile long bytesSoFar;

    KernelFlow(KernelDataPath path, EventLoop loop, InetAddress peer, int port, boolean peerIsClient) {
        this.path = path;
        this.loop = loop;
        this.peer = peer;
        this.port = port;
        this.peerIsClient = peerIsClient;
        this.result = loop.newPromise();
        this.used = loop.newPromise();
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public DataFlow flow() {
        return this;
    }

    @Override
    public Future<Boolean> connected() {
        Promise<Boolean> p = loop.newPromise();
        path.run(() -> {
            try {
                p.setSuccess(path.pinholes().progress(peer, port).fromPeer().packets() > 0);
            } catch (NetlinkException e) {
                p.setFailure(e);
            }
        }, () -> p.tryFailure(new NetlinkException(KernelDataPath.CLOSED)));
        return p;
    }

    @Override
    public Future<Boolean> used() {
        return used;
    }

    @Override
    public Future<FlowResult> commit(Duration idle) {
        if (idle != null) {
            path.later(() -> checkIdle(idle), idle.toMillis(), TimeUnit.MILLISECONDS);
        }
        return result;
    }

    /** Aborts a flow on which no packet passed for {@code idle} (the relay's data-idle timeout). */
    private void checkIdle(Duration idle) {
        if (released.get()) {
            return;
        }
        try {
            Released now = path.pinholes().progress(peer, port);
            long packets = now.fromPeer().packets() + now.toPeer().packets();
            bytesSoFar = payload(now.fromPeer()) + payload(now.toPeer());
            if (packets == packetsSeen) {
                cut("no data moved for " + idle.toSeconds() + " s");
                return;
            }
            packetsSeen = packets;
        } catch (NetlinkException e) {
            LOG.debug("kernel pinhole {}:{}: idle check failed: {}", peer.getHostAddress(), port, e.getMessage());
        }
        path.later(() -> checkIdle(idle), idle.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void serverAnswered() {
        // The first look here, on the event loop: the server closed its data connection before its reply, so its
        // FIN has usually passed and the reply can go out at once; the removal follows on the netlink thread.
        try {
            Released now = path.pinholes().progress(peer, port);
            if (now.ended()) {
                // The release is queued first: completing runs the transfer's end at once, whose close of this
                // pinhole must find it released, not cut a connection that ended well.
                path.run(() -> release(null, false), this::closedPath);
                complete(now, null);
                return;
            }
        } catch (NetlinkException e) {
            LOG.debug("kernel pinhole {}:{}: end check failed: {}", peer.getHostAddress(), port, e.getMessage());
        }
        path.later(() -> awaitEnd(FIRST_POLL_MICROS * 2), FIRST_POLL_MICROS, TimeUnit.MICROSECONDS);
    }

    private void awaitEnd(long pauseMicros) {
        if (released.get()) {
            return;
        }
        Released now = null;
        try {
            now = path.pinholes().progress(peer, port);
        } catch (NetlinkException e) {
            LOG.debug("kernel pinhole {}:{}: end check failed: {}", peer.getHostAddress(), port, e.getMessage());
        }
        if (now != null && now.ended()) {
            // The transfer's reply need not wait for the removal: what it reports is known now.
            complete(now, null);
            release(null, false);
        } else {
            // No time limit: the relay also holds the reply until its flow ends. A receiver draining a large
            // tail slowly keeps it waiting; one that stalls is cut by the data-idle check.
            path.later(() -> awaitEnd(Math.min(pauseMicros * 2, LONGEST_POLL_MICROS)), pauseMicros,
                    TimeUnit.MICROSECONDS);
        }
    }

    @Override
    public void abort(String reason) {
        path.run(() -> cut(reason), this::closedPath);
    }

    @Override
    public long bytesSoFar() {
        return bytesSoFar;
    }

    @Override
    public void close() {
        if (!released.get()) {
            path.run(() -> cut("closed"), this::closedPath);
        }
    }

    /** The path closed first (the gateway is stopping; its table goes with it): the flow ends unclean. */
    private void closedPath() {
        if (released.compareAndSet(false, true)) {
            used.trySuccess(false);
            result.trySuccess(new FlowResult(0, 0, false, KernelDataPath.CLOSED));
        }
    }

    /**
     * On the netlink thread: releases the pinhole, then resets its connection if one came. In that order: the
     * release removes the armed element in one step, so no connection can arrive after the decision to cut.
     */
    private void cut(String reason) {
        release(reason, true);
    }

    /**
     * On the netlink thread: reads and removes the pinhole once, and completes the flow; with {@code cut}, a
     * connection that came (the armed element was gone) is reset for {@link #CUT_LINGER} first.
     */
    private void release(String failure, boolean cut) {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        Released r;
        String why = failure;
        boolean removed = true;
        try {
            r = path.pinholes().release(peer, port);
        } catch (NetlinkException e) {
            LOG.warn("kernel pinhole {}:{}: release failed, retried: {}", peer.getHostAddress(), port,
                    e.getMessage());
            r = new Released(false, Counter.NONE, Counter.NONE, false);
            why = why == null ? "kernel: " + e.getMessage() : why;
            removed = false;
        }
        boolean killed = false;
        // A connection that came is reset, even one that sent a FIN already: that FIN may be a half-close of the
        // peer's own side while the other side still sends.
        if (cut && !r.unused()) {
            try {
                path.pinholes().kill(peer, port, CUT_LINGER);
                killed = true;
            } catch (NetlinkException e) {
                LOG.warn("kernel pinhole {}:{}: cannot cut its connection: {}", peer.getHostAddress(), port,
                        e.getMessage());
            }
        }
        if (!removed) {
            path.removeThenGiveBack(peer, port); // the port stays taken until the kernel has nothing left of it
        } else if (killed) {
            path.later(() -> path.giveBack(port, peer), CUT_LINGER.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            path.giveBackCooling(port, peer);
        }
        complete(r, why);
    }

    /** Completes the flow with what {@code r} counted (once: a later call changes nothing). */
    private void complete(Released r, String failure) {
        used.trySuccess(r.fromPeer().packets() > 0);
        long fromPeer = payload(r.fromPeer());
        long toPeer = payload(r.toPeer());
        if (result.trySuccess(new FlowResult(peerIsClient ? fromPeer : toPeer, peerIsClient ? toPeer : fromPeer,
                failure == null, failure))) {
            bytesSoFar = fromPeer + toPeer;
        }
    }

    /** The payload a counter stands for: what it counted less each packet's headers (an estimate, see above). */
    private long payload(Counter c) {
        if (c.packets() == 0) {
            return 0;
        }
        long headers = c.packets() * (peer instanceof Inet4Address ? HEADERS_V4 : HEADERS_V6) + SYN_OPTIONS;
        return Math.max(0, c.bytes() - headers);
    }
}
