package io.ftpgate.net;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** How ftpgate writes and compares socket addresses. */
public final class SocketAddresses {

    private SocketAddresses() {
    }

    /**
     * {@code address:port} as the audit log writes it: IPv6 compressed and bracketed ({@code [2001:db8::10]:21})
     * so the port cannot be mistaken for part of the address.
     */
    public static String hostPort(InetAddress address, int port) {
        return NetUtil.toSocketAddressString(new InetSocketAddress(address, port));
    }

    /** {@link #hostPort(InetAddress, int)} of a socket address. */
    public static String hostPort(InetSocketAddress a) {
        return hostPort(a.getAddress(), a.getPort());
    }

    /** The same socket address with its IP canonical (IPv4-mapped IPv6 unmapped), for comparisons. */
    public static InetSocketAddress canonical(InetSocketAddress a) {
        return new InetSocketAddress(Cidr.canonical(a.getAddress()), a.getPort());
    }
}
