package io.ftpgate.kernel;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Encodes one nf_tables transaction: a batch begin, set-element messages for one table, a batch end, each with
 * its own sequence number, the way {@code nft} 1.0.6 (libnftnl) lays them out, so the golden tests can compare
 * the bytes with what {@code nft} itself sends (src/test/resources/kernel/golden). Pure: no I/O.
 *
 * <p>ftpgate's own transactions differ from {@code nft add element} in two flags only, and on purpose:
 * {@link #acknowledged()} asks the kernel to answer every element message, so the gateway knows the pinhole is
 * in place before it sends the {@code 227}/{@code 229}; {@link #exclusive()} makes adding an element that
 * already exists an error ({@code EEXIST}) rather than a silent no-op that would keep the old element's
 * timeout.
 */
public final class NftBatch {

    /** Address families of nf_tables tables ({@code NFPROTO_*}, linux/netfilter.h). */
    public enum Family {
        /** {@code NFPROTO_INET}: one table for IPv4 and IPv6, what ftpgate installs. */
        INET(1),
        /** {@code NFPROTO_IPV4}. */
        IP(2),
        /** {@code NFPROTO_IPV6}. */
        IP6(10);

        final int code;

        Family(int code) {
            this.code = code;
        }
    }

    // linux/netlink.h
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    // linux/netfilter/nfnetlink.h
    static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    static final int NFNL_MSG_BATCH_END = 0x11;
    static final int NFNL_SUBSYS_NFTABLES = 10;
    private static final int AF_UNSPEC = 0;
    // linux/netfilter/nf_tables.h: enum nf_tables_msg_types
    static final int NFT_MSG_NEWSETELEM = 12;
    static final int NFT_MSG_DELSETELEM = 14;
    // enum nft_set_elem_list_attributes
    private static final int NFTA_SET_ELEM_LIST_TABLE = 1;
    private static final int NFTA_SET_ELEM_LIST_SET = 2;
    private static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    private static final int NFTA_SET_ELEM_LIST_SET_ID = 4;
    // enum nft_list_attributes
    private static final int NFTA_LIST_ELEM = 1;
    // enum nft_set_elem_attributes
    private static final int NFTA_SET_ELEM_KEY = 1;
    private static final int NFTA_SET_ELEM_DATA = 2;
    private static final int NFTA_SET_ELEM_TIMEOUT = 4;
    // enum nft_data_attributes
    private static final int NFTA_DATA_VALUE = 1;
    /** nf_tables stores each part of a concatenated key in whole 32-bit registers (NFT_REG32_SIZE). */
    private static final int REGISTER = 4;

    private final NetlinkWriter out = new NetlinkWriter();
    private final Family family;
    private final String table;
    private final int firstSeq;
    private int seq;
    private int extraFlags;
    private int elementMessages;

    private NftBatch(int firstSeq, Family family, String table) {
        this.firstSeq = firstSeq;
        this.seq = firstSeq;
        this.family = family;
        this.table = table;
        out.beginMessage(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES).endMessage();
    }

    /** Starts a transaction on {@code table}; the batch begin takes {@code firstSeq}, each message the next. */
    public static NftBatch begin(int firstSeq, Family family, String table) {
        return new NftBatch(firstSeq, family, table);
    }

    /** Every element message that follows asks for an answer ({@code NLM_F_ACK}). */
    public NftBatch acknowledged() {
        extraFlags |= NLM_F_ACK;
        return this;
    }

    /** Every element added after this fails with {@code EEXIST} if its key is already there. */
    public NftBatch exclusive() {
        extraFlags |= NLM_F_EXCL;
        return this;
    }

    /**
     * Adds one element to {@code set} (a set when {@code data} is null, a map otherwise) that the kernel removes
     * after {@code timeout} (null: the set's own timeout, or none). {@code setId} is the transaction-local id {@code nft} always sends
     * ({@code NFTA_SET_ELEM_LIST_SET_ID}, used only to find a set created in the same batch); 0 omits it.
     */
    public NftBatch add(String set, int setId, byte[] key, byte[] data, Duration timeout) {
        header(NFT_MSG_NEWSETELEM, NLM_F_CREATE, set);
        if (setId != 0) {
            out.attrBe32(NFTA_SET_ELEM_LIST_SET_ID, setId);
        }
        out.beginNest(NFTA_SET_ELEM_LIST_ELEMENTS).beginNest(NFTA_LIST_ELEM);
        if (timeout != null) {
            out.attrBe64(NFTA_SET_ELEM_TIMEOUT, timeout.toMillis());
        }
        value(NFTA_SET_ELEM_KEY, key);
        if (data != null) {
            value(NFTA_SET_ELEM_DATA, data);
        }
        out.endNest().endNest().endMessage();
        return this;
    }

    /** Deletes the element with {@code key} from {@code set}; {@code ENOENT} if it is not there. */
    public NftBatch delete(String set, byte[] key) {
        header(NFT_MSG_DELSETELEM, 0, set);
        out.beginNest(NFTA_SET_ELEM_LIST_ELEMENTS).beginNest(NFTA_LIST_ELEM);
        value(NFTA_SET_ELEM_KEY, key);
        out.endNest().endNest().endMessage();
        return this;
    }

    /** Ends the transaction: the bytes to send in one {@code send}, and the sequence numbers to expect back. */
    public Encoded end() {
        out.beginMessage(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq, AF_UNSPEC, NFNL_SUBSYS_NFTABLES).endMessage();
        return new Encoded(out.toByteArray(), firstSeq + 1, elementMessages, (extraFlags & NLM_F_ACK) != 0);
    }

    /**
     * A finished transaction.
     *
     * @param bytes what to send
     * @param firstElementSeq the sequence number of the first element message; the others follow it
     * @param elementMessages how many element messages it holds
     * @param acknowledged whether the kernel answers each of them
     */
    public record Encoded(byte[] bytes, int firstElementSeq, int elementMessages, boolean acknowledged) {

        /** The sequence number one past the batch end: the next transaction's first. */
        public int nextSeq() {
            return firstElementSeq + elementMessages + 1;
        }
    }

    /**
     * The key or data {@code address . port} of a concatenation {@code ipv4_addr . inet_service} or
     * {@code ipv6_addr . inet_service}: the address, then the port in network order, each padded to a register.
     */
    public static byte[] addressPort(InetAddress address, int port) {
        byte[] a = address.getAddress();
        return ByteBuffer.allocate(a.length + REGISTER).put(a).putShort((short) port).array();
    }

    /** The set-name suffix for an address's family: {@code 4} or {@code 6}. */
    public static String suffix(InetAddress address) {
        return address instanceof Inet4Address ? "4" : "6";
    }

    private void header(int message, int flags, String set) {
        int type = NFNL_SUBSYS_NFTABLES << 8 | message;
        int extra = message == NFT_MSG_NEWSETELEM ? extraFlags : extraFlags & NLM_F_ACK;
        out.beginMessage(type, NLM_F_REQUEST | flags | extra, seq++, family.code, 0);
        out.attrString(NFTA_SET_ELEM_LIST_TABLE, table).attrString(NFTA_SET_ELEM_LIST_SET, set);
        elementMessages++;
    }

    private void value(int attribute, byte[] bytes) {
        out.beginNest(attribute).attr(NFTA_DATA_VALUE, bytes).endNest();
    }
}
