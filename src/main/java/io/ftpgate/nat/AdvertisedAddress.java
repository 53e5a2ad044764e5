package io.ftpgate.nat;

import io.ftpgate.net.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The address the gateway advertises to a client in its own 227 replies: the PNAT rewrite.
 *
 * <p>Behind address translation the gateway's local address is not what the client can reach, so the
 * listener's public address is advertised instead. The reply is generated, never edited:
 * <pre>
 *   server → gateway:  227 Entering Passive Mode (10,0,0,5,195,80)       (only ever read for its port)
 *   gateway → client:  227 Entering Passive Mode (203,0,113,10,197,12).   (public address, gateway's pinhole)
 * </pre>
 * EPSV's 229 carries no address (RFC 2428 §3), so it needs no translation; that is why it survives NAT.
 */
public final class AdvertisedAddress {

    private final InetAddress publicAddress;

    /** @param publicAddress the configured public address, or {@code null} to advertise the local address */
    public AdvertisedAddress(InetAddress publicAddress) {
        this.publicAddress = publicAddress == null ? null : Cidr.canonical(publicAddress);
    }

    /**
     * The address for a 227 sent on a control connection whose local (gateway) address is {@code controlLocal},
     * or {@code null} when there is no IPv4 address to advertise (227 cannot carry IPv6; the client must use
     * EPSV).
     */
    public Inet4Address forPasv(InetAddress controlLocal) {
        InetAddress a = publicAddress != null ? publicAddress : Cidr.canonical(controlLocal);
        return a instanceof Inet4Address v4 ? v4 : null;
    }

    /** True when a public address is configured. */
    public boolean translated() {
        return publicAddress != null;
    }
}
