package io.ftpgate.auditor;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * What kind of address a 227 reply carries, for the PASV address-leak check. A server that advertises one of
 * the non-public kinds to a client that reached it elsewhere tells the world its internal addressing (and
 * breaks clients that believe the 227, which is why curl and ftpgate ignore its address).
 */
enum AddressClass {
    /** {@code 0.0.0.0} or {@code ::}: a server that advertises its wildcard bind address. */
    UNSPECIFIED("an unspecified address"),
    /** 127.0.0.0/8, ::1. */
    LOOPBACK("a loopback address"),
    /** 169.254.0.0/16, fe80::/10. */
    LINK_LOCAL("a link-local address"),
    /** RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 6598 shared space (100.64/10), RFC 4193 (fc00::/7). */
    PRIVATE("a private address"),
    /** Anything else, e.g. another public address of the same operator. */
    PUBLIC("another public address");

    /** First octet and mask of the RFC 6598 carrier-grade NAT block 100.64.0.0/10. */
    private static final int CGNAT_FIRST_OCTET = 100;
    private static final int CGNAT_SECOND_MASK = 0xc0;
    private static final int CGNAT_SECOND_VALUE = 0x40;
    /** First byte and mask of the RFC 4193 unique local block fc00::/7. */
    private static final int ULA_MASK = 0xfe;
    private static final int ULA_VALUE = 0xfc;

    private final String description;

    AddressClass(String description) {
        this.description = description;
    }

    /** {@code a private address}, for verdicts. */
    String description() {
        return description;
    }

    /** Classifies an address. */
    static AddressClass of(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            return UNSPECIFIED;
        } else if (a.isLoopbackAddress()) {
            return LOOPBACK;
        } else if (a.isLinkLocalAddress()) {
            return LINK_LOCAL;
        } else if (a.isSiteLocalAddress()) {
            return PRIVATE;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            boolean cgnat = (b[0] & 0xff) == CGNAT_FIRST_OCTET && (b[1] & CGNAT_SECOND_MASK) == CGNAT_SECOND_VALUE;
            return cgnat ? PRIVATE : PUBLIC;
        }
        return (b[0] & ULA_MASK) == ULA_VALUE ? PRIVATE : PUBLIC;
    }
}
