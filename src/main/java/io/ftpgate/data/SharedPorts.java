package io.ftpgate.data;

import io.ftpgate.net.PortRange;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.ftpgate.net.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening sockets of the relay path's pinholes, one per (gateway address, port), shared by every pinhole
 * waiting on that port for a different peer. A port takes a new pinhole unless one pending there waits for the
 * same peer (or has FXP exceptions, or expects another PROXY setting); so clients from different addresses
 * share a small range, and only concurrent pending transfers of one address need a port each. A port listens
 * while it has a pending pinhole and closes with its last one. Each connection is handed to the pinhole its
 * source address (or PROXY header, {@link ProxiedAccept}) names, on that pinhole's event loop; one that no pending
 * pinhole expects is reported to all of them and closed.
 *
 * <p>Thread-safe: the registry and every port's pending list are guarded by this object's lock; a pinhole's own
 * state is its event loop's.
 */
final class SharedPorts {

    /** Random probes before falling back to a sequential scan of the range (unpredictable ports first). */
    private static final int RANDOM_PROBES = 16;
    /** Connections the kernel queues per pinhole port before ftpgate accepts them. */
    private static final int BACKLOG = 64;

    private static final Logger LOG = LoggerFactory.getLogger(SharedPorts.class);

    private final Transport transport;
    private final Map<Key, Port> ports = new HashMap<>();
    /** Ports a translating path has taken for a peer, without a socket: port number to peers. */
    private final Map<Integer, List<InetAddress>> translated = new HashMap<>();

    SharedPorts(Transport transport) {
        this.transport = transport;
    }

    private record Key(InetAddress bind, int port) {
    }

    private enum State { BINDING, OPEN, CLOSING }

    /** One listening socket and the pinholes pending on it. Fields are guarded by the registry's lock. */
    final class Port {
        final Key key;
        final EventLoop loop;
        final PinholeSpec.Proxy proxy;
        /** Bound with IP_TRANSPARENT (transparent placement: the address is the server's, not ftpgate's). */
        final boolean transparent;
        final List<SocketPinhole> pending = new ArrayList<>();
        final Promise<Void> freed;
        State state = State.BINDING;
        Channel channel;

        Port(Key key, EventLoop loop, PinholeSpec.Proxy proxy, boolean transparent) {
            this.key = key;
            this.loop = loop;
            this.proxy = proxy;
            this.transparent = transparent;
            this.freed = loop.newPromise();
        }

        int number() {
            return key.port();
        }

        /** True when {@code p} may not join: a pending pinhole waits for its peer, or one side is exclusive. */
        private boolean refuses(SocketPinhole p) {
            if (!Objects.equals(proxy, p.spec().proxy()) || transparent != p.spec().transparent()
                    || (p.exclusive() && !pending.isEmpty())) {
                return true;
            }
            for (SocketPinhole q : pending) {
                if (q.exclusive() || q.expectedPeer().equals(p.expectedPeer())) {
                    return true;
                }
            }
            return false;
        }

        /** Removes and returns the pending pinhole {@code from} belongs to, or null. */
        SocketPinhole claim(InetAddress from) {
            synchronized (SharedPorts.this) {
                SocketPinhole found = null;
                for (SocketPinhole p : pending) {
                    if (p.expectedPeer().equals(from)) {
                        found = p;
                        break;
                    }
                    if (found == null && p.alsoAccepts(from)) {
                        found = p;
                    }
                }
                if (found != null) {
                    pending.remove(found);
                    closeIfUnused(this);
                }
                return found;
            }
        }

        /** A copy of the pending pinholes (to tell each of a refused connection). */
        List<SocketPinhole> waiting() {
            synchronized (SharedPorts.this) {
                return List.copyOf(pending);
            }
        }
    }

    /** Starts or continues {@code p}'s search for a port; on its event loop. */
    void place(SocketPinhole p) {
        PortRange range = p.spec().range();
        int attempt = p.nextAttempt();
        if (attempt >= Math.min(range.size(), RANDOM_PROBES) + range.size()) {
            p.exhausted("no port of " + range + " on " + p.spec().bindAddress().getHostAddress() + " is free for "
                    + p.expectedPeer().getHostAddress() + " (each has a pending pinhole for it or is in use)");
            return;
        }
        int offset = attempt < RANDOM_PROBES ? ThreadLocalRandom.current().nextInt(range.size())
                : (p.start() + attempt - RANDOM_PROBES) % range.size();
        Key key = new Key(p.spec().bindAddress(), range.low() + offset);
        Port port;
        boolean bind = false;
        boolean open = false;
        synchronized (this) {
            port = ports.get(key);
            if (port == null && translatedFor(key.port(), p.expectedPeer())) {
                port = null;
            } else if (port == null) {
                port = new Port(key, p.loop(), p.spec().proxy(), p.spec().transparent());
                ports.put(key, port);
                bind = true;
            } else if (port.state == State.CLOSING) {
                // Its last pinhole just left; the port is free again once the socket has closed.
                port.freed.addListener(f -> p.loop().execute(() -> place(p.again())));
                return;
            } else if (port.refuses(p) || translatedFor(key.port(), p.expectedPeer())) {
                port = null;
            } else {
                open = port.state == State.OPEN;
            }
            if (port != null) {
                port.pending.add(p);
                p.joined(port);
            }
        }
        if (port == null) {
            place(p);
        } else if (bind) {
            bind(port);
        } else if (open) {
            p.armed(port);
        }
    }

    /**
     * Takes a port of {@code range} for a translating path's pinhole for {@code peer} (no socket: the kernel
     * takes the peer's connection before any socket would): one where neither a relay pinhole nor another
     * translated one waits for that peer, whatever the gateway address, preferring ports {@code cooling}
     * does not name (ports that peer used a moment ago). Returns -1 when there is none.
     */
    synchronized int takeTranslated(PortRange range, InetAddress peer, IntPredicate cooling) {
        int probes = Math.min(range.size(), RANDOM_PROBES) + range.size();
        int start = ThreadLocalRandom.current().nextInt(range.size());
        int fallback = -1;
        for (int attempt = 0; attempt < probes; attempt++) {
            int offset = attempt < RANDOM_PROBES ? ThreadLocalRandom.current().nextInt(range.size())
                    : (start + attempt - RANDOM_PROBES) % range.size();
            int number = range.low() + offset;
            if (!translatedFor(number, peer) && !relayWaitsFor(number, peer)) {
                if (!cooling.test(number)) {
                    fallback = number;
                    break;
                }
                fallback = fallback < 0 ? number : fallback;
            }
        }
        if (fallback >= 0) {
            translated.computeIfAbsent(fallback, n -> new ArrayList<>()).add(peer);
        }
        return fallback;
    }

    /** Gives back a port {@link #takeTranslated} took. */
    synchronized void giveBackTranslated(int number, InetAddress peer) {
        List<InetAddress> peers = translated.get(number);
        if (peers != null && peers.remove(peer) && peers.isEmpty()) {
            translated.remove(number);
        }
    }

    private boolean translatedFor(int number, InetAddress peer) {
        List<InetAddress> peers = translated.get(number);
        return peers != null && peers.contains(peer);
    }

    private boolean relayWaitsFor(int number, InetAddress peer) {
        for (Port port : ports.values()) {
            if (port.key.port() == number) {
                for (SocketPinhole q : port.pending) {
                    if (q.exclusive() || q.expectedPeer().equals(peer)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private void bind(Port port) {
        ServerBootstrap b = transport.applyTransparent(new ServerBootstrap(), port.transparent)
                .group(port.loop, port.loop)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .handler(new Dispatcher(port))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.close(); // never reached: the dispatcher takes every connection first
                    }
                });
        ChannelFuture f = b.bind(port.key.bind(), port.key.port());
        f.addListener(done -> {
            List<SocketPinhole> waiting;
            synchronized (this) {
                waiting = List.copyOf(port.pending);
                if (done.isSuccess()) {
                    port.channel = f.channel();
                    port.state = State.OPEN;
                    closeIfUnused(port);
                } else {
                    LOG.debug("pinhole port {} not bound: {}", port.key, done.cause().toString());
                    // In use by someone else: every pinhole that joined meanwhile looks further.
                    ports.remove(port.key, port);
                    port.pending.clear();
                    port.freed.trySuccess(null);
                }
            }
            for (SocketPinhole p : waiting) {
                if (done.isSuccess()) {
                    p.armed(port);
                } else {
                    p.loop().execute(() -> place(p));
                }
            }
        });
    }

    /** {@code p} no longer waits on its port (accepted elsewhere, expired or cancelled). */
    void leave(SocketPinhole p, Port port) {
        synchronized (this) {
            if (port.pending.remove(p)) {
                closeIfUnused(port);
            }
        }
    }

    /** Closes an open port without pending pinholes; the caller holds the lock. */
    private void closeIfUnused(Port port) {
        if (port.state != State.OPEN || !port.pending.isEmpty()) {
            return;
        }
        port.state = State.CLOSING;
        port.channel.close().addListener(f -> {
            synchronized (this) {
                ports.remove(port.key, port);
            }
            port.freed.trySuccess(null);
        });
    }

    /**
     * The handler of a port's listening socket: takes each accepted connection before Netty's acceptor would
     * register it, and hands it to the pinhole it belongs to.
     */
    private final class Dispatcher extends ChannelInboundHandlerAdapter {
        private final Port port;

        Dispatcher(Port port) {
            this.port = port;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            child.config().setAutoRead(false);
            if (port.proxy != null) {
                ProxiedAccept.start(port, child);
                return;
            }
            InetSocketAddress remote = (InetSocketAddress) child.remoteAddress();
            SocketPinhole target = remote == null ? null : port.claim(Cidr.canonical(remote.getAddress()));
            if (target == null) {
                LOG.debug("pinhole port {}: no pending pinhole for {}", port.key, remote);
                refuse(port, child, p -> p.events().peerMismatch(remote));
                return;
            }
            // The leg's pipeline before its first event: a peer that sends its data and FIN at once is drained by
            // the epoll transport as soon as the channel is registered, and those bytes must be kept.
            DataLegPipeline.install(child, true);
            target.loop().register(child).addListener(f -> {
                if (f.isSuccess()) {
                    target.onAccept(child);
                } else {
                    EarlyDataBuffer.discard(child);
                    child.unsafe().closeForcibly();
                }
            });
        }

        @Override
        public boolean isSharable() {
            return false;
        }
    }

    /**
     * Tells every pinhole pending on {@code port} about a refused connection, then closes it: the records exist by
     * the time the connection's peer sees its EOF.
     */
    static void refuse(Port port, Channel child, Consumer<SocketPinhole> tell) {
        List<SocketPinhole> waiting = port.waiting();
        Runnable close = () -> {
            if (child.isRegistered()) {
                child.close();
            } else {
                child.unsafe().closeForcibly();
            }
        };
        if (waiting.isEmpty()) {
            port.loop.execute(close);
            return;
        }
        AtomicInteger left = new AtomicInteger(waiting.size());
        for (SocketPinhole p : waiting) {
            p.loop().execute(() -> {
                tell.accept(p);
                if (left.decrementAndGet() == 0) {
                    port.loop.execute(close);
                }
            });
        }
    }
}
