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
 * The per-transfer work of the kernel data path, on the instance's table ({@link KernelRuleset}). {@link #arm}
 * is one acknowledged netlink transaction that adds a pinhole's five elements: {@code (peer . port)} to
 * {@code armedN}, its target to {@code targetN}, the gateway's far-side address to {@code sourceN}, and the
 * two counters of its connection to {@code flowsN}. {@link #ended} says whether that connection has sent its
 * first FIN or RST, {@link #kill} resets it, and {@link #release} reads its counters and removes whatever is
 * left. The kernel applies a transaction whole or not at all, so a failure never leaves half a pinhole.
 * Thread-safe: each call holds the socket.
 */
public final class KernelPinholes {

    /** {@code IP_CT_DIR_ORIGINAL} and {@code IP_CT_DIR_REPLY} (linux/netfilter/nf_conntrack_tuple_common.h). */
    static final byte CT_DIR_ORIGINAL = 0;
    static final byte CT_DIR_REPLY = 1;
    /**
     * How often {@link #release} re-reads and retries when an element went between its reads and its delete
     * (expired, or the first element taken by the connection's first FIN or RST): the kernel refuses the whole
     * transaction then, with {@code ENOENT}.
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
     * {@code pinholePort} within {@code timeout} is translated to {@code target}, leaving the gateway from
     * {@code source}; nothing else is. Returns once the kernel has all its elements; a {@link NetlinkException}
     * means it has none ({@code EEXIST}: this peer and port are armed already).
     */
    public void arm(InetAddress peer, int pinholePort, InetSocketAddress target, InetAddress source,
            Duration timeout) {
        if (peer.getClass() != target.getAddress().getClass() || peer.getClass() != source.getClass()) {
            throw new IllegalArgumentException("a kernel pinhole cannot translate between IPv4 and IPv6");
        }
        byte[] key = NftBatch.addressPort(peer, pinholePort);
        String v = NftBatch.suffix(peer);
        synchronized (socket) {
            socket.transact(NftBatch.begin(socket.nextSeq(), Family.INET, table).acknowledged().exclusive()
                    .add("armed" + v, 0, key, null, timeout)
                    .add("target" + v, 0, key, NftBatch.addressPort(target.getAddress(), target.getPort()), null)
                    .add("source" + v, 0, key, source.getAddress(), null)
                    .add("flows" + v, 0, flowKey(peer, pinholePort, CT_DIR_ORIGINAL), null, null)
                    .add("flows" + v, 0, flowKey(peer, pinholePort, CT_DIR_REPLY), null, null).end());
        }
    }

    /**
     * What a released pinhole leaves to report.
     *
     * @param unused true when no connection came (the armed element was still there)
     * @param fromPeer what was counted from the peer that connected (the connection's original direction)
     * @param toPeer what was counted toward it
     * @param ended true when the connection had sent a FIN or RST (either direction) by the release
     */
    public record Released(boolean unused, Counter fromPeer, Counter toPeer, boolean ended) {
    }

    /**
     * The pinhole's connection so far, in one read: its two counters, and {@code ended} once it has sent a FIN
     * or a RST in either direction (the sender has sent its last byte: every byte before its FIN has passed
     * the gateway; or the connection was reset): its first packet added the pinhole's {@code firstN} element,
     * its first FIN or RST deleted it (and so does the kernel's collection of a closed connection's count).
     */
    public Released progress(InetAddress peer, int pinholePort) {
        String v = NftBatch.suffix(peer);
        List<Optional<byte[]>> found = query(List.of(
                new Element("flows" + v, flowKey(peer, pinholePort, CT_DIR_ORIGINAL)),
                new Element("flows" + v, flowKey(peer, pinholePort, CT_DIR_REPLY)),
                new Element("first" + v, NftBatch.addressPort(peer, pinholePort))));
        Counter from = found.get(0).map(KernelPinholes::counter).orElse(Counter.NONE);
        return new Released(false, from, found.get(1).map(KernelPinholes::counter).orElse(Counter.NONE),
                from.packets() > 0 && found.get(2).isEmpty());
    }

    /**
     * Cuts the pinhole's connection, if it has one: for {@code linger}, every packet of it is answered with a
     * TCP reset (the {@code killedN} set). The forwarding the kernel set up for it ends with the connection.
     */
    public void kill(InetAddress peer, int pinholePort, Duration linger) {
        String v = NftBatch.suffix(peer);
        synchronized (socket) {
            socket.transact(NftBatch.begin(socket.nextSeq(), Family.INET, table).acknowledged()
                    .add("killed" + v, 0, NftBatch.addressPort(peer, pinholePort), null, linger).end());
        }
    }

    /**
     * Ends a pinhole: reads its connection's counters, then removes in one transaction exactly the elements
     * still there. Only what exists is deleted: a transaction the kernel refuses costs it a grace period
     * (milliseconds, measured), so the reads come first, sent together.
     */
    public Released release(InetAddress peer, int pinholePort) {
        byte[] key = NftBatch.addressPort(peer, pinholePort);
        String v = NftBatch.suffix(peer);
        byte[] original = flowKey(peer, pinholePort, CT_DIR_ORIGINAL);
        byte[] reply = flowKey(peer, pinholePort, CT_DIR_REPLY);
        List<Element> elements = List.of(new Element("armed" + v, key), new Element("target" + v, key),
                new Element("source" + v, key), new Element("flows" + v, original), new Element("flows" + v, reply),
                new Element("first" + v, key));
        synchronized (socket) {
            for (int attempt = 1;; attempt++) {
                List<Optional<byte[]>> found = query(elements);
                try {
                    deleteFound(elements, found);
                    Counter from = found.get(3).map(KernelPinholes::counter).orElse(Counter.NONE);
                    return new Released(found.get(0).isPresent(), from,
                            found.get(4).map(KernelPinholes::counter).orElse(Counter.NONE),
                            from.packets() > 0 && found.get(5).isEmpty());
                } catch (NetlinkException e) {
                    if (e.errno() != Errno.ENOENT || attempt == RELEASE_ATTEMPTS) {
                        throw e;
                    }
                    // An element went between the reads and the delete: read again.
                }
            }
        }
    }

    /** Deletes, in one transaction, those of {@code elements} that {@code found} says are there. */
    private void deleteFound(List<Element> elements, List<Optional<byte[]>> found) {
        NftBatch batch = NftBatch.begin(socket.nextSeq(), Family.INET, table).acknowledged();
        boolean any = false;
        for (int i = 0; i < elements.size(); i++) {
            if (found.get(i).isPresent()) {
                batch.delete(elements.get(i).set(), elements.get(i).key());
                any = true;
            }
        }
        if (any) {
            socket.transact(batch.end());
        }
    }

    private record Element(String set, byte[] key) {
    }

    /** Reads {@code elements} in one send: each answer, or empty where the element is not there. */
    private List<Optional<byte[]>> query(List<Element> elements) {
        synchronized (socket) {
            int seq = socket.nextSeq();
            List<byte[]> requests = new ArrayList<>(elements.size());
            for (int i = 0; i < elements.size(); i++) {
                requests.add(NftCounters.elementRequest(seq + i, Family.INET, table, elements.get(i).set(),
                        elements.get(i).key()));
            }
            return socket.queryAll(requests, seq);
        }
    }

    /**
     * How many connections to the pinhole ranges matched no pinhole since the last call (the table's
     * {@code impostors} counter, read and zeroed in one step): other addresses, second connections, late ones,
     * scans of ports no relay pinhole listens on. The kernel refuses them itself, so ftpgate learns of them
     * only here.
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
