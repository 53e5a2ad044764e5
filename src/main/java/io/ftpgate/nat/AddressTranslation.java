package io.ftpgate.nat;

import io.ftpgate.net.Cidr;
import io.ftpgate.protocol.DataAddresses;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.FtpSyntaxException;
import io.ftpgate.protocol.HostPort;
import io.ftpgate.protocol.Verbs;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Every address that crosses the gateway inside the control stream is decided here, and every wire form that
 * carries one is generated here, never edited: the gateway's NAT. It is pure (no I/O), one instance per
 * listener, and safe to share between threads.
 *
 * <p>The four places, with the wire before and after (client 198.51.100.7, gateway outside 203.0.113.10 and
 * inside 10.0.0.1, server 10.0.0.5):
 * <pre>
 *   client PASV     gateway → client  227 Entering Passive Mode (203,0,113,10,238,72).   {@link #passiveReply}
 *                   (the listener's public address, or the control connection's local one; the gateway's
 *                   own pinhole port; EPSV's 229 carries no address: RFC 2428 §3, so it survives NAT)
 *   client PORT     client → gateway  PORT 198,51,100,7,195,80                           {@link #clientTarget}
 *                   the gateway connects to the client's control address, port 50000: only the port is taken
 *   server active   gateway → server  PORT 10,0,0,1,242,100  (EPRT |2|...| for IPv6)      {@link #activeCommand}
 *                   naming the gateway's inside address and its own server-side pinhole
 *   server passive  server → gateway  227 Entering Passive Mode (10,0,0,5,195,80)          {@link #serverTarget}
 *                   the gateway connects to the server's control address, port 50000, whatever address the
 *                   227 named (a differing one is reported as pasv-foreign-address)
 * </pre>
 */
public final class AddressTranslation {

    private final InetAddress publicAddress;

    /** @param publicAddress the configured public address, or {@code null} to advertise the local address */
    public AddressTranslation(InetAddress publicAddress) {
        this.publicAddress = publicAddress == null ? null : Cidr.canonical(publicAddress);
    }

    /** True when a public address is configured. */
    public boolean translated() {
        return publicAddress != null;
    }

    /**
     * The address for a 227 sent on a control connection whose local (gateway) address is {@code controlLocal},
     * or {@code null} when there is no IPv4 address to advertise (227 cannot carry IPv6; the client must use
     * EPSV).
     */
    public Inet4Address pasvAddress(InetAddress controlLocal) {
        InetAddress a = publicAddress != null ? publicAddress : Cidr.canonical(controlLocal);
        return a instanceof Inet4Address v4 ? v4 : null;
    }

    /**
     * The gateway's answer to a client's PASV ({@code extended} false) or EPSV for its pinhole {@code port}.
     * For PASV, {@link #pasvAddress} must have been checked to be non-null.
     */
    public FtpReply passiveReply(boolean extended, InetAddress controlLocal, int port) {
        return extended ? DataAddresses.epsvReply(port) : DataAddresses.pasvReply(pasvAddress(controlLocal), port);
    }

    /**
     * Where the client leg of an active-mode transfer is connected: {@code peer} is the client's control address
     * (or a configured FXP peer the caller has approved), the port is the one the client named.
     */
    public static InetSocketAddress clientTarget(InetAddress peer, int port) {
        return new InetSocketAddress(peer, port);
    }

    /** PORT (IPv4) or EPRT (IPv6) naming the gateway's own server-side address and pinhole port. */
    public static String activeCommand(InetAddress gatewayServerSide, int port) {
        return gatewayServerSide instanceof Inet4Address v4
                ? Verbs.PORT + " " + DataAddresses.formatPort(v4, port)
                : Verbs.EPRT + " " + DataAddresses.formatEprt(gatewayServerSide, port);
    }

    /** The verb {@link #activeCommand} uses toward a server-side address. */
    public static String activeVerb(InetAddress gatewayServerSide) {
        return gatewayServerSide instanceof Inet4Address ? Verbs.PORT : Verbs.EPRT;
    }

    /** The verb the gateway sends first for a passive server: PASV to an IPv4 server, EPSV to an IPv6 one. */
    public static String passiveVerb(InetAddress serverControl) {
        return serverControl instanceof Inet4Address ? Verbs.PASV : Verbs.EPSV;
    }

    /**
     * What a server's final 227/229 to the gateway's own PASV/EPSV means for the connection.
     *
     * @param target       the server's control address with the port it named
     * @param foreignClaim the address the 227 named when it is not the server's own (else null): the gateway
     *                     does not use it, and reports it
     */
    public record ServerPassive(InetSocketAddress target, String foreignClaim) {
    }

    /**
     * Reads the final line of the final reply to the gateway's own {@code verb} (PASV or EPSV); only the port is
     * taken. Privileged ports are the caller's to refuse.
     *
     * @throws FtpSyntaxException when the reply cannot be parsed
     */
    public static ServerPassive serverTarget(String verb, FtpReply reply, InetAddress serverControl)
            throws FtpSyntaxException {
        List<String> lines = reply.lines();
        String text = lines.get(lines.size() - 1);
        if (Verbs.PASV.equals(verb)) {
            HostPort hp = DataAddresses.parsePasvReply(text);
            boolean foreign = !Cidr.canonical(hp.address()).equals(serverControl);
            return new ServerPassive(new InetSocketAddress(serverControl, hp.port()),
                    foreign ? "227 " + text : null);
        }
        return new ServerPassive(new InetSocketAddress(serverControl, DataAddresses.parseEpsvReply(text)), null);
    }
}
