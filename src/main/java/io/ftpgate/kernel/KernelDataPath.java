package io.ftpgate.kernel;

import io.ftpgate.data.Pinhole.PinholeExhaustedException;
import io.ftpgate.data.RelayDataPath;
import io.ftpgate.data.TranslatedPinhole;
import io.ftpgate.data.TranslatingPath;
import io.ftpgate.net.PortRange;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel {@link TranslatingPath}: the instance's nftables table ({@link KernelTable}) and its pinholes
 * ({@link KernelPinholes}). What a transfer waits for (arming before its {@code 227}/{@code 229}, the first look
 * for its end before its {@code 226}) runs on the session's event loop: one netlink round trip, tens of
 * microseconds, answered within the send. What it need not wait for (releases, retries of that look, idle
 * checks) runs on one thread of the path's own. Ports come from the relay's registry, so a kernel
 * pinhole and a relay pinhole never wait for the same peer on the same port.
 */
public final class KernelDataPath implements TranslatingPath {

    private static final Logger LOG = LoggerFactory.getLogger(KernelDataPath.class);
    /** How long the kernel may take to answer one netlink request before the operation fails. */
    static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(2);
    static final String CLOSED = "kernel: the data path is closed";
    /**
     * How long a released port cools for its peer: longer than the last packets of a connection that just
     * ended take to pass (the final ACKs; a retransmitted FIN after one retransmission timeout, 200 ms at
     * least on Linux). A client that runs through its range faster reuses cooling ports rather than fail.
     */
    static final long COOLING_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How long a failed removal waits before the next try. */
    static final long REMOVAL_RETRY_MILLIS = 1_000;
    /** Past this many entries, expired ones are swept at the next release (the map stays small). */
    private static final int COOLING_SWEEP_SIZE = 4096;

    private final KernelTable table;
    private final RelayDataPath relay;
    private final ScheduledExecutorService netlink;
    /** Ports their peer released a moment ago, and until when they cool ({@link #giveBackCooling}). */
    private final Map<PeerPort, Long> cooling = new ConcurrentHashMap<>();

    private KernelDataPath(KernelTable table, RelayDataPath relay) {
        this.table = table;
        this.relay = relay;
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1,
                new DefaultThreadFactory("ftpgate-netlink", true));
        // At exit the table goes whole: pending checks and port give-backs need not run, queued cuts still do.
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.netlink = thread;
    }

    /**
     * Installs the table {@code tableName} for pinholes from {@code ranges} with {@code nft} (normally
     * {@code List.of("nft")}); a {@link NetlinkException} says in one line what is missing.
     */
    public static KernelDataPath install(List<String> nft, String tableName, List<PortRange> ranges,
            RelayDataPath relay) {
        KernelTable table = KernelTable.install(nft, new KernelRuleset(tableName, ranges), RECEIVE_TIMEOUT);
        LOG.info("kernel data path: table inet {} installed{}", tableName,
                table.ipv6() ? "" : " (IPv6 forwarding is off: IPv6 transfers use the relay)");
        return new KernelDataPath(table, relay);
    }

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public boolean serves(InetAddress peer, InetAddress target) {
        return peer.getClass() == target.getClass() && (peer instanceof Inet4Address || table.ipv6());
    }

    @Override
    public Future<TranslatedPinhole> arm(EventLoop loop, PortRange range, InetAddress peer, InetSocketAddress target,
            InetAddress source, Duration ttl, boolean peerIsClient) {
        Promise<TranslatedPinhole> armed = loop.newPromise();
        int port = relay.takeTranslatedPort(range, peer, n -> cooling(peer, n));
        if (port < 0) {
            return armed.setFailure(new PinholeExhaustedException("no port of " + range + " is free for "
                    + peer.getHostAddress() + " (each has a pending pinhole for it)"));
        }
        // On the caller's event loop, not the netlink thread: the kernel commits the batch within the send and
        // answers at once (24 µs measured), less than the two thread hops would cost per transfer.
        try {
            table.pinholes().arm(peer, port, target, source, ttl);
            armed.setSuccess(new KernelFlow(this, loop, peer, port, peerIsClient));
        } catch (NetlinkException e) {
            // Refused whole, or unanswered and perhaps applied: whatever the kernel has of it goes first.
            run(() -> removeThenGiveBack(peer, port), () -> relay.giveBackTranslatedPort(port, peer));
            armed.setFailure(new TranslationException("kernel: " + e.getMessage()));
        }
        return armed;
    }

    /**
     * How many connections to the pinhole ranges matched no pinhole since the last call (and that no relay
     * pinhole listened for): the kernel refused them itself. Blocks for one netlink round trip.
     */
    @Override
    public long unmatched() throws TranslationException {
        try {
            return netlink.submit(() -> table.pinholes().impostors()).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new TranslationException("kernel: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TranslationException("kernel: interrupted");
        }
    }

    @Override
    public void close() {
        netlink.shutdown();
        try {
            if (!netlink.awaitTermination(RECEIVE_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
                LOG.warn("kernel data path: netlink work still running at exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        table.close();
        LOG.info("kernel data path: table inet {} removed", table.name());
    }

    KernelPinholes pinholes() {
        return table.pinholes();
    }

    /** Runs {@code task} on the netlink thread, or {@code ifClosed} here when the path is already closed. */
    void run(Runnable task, Runnable ifClosed) {
        try {
            netlink.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ifClosed.run();
        }
    }

    /** Runs {@code task} on the netlink thread after {@code delay}; dropped once the path is closed. */
    void later(Runnable task, long delay, TimeUnit unit) {
        try {
            netlink.schedule(task, delay, unit);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("kernel data path closed: a scheduled check is dropped");
        }
    }

    /**
     * On the netlink thread: removes whatever the kernel still has of the pinhole, then gives its port back;
     * while the kernel does not answer, retried every {@link #REMOVAL_RETRY_MILLIS} (the port stays taken, so
     * no new pinhole of that peer can meet the leftovers).
     */
    void removeThenGiveBack(InetAddress peer, int port) {
        try {
            table.pinholes().release(peer, port);
            relay.giveBackTranslatedPort(port, peer);
        } catch (NetlinkException e) {
            LOG.warn("kernel pinhole {}:{}: removal failed, retried in {} ms: {}", peer.getHostAddress(), port,
                    REMOVAL_RETRY_MILLIS, e.getMessage());
            later(() -> removeThenGiveBack(peer, port), REMOVAL_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** The port goes back to the registry (after a cut connection's resets have run out). */
    void giveBack(int port, InetAddress peer) {
        relay.giveBackTranslatedPort(port, peer);
    }

    /**
     * The port goes back to the registry now, but the same peer draws it again only when no other port is free
     * for it within {@link #COOLING_NANOS}: a late packet of the connection that just ended (its original
     * address and port are the new pinhole's) would count toward, or end, the next flow on it.
     */
    void giveBackCooling(int port, InetAddress peer) {
        long now = System.nanoTime();
        if (cooling.size() > COOLING_SWEEP_SIZE) {
            cooling.values().removeIf(until -> until - now < 0);
        }
        cooling.put(new PeerPort(peer, port), now + COOLING_NANOS);
        relay.giveBackTranslatedPort(port, peer);
    }

    private boolean cooling(InetAddress peer, int port) {
        Long until = cooling.get(new PeerPort(peer, port));
        return until != null && until - System.nanoTime() > 0;
    }

    private record PeerPort(InetAddress peer, int port) {
    }
}
