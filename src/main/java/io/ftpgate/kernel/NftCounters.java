package io.ftpgate.kernel;

import io.ftpgate.kernel.NftBatch.Family;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Reads nftables counters, outside a batch. An element's: the request {@code nft get element} sends
 * ({@code NFT_MSG_GETSETELEM} with a key) and the counter in the kernel's answer ({@code NFTA_SET_ELEM_EXPR}
 * holding a {@code counter} expression); the kernel data path counts each translated connection this way, per
 * direction ({@link KernelRuleset}'s {@code flowsN} sets). A named counter's ({@code impostors}): read and
 * zeroed as {@code nft reset counter} does. Pure: no I/O.
 */
public final class NftCounters {

    /** {@code NFT_MSG_GETSETELEM} (linux/netfilter/nf_tables.h). */
    static final int NFT_MSG_GETSETELEM = 13;
    /** {@code NFT_MSG_NEWSETELEM}: the type of the kernel's answer. */
    private static final int NFT_MSG_NEWSETELEM = 12;
    // enum nft_set_elem_list_attributes, nft_list_attributes, nft_set_elem_attributes, nft_data_attributes
    private static final int LIST_TABLE = 1;
    private static final int LIST_SET = 2;
    private static final int LIST_ELEMENTS = 3;
    private static final int LIST_ELEM = 1;
    private static final int ELEM_KEY = 1;
    private static final int ELEM_EXPR = 7;
    private static final int ELEM_EXPRESSIONS = 11;
    private static final int DATA_VALUE = 1;
    // enum nft_expr_attributes, nft_counter_attributes
    private static final int EXPR_NAME = 1;
    private static final int EXPR_DATA = 2;
    private static final int COUNTER_BYTES = 1;
    private static final int COUNTER_PACKETS = 2;
    // enum nf_tables_msg_types, nft_object_attributes; NFT_OBJECT_COUNTER (linux/netfilter/nf_tables.h)
    private static final int NFT_MSG_NEWOBJ = 18;
    private static final int NFT_MSG_GETOBJ_RESET = 21;
    private static final int OBJ_TABLE = 1;
    private static final int OBJ_NAME = 2;
    private static final int OBJ_TYPE = 3;
    private static final int OBJ_DATA = 4;
    private static final int NFT_OBJECT_COUNTER = 1;
    /** The attribute type without {@code NLA_F_NESTED} and {@code NLA_F_NET_BYTEORDER} (linux/netlink.h). */
    private static final int NLA_TYPE_MASK = 0x3fff;

    private NftCounters() {
    }

    /**
     * A counter's value.
     *
     * @param bytes bytes of the packets counted, IP headers included (what nftables counters count)
     * @param packets packets counted (after GRO: one per aggregated segment the hook saw)
     */
    public record Counter(long bytes, long packets) {
        public static final Counter NONE = new Counter(0, 0);
    }

    /** The request for the element with {@code key} in {@code set}, in {@code nft}'s attribute order. */
    public static byte[] elementRequest(int seq, Family family, String table, String set, byte[] key) {
        NetlinkWriter w = new NetlinkWriter();
        w.beginMessage(NftBatch.NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETSETELEM,
                NftBatch.NLM_F_REQUEST | NftBatch.NLM_F_ACK, seq, family.code, 0);
        w.attrString(LIST_SET, set).attrString(LIST_TABLE, table);
        w.beginNest(LIST_ELEMENTS).beginNest(LIST_ELEM).beginNest(ELEM_KEY).attr(DATA_VALUE, key)
                .endNest().endNest().endNest().endMessage();
        return w.toByteArray();
    }

    /**
     * The request that reads and zeroes the named counter {@code name} in one step
     * ({@code NFT_MSG_GETOBJ_RESET}), as {@code nft reset counter} sends it: each read says what was counted
     * since the one before.
     */
    public static byte[] resetObjectRequest(int seq, Family family, String table, String name) {
        NetlinkWriter w = new NetlinkWriter();
        w.beginMessage(NftBatch.NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETOBJ_RESET,
                NftBatch.NLM_F_REQUEST | NftBatch.NLM_F_ACK, seq, family.code, 0);
        w.attrString(OBJ_TABLE, table).attrString(OBJ_NAME, name).attrBe32(OBJ_TYPE, NFT_OBJECT_COUNTER);
        w.beginNest(OBJ_DATA).endNest().endMessage();
        return w.toByteArray();
    }

    /** The counter of the first element in the answers {@code buf[0, len)}, if there is one. */
    public static Optional<Counter> parseElement(byte[] buf, int len) {
        return firstOf(buf, len, NFT_MSG_NEWSETELEM, NftCounters::elementCounter);
    }

    /** The value of the named counter in the answers {@code buf[0, len)}, if there is one. */
    public static Optional<Counter> parseObject(byte[] buf, int len) {
        return firstOf(buf, len, NFT_MSG_NEWOBJ, (b, start, end) -> {
            int[] data = find(b, start, end, OBJ_DATA);
            return data == null ? Optional.empty() : counterData(b, data);
        });
    }

    private interface AttributeReader {
        Optional<Counter> read(ByteBuffer b, int start, int end);
    }

    /** Applies {@code reader} to the attributes of each nf_tables message of type {@code message}. */
    private static Optional<Counter> firstOf(byte[] buf, int len, int message, AttributeReader reader) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, len).order(ByteOrder.LITTLE_ENDIAN);
        int off = 0;
        while (off + NetlinkWriter.NLMSG_HDRLEN <= len) {
            int length = b.getInt(off);
            if (length < NetlinkWriter.NLMSG_HDRLEN || off + length > len) {
                throw new NetlinkException("malformed netlink answer: a message of " + length + " bytes");
            }
            int type = Short.toUnsignedInt(b.getShort(off + 4));
            if (type == (NftBatch.NFNL_SUBSYS_NFTABLES << 8 | message)) {
                int attrs = off + NetlinkWriter.NLMSG_HDRLEN + NetlinkWriter.NFGENMSG_LEN;
                Optional<Counter> c = reader.read(b, attrs, off + length);
                if (c.isPresent()) {
                    return c;
                }
            }
            off += NetlinkWriter.align(length);
        }
        return Optional.empty();
    }

    private static Optional<Counter> elementCounter(ByteBuffer b, int start, int end) {
        int[] elements = find(b, start, end, LIST_ELEMENTS);
        int[] elem = elements == null ? null : find(b, elements[0], elements[1], LIST_ELEM);
        if (elem == null) {
            return Optional.empty();
        }
        int[] one = find(b, elem[0], elem[1], ELEM_EXPR);
        if (one != null) {
            return counterExpression(b, one);
        }
        int[] many = find(b, elem[0], elem[1], ELEM_EXPRESSIONS);
        for (int at = many == null ? end : many[0]; many != null && at + NetlinkWriter.NLA_HDRLEN <= many[1];) {
            int length = Short.toUnsignedInt(b.getShort(at));
            Optional<Counter> c = counterExpression(b, new int[] {at + NetlinkWriter.NLA_HDRLEN, at + length});
            if (c.isPresent()) {
                return c;
            }
            at += NetlinkWriter.align(length);
        }
        return Optional.empty();
    }

    private static Optional<Counter> counterExpression(ByteBuffer b, int[] expr) {
        int[] name = find(b, expr[0], expr[1], EXPR_NAME);
        int[] data = find(b, expr[0], expr[1], EXPR_DATA);
        if (name == null || data == null || !"counter".equals(string(b, name))) {
            return Optional.empty();
        }
        return counterData(b, data);
    }

    /** A counter's attributes: bytes and packets, each a 64-bit number in network order. */
    private static Optional<Counter> counterData(ByteBuffer b, int[] data) {
        int[] bytes = find(b, data[0], data[1], COUNTER_BYTES);
        int[] packets = find(b, data[0], data[1], COUNTER_PACKETS);
        if (bytes == null || packets == null) {
            return Optional.empty();
        }
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        return Optional.of(new Counter(be.getLong(bytes[0]), be.getLong(packets[0])));
    }

    /** The payload bounds {start, end} of the first attribute of {@code type} in [start, end), or null. */
    private static int[] find(ByteBuffer b, int start, int end, int type) {
        int at = start;
        while (at + NetlinkWriter.NLA_HDRLEN <= end) {
            int length = Short.toUnsignedInt(b.getShort(at));
            if (length < NetlinkWriter.NLA_HDRLEN || at + length > end) {
                throw new NetlinkException("malformed netlink answer: an attribute of " + length + " bytes");
            }
            if ((Short.toUnsignedInt(b.getShort(at + 2)) & NLA_TYPE_MASK) == type) {
                return new int[] {at + NetlinkWriter.NLA_HDRLEN, at + length};
            }
            at += NetlinkWriter.align(length);
        }
        return null;
    }

    private static String string(ByteBuffer b, int[] bounds) {
        StringBuilder s = new StringBuilder();
        for (int i = bounds[0]; i < bounds[1] && b.get(i) != 0; i++) {
            s.append((char) b.get(i));
        }
        return s.toString();
    }
}
