package io.ftpgate.net;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address block such as {@code 192.0.2.0/24} or {@code 2001:db8::/32}, matched against peer addresses.
 *
 * <p>IPv4-mapped IPv6 addresses ({@code ::ffff:192.0.2.1}) are matched as the IPv4 address they carry, so a
 * dual-stack socket cannot be used to slip past an IPv4 rule.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefix;
    private final String text;
    private final boolean hostBits;

    private Cidr(byte[] network, int prefix, String text, boolean hostBits) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
        this.hostBits = hostBits;
    }

    /** Parses {@code ADDR/PREFIX} or a bare address (a host route). No DNS lookup is ever made. */
    public static Cidr parse(String text) {
        String s = text == null ? "" : text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("expected an address block such as 192.0.2.0/24 or 2001:db8::/32, got '"
                    + text + "'");
        }
        bytes = unmap(bytes);
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("prefix length must be 0-" + max + " in '" + text + "'");
            }
        }
        byte[] net = mask(bytes, prefix);
        return new Cidr(net, prefix, s, !Arrays.equals(net, bytes));
    }

    /**
     * True when the address as written has bits set beyond the prefix ({@code 192.168.1.1/24}): the block still
     * means {@link #network()}, but what was written was most likely a host address, or a mistyped block.
     */
    public boolean hasHostBits() {
        return hostBits;
    }

    /** The block in its canonical form, network address and prefix: {@code 192.168.1.0/24}. */
    public String network() {
        return NetUtil.bytesToIpAddress(network) + "/" + prefix;
    }

    /** True when {@code address} lies in this block. */
    public boolean contains(InetAddress address) {
        byte[] a = unmap(address.getAddress());
        return a.length == network.length && Arrays.equals(mask(a, prefix), network);
    }

    /** True when any of {@code blocks} contains {@code address}. */
    public static boolean anyContains(Iterable<Cidr> blocks, InetAddress address) {
        for (Cidr c : blocks) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the canonical form of an address for comparisons: IPv4-mapped IPv6 becomes IPv4, and IPv6 scope
     * ids are dropped.
     */
    public static InetAddress canonical(InetAddress address) {
        try {
            byte[] a = unmap(address.getAddress());
            if (address instanceof Inet4Address && a.length == 4) {
                return address;
            }
            if (address instanceof Inet6Address && a.length == 16 && ((Inet6Address) address).getScopeId() == 0) {
                return address;
            }
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of invalid length", e);
        }
    }

    private static byte[] unmap(byte[] a) {
        if (a.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (a[i] != 0) {
                    return a;
                }
            }
            if (a[10] == (byte) 0xff && a[11] == (byte) 0xff) {
                return Arrays.copyOfRange(a, 12, 16);
            }
        }
        return a;
    }

    private static byte[] mask(byte[] a, int prefix) {
        byte[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - bits));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        return text;
    }
}
