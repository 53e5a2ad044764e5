package io.ftpgate.data;

import io.ftpgate.net.Cidr;
import io.ftpgate.net.PortRange;
import io.ftpgate.proxy.ProxyVersion;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Where a {@link Pinhole} listens and whom it accepts.
 *
 * @param bindAddress  the gateway's own address on that side (never a wildcard: the peer connects to the
 *                     address it was told)
 * @param range        the unprivileged port range to take a port from
 * @param expectedPeer the control peer of that side: the only address accepted
 * @param alsoAccepted peers a configured FXP exception also accepts (still one connection), or null for none;
 *                     a pinhole with exceptions has its port to itself, as it cannot say whom it waits for
 * @param ttl          how long the pinhole waits for its peer
 * @param proxy        the PROXY header each connection must start with (data through a balancer), or null
 * @param transparent  bind with IP_TRANSPARENT: transparent placement binds client-side pinholes to the
 *                     server's address (the address the client connects to), which is not the gateway's own
 */
public record PinholeSpec(InetAddress bindAddress, PortRange range, InetAddress expectedPeer,
        Predicate<InetAddress> alsoAccepted, Duration ttl, Proxy proxy, boolean transparent) {

    /** A pinhole for {@code expectedPeer} alone. */
    public PinholeSpec(InetAddress bindAddress, PortRange range, InetAddress expectedPeer, Duration ttl) {
        this(bindAddress, range, expectedPeer, null, ttl, null, false);
    }

    /**
     * The PROXY header a pinhole's connections start with: the balancer forwards the passive range with
     * {@code send-proxy-v2}, and the header names the client the pinhole binds to.
     *
     * @param version the header version accepted
     * @param from    the balancers whose headers are believed
     * @param timeout how long a header may take
     */
    public record Proxy(ProxyVersion version, List<Cidr> from, Duration timeout) {
        public Proxy {
            from = List.copyOf(from);
        }
    }
}
