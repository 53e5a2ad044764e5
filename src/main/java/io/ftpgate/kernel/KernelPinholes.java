package io.ftpgate.kernel;

import io.ftpgate.kernel.NftBatch.Family;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The per-transfer work of the kernel data path: arming a pinhole is one acknowledged netlink transaction
 * that adds {@code (peer . port)} to {@code armedN} and {@code (peer . port) : (target . port)} to
 * {@code targetN} of the instance's table ({@link KernelRuleset}); disarming removes what is left. The kernel
 * applies a transaction whole or not at all, so a failure never leaves half a pinhole.
 */
public final class KernelPinholes {

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
     * Removes what is left of a pinhole: its mapping, and its armed element if no connection consumed it.
     * Returns whether it was still armed (no connection came). Two transactions, since the kernel refuses a
     * whole transaction when one element is missing.
     */
    public boolean disarm(InetAddress peer, int pinholePort) {
        byte[] key = NftBatch.addressPort(peer, pinholePort);
        String v = NftBatch.suffix(peer);
        boolean armed = deleteIfPresent("armed" + v, key);
        deleteIfPresent("target" + v, key);
        return armed;
    }

    private boolean deleteIfPresent(String set, byte[] key) {
        try {
            synchronized (socket) {
                socket.transact(NftBatch.begin(socket.nextSeq(), Family.INET, table).acknowledged()
                        .delete(set, key).end());
            }
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                return false; // consumed by the first connection, or timed out
            }
            throw e;
        }
    }
}
