package io.ftpgate.kernel;

import com.sun.jna.LastErrorException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An {@code AF_NETLINK}/{@code NETLINK_NETFILTER} socket, opened in the network namespace of the calling
 * thread, through libc by JNA. One transaction at a time: {@link #transact} sends a batch and waits, up to the
 * receive timeout, for the kernel's answer to each of its element messages. Every failure is a
 * {@link NetlinkException} with one clear line.
 */
public final class NetlinkSocket implements AutoCloseable {

    // linux/socket.h, linux/netlink.h, asm-generic/socket.h
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_NETFILTER = 12;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    /** {@code sizeof(struct sockaddr_nl)}: family, pad, port id, groups. */
    private static final int SOCKADDR_NL_LEN = 12;
    /** {@code sizeof(struct timeval)} on LP64: seconds and microseconds, 64 bits each. */
    private static final int TIMEVAL_LEN = 16;
    /**
     * Receive buffer: an error answer echoes the refused message, and one transaction holds a few small
     * messages; 64 KiB is what libmnl's {@code MNL_SOCKET_BUFFER_SIZE} caps itself at.
     */
    private static final int RECEIVE_BUFFER = 65536;

    private final int fd;
    private final Duration receiveTimeout;
    private final byte[] receiveBuffer = new byte[RECEIVE_BUFFER];
    private int nextSeq = 1;
    private boolean closed;

    private NetlinkSocket(int fd, Duration receiveTimeout) {
        this.fd = fd;
        this.receiveTimeout = receiveTimeout;
    }

    /** Opens and binds the socket; {@code receiveTimeout} bounds each wait for the kernel's answer. */
    public static NetlinkSocket open(Duration receiveTimeout) {
        int fd;
        try {
            fd = LibC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
        } catch (LastErrorException e) {
            throw new NetlinkException(Errno.describe("cannot open a netfilter netlink socket", e.getErrorCode()),
                    e.getErrorCode());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new NetlinkException("cannot call libc through JNA: " + e.getMessage());
        }
        NetlinkSocket socket = new NetlinkSocket(fd, receiveTimeout);
        try {
            byte[] address = ByteBuffer.allocate(SOCKADDR_NL_LEN).order(ByteOrder.LITTLE_ENDIAN)
                    .putShort((short) AF_NETLINK).array(); // port id 0: the kernel assigns one
            call("cannot bind the netlink socket", () -> LibC.bind(fd, address, address.length));
            long micros = receiveTimeout.toNanos() / 1000;
            byte[] timeval = ByteBuffer.allocate(TIMEVAL_LEN).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(micros / 1_000_000).putLong(micros % 1_000_000).array();
            call("cannot set the netlink receive timeout",
                    () -> LibC.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, timeval.length));
            return socket;
        } catch (NetlinkException e) {
            socket.close();
            throw e;
        }
    }

    /** The sequence number for the next transaction's batch begin; {@link #transact} moves it on. */
    public int nextSeq() {
        return nextSeq;
    }

    /**
     * Sends one acknowledged transaction and returns once the kernel has answered every element message; the
     * first refusal or a missing answer within the receive timeout is a {@link NetlinkException}. Answers to
     * earlier transactions (one that timed out) are skipped by their sequence numbers.
     */
    public synchronized void transact(NftBatch.Encoded batch) {
        requireOpen();
        if (!batch.acknowledged()) {
            throw new IllegalArgumentException("only acknowledged transactions can be awaited");
        }
        nextSeq = batch.nextSeq();
        byte[] bytes = batch.bytes();
        long sent = call("cannot send to the netlink socket", () -> LibC.send(fd, bytes, bytes.length, 0));
        if (sent != bytes.length) {
            throw new NetlinkException("netlink send was cut short: " + sent + " of " + bytes.length + " bytes");
        }
        int first = batch.firstElementSeq();
        int answered = 0;
        NetlinkException refused = null;
        while (answered < batch.elementMessages()) {
            for (NetlinkReplies.Ack ack : NetlinkReplies.parse(receiveBuffer, receive())) {
                int index = ack.seq() - first;
                if (index == -1 && !ack.ok()) {
                    // An error to the batch begin: the kernel refused the batch as a whole (nfnetlink checks
                    // CAP_NET_ADMIN there) and answers nothing else.
                    throw new NetlinkException(Errno.describe("nf_tables refused the transaction", ack.errno()),
                            ack.errno());
                }
                if (index < 0 || index >= batch.elementMessages()) {
                    continue; // a late answer to an earlier transaction
                }
                answered++;
                if (!ack.ok() && refused == null) {
                    refused = new NetlinkException(Errno.describe("nf_tables refused message " + (index + 1) + " of "
                            + batch.elementMessages() + " (the transaction was not applied)", ack.errno()), ack.errno());
                }
            }
        }
        if (refused != null) {
            throw refused;
        }
    }

    /**
     * Sends requests outside a batch in one {@code send} ({@code NLM_F_ACK} set on each, sequence numbers
     * {@code firstSeq}, {@code firstSeq + 1}, ...) and returns the kernel's answers to each, in order: empty
     * where it answered {@code ENOENT} (no such element), the answer's messages otherwise. Any other refusal
     * is a {@link NetlinkException}.
     */
    public synchronized List<Optional<byte[]>> queryAll(List<byte[]> requests, int firstSeq) {
        requireOpen();
        int n = requests.size();
        nextSeq = firstSeq + n;
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        requests.forEach(all::writeBytes);
        byte[] bytes = all.toByteArray();
        long sent = call("cannot send to the netlink socket", () -> LibC.send(fd, bytes, bytes.length, 0));
        if (sent != bytes.length) {
            throw new NetlinkException("netlink send was cut short: " + sent + " of " + bytes.length + " bytes");
        }
        List<ByteArrayOutputStream> answers = new ArrayList<>();
        List<Optional<byte[]>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            answers.add(new ByteArrayOutputStream());
            results.add(null);
        }
        int answered = 0;
        while (answered < n) {
            int len = receive();
            for (int i = 0; i < n; i++) {
                NetlinkReplies.copyMessages(receiveBuffer, len, firstSeq + i, answers.get(i));
            }
            for (NetlinkReplies.Ack ack : NetlinkReplies.parse(receiveBuffer, len)) {
                int i = ack.seq() - firstSeq;
                if (i < 0 || i >= n || results.get(i) != null) {
                    continue; // a late answer to an earlier request
                }
                if (!ack.ok() && ack.errno() != Errno.ENOENT) {
                    throw new NetlinkException(Errno.describe("nf_tables refused a query", ack.errno()), ack.errno());
                }
                results.set(i, ack.ok() ? Optional.of(answers.get(i).toByteArray()) : Optional.empty());
                answered++;
            }
        }
        return results;
    }

    private int receive() {
        while (true) {
            try {
                return (int) LibC.recv(fd, receiveBuffer, receiveBuffer.length, 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw receiveFailure(e.getErrorCode());
                }
            }
        }
    }

    private NetlinkException receiveFailure(int errno) {
        if (errno == Errno.EAGAIN) { // SO_RCVTIMEO ran out
            return new NetlinkException("no answer from nf_tables within " + receiveTimeout.toMillis() + " ms",
                    Errno.EAGAIN);
        }
        return new NetlinkException(Errno.describe("cannot receive from the netlink socket", errno), errno);
    }

    /** A closed socket's number may belong to another file by now: nothing may be sent on it. */
    private void requireOpen() {
        if (closed) {
            throw new NetlinkException("the netlink socket is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                LibC.close(fd);
            } catch (LastErrorException e) {
                // Nothing to do: the descriptor is released by the kernel whatever close reports (close(2)).
            }
        }
    }

    private interface NativeCall {
        long run() throws LastErrorException;
    }

    private static long call(String what, NativeCall call) {
        try {
            return call.run();
        } catch (LastErrorException e) {
            throw new NetlinkException(Errno.describe(what, e.getErrorCode()), e.getErrorCode());
        }
    }
}
