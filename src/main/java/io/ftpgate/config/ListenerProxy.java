package io.ftpgate.config;

import io.ftpgate.net.Cidr;
import io.ftpgate.proxy.ProxyVersion;
import java.util.List;

/**
 * The PROXY protocol settings of one listener (running several ftpgate instances behind HAProxy, see
 * docs/scaling.md).
 *
 * @param in     whether control connections start with a PROXY header ({@code proxy-protocol})
 * @param from   the balancers whose headers are believed ({@code proxy-protocol-from}); a connection from anyone
 *               else to a PROXY listener or pinhole is refused
 * @param data   whether client-side pinholes expect a PROXY header first ({@code data-proxy-protocol}: the
 *               balancer forwards the passive range too); the pinhole binds to the client the header names
 * @param server whether ftpgate sends a PROXY header to the server on its control connection
 *               ({@code server-proxy-protocol}: off, v1 or v2)
 */
public record ListenerProxy(ProxyVersion in, List<Cidr> from, ProxyVersion data, ProxyVersion server) {

    /** No PROXY protocol anywhere (the default). */
    public static final ListenerProxy OFF = new ListenerProxy(ProxyVersion.OFF, List.of(), ProxyVersion.OFF,
            ProxyVersion.OFF);

    public ListenerProxy {
        in = in == null ? ProxyVersion.OFF : in;
        from = from == null ? List.of() : List.copyOf(from);
        data = data == null ? ProxyVersion.OFF : data;
        server = server == null ? ProxyVersion.OFF : server;
        if (server == ProxyVersion.ANY) {
            throw new IllegalArgumentException("server-proxy-protocol must be off, v1 or v2 (ftpgate sends one)");
        }
        if ((in.on() || data.on()) && from.isEmpty()) {
            throw new IllegalArgumentException((in.on() ? "proxy-protocol " + in.text() : "data-proxy-protocol "
                    + data.text()) + " needs proxy-protocol-from: the balancers' address blocks (a header from"
                    + " anyone else is refused, so without them every connection would be)");
        }
    }
}
