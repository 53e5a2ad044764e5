package io.ftpgate.protocol;

import io.ftpgate.net.PortRange;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An address and port decoded from PORT, EPRT or a 227 reply. The address is what the peer <em>claimed</em>:
 * the gateway never connects to it (bounce and SSRF defence); it is kept only to compare and to audit.
 *
 * @param address the claimed address; IPv4-mapped IPv6 literals arrive as {@link java.net.Inet4Address}
 * @param port    0..{@link FtpLimits#MAX_PORT}; 0 and privileged ports are the caller's to refuse
 */
public record HostPort(InetAddress address, int port) {

    /** Checks the port range. */
    public HostPort {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > PortRange.MAX_PORT) {
            throw new IllegalArgumentException("port must be 0-" + PortRange.MAX_PORT + ", got " + port);
        }
    }
}
