package io.ftpgate.proxy;

import java.net.InetSocketAddress;

/**
 * What a PROXY protocol header said about a connection.
 *
 * @param client  the real client (the header's source), or the connection's peer for a LOCAL/UNKNOWN header
 * @param gateway the address the client connected to (the header's destination), or the connection's own
 * @param via     the connection's actual peer: the balancer that sent the header
 * @param version {@code v1} or {@code v2}
 * @param local   true for a header that names no client (v2 LOCAL, v1 UNKNOWN: a balancer's health check)
 */
public record ProxyHeader(InetSocketAddress client, InetSocketAddress gateway, InetSocketAddress via,
        String version, boolean local) {
}
