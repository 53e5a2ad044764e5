package io.ftpgate.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Writes netlink messages and their attributes into one growing buffer: the {@code nlmsghdr} and
 * {@code nfgenmsg} headers, attributes padded to four bytes, nested attributes whose length is filled in when
 * they close. Netlink headers are in the host's byte order (little-endian on every platform ftpgate ships
 * native libraries for: x86-64 and aarch64), the nf_tables payloads in network order; callers pass payload
 * bytes already in the order the kernel expects.
 */
final class NetlinkWriter {

    /** {@code NLMSG_HDRLEN}: length, type, flags, sequence, port id (linux/netlink.h). */
    static final int NLMSG_HDRLEN = 16;
    /** {@code sizeof(struct nfgenmsg)}: family, version, resource id (linux/netfilter/nfnetlink.h). */
    static final int NFGENMSG_LEN = 4;
    /** {@code NLA_HDRLEN}: attribute length and type (linux/netlink.h). */
    static final int NLA_HDRLEN = 4;
    /** {@code NLA_F_NESTED}: the attribute's payload is itself attributes (linux/netlink.h). */
    static final int NLA_F_NESTED = 0x8000;
    /** {@code NFNETLINK_V0} (linux/netfilter/nfnetlink.h). */
    private static final int NFNETLINK_V0 = 0;
    /** NLMSG_ALIGNTO and NLA_ALIGNTO (linux/netlink.h): messages and attributes start on 4-byte boundaries. */
    static final int ALIGN = 4;

    /** {@code length} rounded up to the next boundary (NLMSG_ALIGN / NLA_ALIGN). */
    static int align(int length) {
        return (length + ALIGN - 1) & -ALIGN;
    }

    private ByteBuffer buf = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    private final Deque<Integer> open = new ArrayDeque<>();
    private int messageStart = -1;

    /** Starts a message: its length is written by {@link #endMessage}. */
    NetlinkWriter beginMessage(int type, int flags, int seq, int family, int resourceId) {
        messageStart = buf.position();
        ensure(NLMSG_HDRLEN + NFGENMSG_LEN);
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
        buf.put((byte) family).put((byte) NFNETLINK_V0);
        // res_id is the one big-endian field of nfgenmsg.
        buf.order(ByteOrder.BIG_ENDIAN).putShort((short) resourceId).order(ByteOrder.LITTLE_ENDIAN);
        return this;
    }

    NetlinkWriter endMessage() {
        buf.putInt(messageStart, buf.position() - messageStart);
        messageStart = -1;
        return this;
    }

    /** An attribute with raw payload bytes (padded). */
    NetlinkWriter attr(int type, byte[] payload) {
        ensure(NLA_HDRLEN + payload.length + ALIGN);
        buf.putShort((short) (NLA_HDRLEN + payload.length)).putShort((short) type).put(payload);
        pad();
        return this;
    }

    /** A NUL-terminated string attribute, as libmnl's {@code mnl_attr_put_strz} writes it. */
    NetlinkWriter attrString(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.US_ASCII);
        return attr(type, Arrays.copyOf(s, s.length + 1));
    }

    /** A 32-bit attribute in network order ({@code htonl}). */
    NetlinkWriter attrBe32(int type, int value) {
        return attr(type, ByteBuffer.allocate(Integer.BYTES).putInt(value).array());
    }

    /** A 64-bit attribute in network order ({@code htobe64}). */
    NetlinkWriter attrBe64(int type, long value) {
        return attr(type, ByteBuffer.allocate(Long.BYTES).putLong(value).array());
    }

    /** Opens a nested attribute; {@link #endNest} writes its length. */
    NetlinkWriter beginNest(int type) {
        ensure(NLA_HDRLEN);
        open.push(buf.position());
        buf.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
        return this;
    }

    NetlinkWriter endNest() {
        int start = open.pop();
        buf.putShort(start, (short) (buf.position() - start));
        return this;
    }

    byte[] toByteArray() {
        if (!open.isEmpty() || messageStart >= 0) {
            throw new IllegalStateException("unclosed netlink message or nested attribute");
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    private void pad() {
        while (buf.position() % ALIGN != 0) {
            buf.put((byte) 0);
        }
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                    .order(ByteOrder.LITTLE_ENDIAN);
            bigger.put(buf.array(), 0, buf.position());
            buf = bigger;
        }
    }
}
