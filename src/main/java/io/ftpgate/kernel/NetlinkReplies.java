package io.ftpgate.kernel;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the kernel's answers to a transaction: each {@code NLMSG_ERROR} message is an acknowledgement (error
 * 0) or a refusal (a negative errno) of the request with the same sequence number. Pure: no I/O.
 */
public final class NetlinkReplies {

    /** {@code NLMSG_ERROR} (linux/netlink.h): an acknowledgement or an error. */
    static final int NLMSG_ERROR = 2;
    /** {@code NLMSG_DONE} (linux/netlink.h): the end of a multipart answer. */
    static final int NLMSG_DONE = 3;
    /** The header plus the error's {@code int}: the least an {@code NLMSG_ERROR} can be. */
    private static final int ERROR_MIN_LEN = NetlinkWriter.NLMSG_HDRLEN + Integer.BYTES;

    private NetlinkReplies() {
    }

    /**
     * One answer.
     *
     * @param seq the sequence number of the request it answers
     * @param errno 0 for an acknowledgement, else the positive errno ({@code ENOENT}, {@code EEXIST}, ...)
     */
    public record Ack(int seq, int errno) {

        public boolean ok() {
            return errno == 0;
        }
    }

    /** Copies the messages in {@code buf[0, len)} that carry sequence number {@code seq} to {@code out}. */
    static void copyMessages(byte[] buf, int len, int seq, ByteArrayOutputStream out) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, len).order(ByteOrder.LITTLE_ENDIAN);
        int off = 0;
        while (off + NetlinkWriter.NLMSG_HDRLEN <= len) {
            int length = b.getInt(off);
            if (length < NetlinkWriter.NLMSG_HDRLEN || off + length > len) {
                throw new NetlinkException("malformed netlink answer: a message of " + length + " bytes at offset "
                        + off + " of " + len);
            }
            if (b.getInt(off + 8) == seq) {
                out.write(buf, off, NetlinkWriter.align(length));
            }
            off += NetlinkWriter.align(length);
        }
    }

    /** The answers in {@code buf[0, len)}, in order; other message types are skipped. */
    public static List<Ack> parse(byte[] buf, int len) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, len).order(ByteOrder.LITTLE_ENDIAN);
        List<Ack> acks = new ArrayList<>();
        int off = 0;
        while (off + NetlinkWriter.NLMSG_HDRLEN <= len) {
            int length = b.getInt(off);
            int type = Short.toUnsignedInt(b.getShort(off + 4));
            int seq = b.getInt(off + 8);
            if (length < NetlinkWriter.NLMSG_HDRLEN || off + length > len) {
                throw new NetlinkException("malformed netlink answer: a message of " + length + " bytes at offset "
                        + off + " of " + len);
            }
            if (type == NLMSG_ERROR) {
                if (length < ERROR_MIN_LEN) {
                    throw new NetlinkException("malformed netlink answer: an error message of " + length + " bytes");
                }
                acks.add(new Ack(seq, -b.getInt(off + NetlinkWriter.NLMSG_HDRLEN)));
            }
            off += NetlinkWriter.align(length);
        }
        return acks;
    }
}
