package io.ftpgate.control;

import io.ftpgate.policy.Cidr;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** How the control package writes and compares socket addresses. */
final class Addresses {

    private Addresses() {
    }

    /**
     * {@code address:port} as the audit log writes it: IPv6 compressed and bracketed ({@code [2001:db8::10]:21})
     * so the port cannot be mistaken for part of the address.
     */
    static String hostPort(InetAddress address, int port) {
        return NetUtil.toSocketAddressString(new InetSocketAddress(address, port));
    }

    /** The same socket address with its IP canonical (IPv4-mapped IPv6 unmapped), for comparisons. */
    static InetSocketAddress canonical(InetSocketAddress a) {
        return new InetSocketAddress(Cidr.canonical(a.getAddress()), a.getPort());
    }
}
