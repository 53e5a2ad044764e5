package io.ftpgate.kernel;

import io.ftpgate.kernel.NftBatch.Family;
import io.ftpgate.kernel.NftCounters.Counter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The per-transfer work of the kernel data path. {@link #arm} is one acknowledged netlink transaction that
 * adds {@code (peer . port)} to {@code armedN} and {@code (peer . port) : (target . port)} to {@code targetN}
 * of the instance's table ({@link KernelRuleset}); {@link #release} reads the connection's counters and
 * removes whatever is left. The kernel applies a transaction whole or not at all, so a failure never leaves
 * half a pinhole.
 */
public final class KernelPinholes {

    /** {@code IP_CT_DIR_ORIGINAL} and {@code IP_CT_DIR_REPLY} (linux/netfilter/nf_conntrack_tuple_common.h). */
    static final byte CT_DIR_ORIGINAL = 0;
    static final byte CT_DIR_REPLY = 1;
    /**
     * How often {@link #release} re-reads and retries when an element expired between its reads and its
     * delete (the kernel refuses the whole transaction then, with {@code ENOENT}).
     */
    private static final int RELEASE_ATTEMPTS = 3;

    private final NetlinkSocket socket;
    private final String table;

    public KernelPinholes(NetlinkSocket socket, String table) {
        this.socket = socket;
        this.table = table;
    }

    /**
     * Arms a single-use pinhole: the first new TCP connection from {@code peer} to the gateway's
     * {@code pinholePort} within {@code timeout} is translated to {@code target}; nothing else is. Returns
     * once the kernel has both elements; a {@link NetlinkException} means it has neither ({@code EEXIST}: this
     * peer and port are armed already).
     */
    public void arm(InetAddress peer, int pinholePort, InetSocketAddress target, Duration timeout) {
        if (peer.getClass() != target.getAddress().getClass()) {
            throw new IllegalArgumentException("a kernel pinhole cannot translate between IPv4 and IPv6");
        }
        byte[] key = NftBatch.addressPort(peer, pinholePort);
        byte[] to = NftBatch.addressPort(target.getAddress(), target.getPort());
        String v = NftBatch.suffix(peer);
        synchronized (socket) {
            socket.transact(NftBatch.begin(socket.nextSeq(), Family.INET, table).acknowledged().exclusive()
                    .add("armed" + v, 0, key, null, timeout).add("target" + v, 0, key, to, timeout).end());
        }
    }

    /**
     * What a released pinhole leaves to report.
     *
     * @param unused true when no connection came (the armed element was still there)
     * @param fromPeer what was counted from the peer that connected (the connection's original direction)
     * @param toPeer what was counted toward it
     */
    public record Released(boolean unused, Counter fromPeer, Counter toPeer) {
    }

    /**
     * Ends a pinhole: reads its connection's counters, then removes in one transaction exactly the elements
     * still there (its mapping, its armed element if unused, its counters). Only what exists is deleted: a
     * transaction the kernel refuses costs it a grace period (milliseconds, measured), so the four reads come
     * first, sent together.
     */
    public Released release(InetAddress peer, int pinholePort) {
        byte[] key = NftBatch.addressPort(peer, pinholePort);
        String v = NftBatch.suffix(peer);
        byte[] original = flowKey(peer, pinholePort, CT_DIR_ORIGINAL);
        byte[] reply = flowKey(peer, pinholePort, CT_DIR_REPLY);
        synchronized (socket) {
            for (int attempt = 1;; attempt++) {
                int seq = socket.nextSeq();
                List<Optional<byte[]>> found = socket.queryAll(List.of(
                        NftCounters.elementRequest(seq, Family.INET, table, "armed" + v, key),
                        NftCounters.elementRequest(seq + 1, Family.INET, table, "target" + v, key),
                        NftCounters.elementRequest(seq + 2, Family.INET, table, "flows" + v, original),
                        NftCounters.elementRequest(seq + 3, Family.INET, table, "flows" + v, reply)), seq);
                boolean armed = found.get(0).isPresent();
                boolean mapped = found.get(1).isPresent();
                Optional<Counter> from = found.get(2).map(KernelPinholes::counter);
                Optional<Counter> to = found.get(3).map(KernelPinholes::counter);
                List<String> sets = new ArrayList<>();
                List<byte[]> keys = new ArrayList<>();
                present(armed, "armed" + v, key, sets, keys);
                present(mapped, "target" + v, key, sets, keys);
                present(from.isPresent(), "flows" + v, original, sets, keys);
                present(to.isPresent(), "flows" + v, reply, sets, keys);
                try {
                    if (!sets.isEmpty()) {
                        NftBatch batch = NftBatch.begin(socket.nextSeq(), Family.INET, table).acknowledged();
                        for (int i = 0; i < sets.size(); i++) {
                            batch.delete(sets.get(i), keys.get(i));
                        }
                        socket.transact(batch.end());
                    }
                    return new Released(armed, from.orElse(Counter.NONE), to.orElse(Counter.NONE));
                } catch (NetlinkException e) {
                    if (e.errno() != Errno.ENOENT || attempt == RELEASE_ATTEMPTS) {
                        throw e;
                    }
                    // An element expired between the reads and the delete: read again.
                }
            }
        }
    }

    private static void present(boolean there, String set, byte[] key, List<String> sets, List<byte[]> keys) {
        if (there) {
            sets.add(set);
            keys.add(key);
        }
    }

    /**
     * How many connections to the pinhole range matched no pinhole since the last call (the table's
     * {@code impostors} counter, read and zeroed in one step): other addresses, second connections, late ones,
     * scans. The kernel refuses them itself, so ftpgate learns of them only here.
     */
    public long impostors() {
        synchronized (socket) {
            int seq = socket.nextSeq();
            Optional<byte[]> answer = socket.queryAll(List.of(
                    NftCounters.resetObjectRequest(seq, Family.INET, table, KernelRuleset.IMPOSTORS)), seq).get(0);
            byte[] bytes = answer.orElseThrow(() -> new NetlinkException("the kernel data path's table " + table
                    + " or its " + KernelRuleset.IMPOSTORS + " counter is missing (removed by hand?)", Errno.ENOENT));
            return NftCounters.parseObject(bytes, bytes.length).orElse(Counter.NONE).packets();
        }
    }

    /** The counter in an element's answer; NONE for an element without one. */
    private static Counter counter(byte[] answers) {
        return NftCounters.parseElement(answers, answers.length).orElse(Counter.NONE);
    }

    /** The key {@code address . port . ct direction} of the {@code flowsN} sets; ct_dir is one byte. */
    static byte[] flowKey(InetAddress peer, int pinholePort, byte direction) {
        byte[] addressPort = NftBatch.addressPort(peer, pinholePort);
        byte[] key = Arrays.copyOf(addressPort, addressPort.length + Integer.BYTES);
        key[addressPort.length] = direction;
        return key;
    }
}
