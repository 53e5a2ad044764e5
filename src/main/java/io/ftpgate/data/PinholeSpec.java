package io.ftpgate.data;

import io.ftpgate.net.PortRange;
import java.net.InetAddress;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Where a {@link Pinhole} listens and whom it accepts.
 *
 * @param bindAddress  the gateway's own address on that side (never a wildcard: the peer connects to the
 *                     address it was told)
 * @param range        the unprivileged port range to take a free port from
 * @param expectedPeer the control peer of that side: the only address accepted
 * @param alsoAccepted peers a configured FXP exception also accepts (still one connection)
 * @param ttl          how long the pinhole waits for its peer
 * @param transparent  bind with IP_TRANSPARENT: transparent placement binds client-side pinholes to the
 *                     server's address (the address the client connects to), which is not the gateway's own
 */
public record PinholeSpec(InetAddress bindAddress, PortRange range, InetAddress expectedPeer,
        Predicate<InetAddress> alsoAccepted, Duration ttl, boolean transparent) {

    /** A pinhole for {@code expectedPeer} alone. */
    public PinholeSpec(InetAddress bindAddress, PortRange range, InetAddress expectedPeer, Duration ttl) {
        this(bindAddress, range, expectedPeer, peer -> false, ttl, false);
    }

    /** A pinhole for {@code expectedPeer} and the peers {@code alsoAccepted} admits. */
    public PinholeSpec(InetAddress bindAddress, PortRange range, InetAddress expectedPeer,
            Predicate<InetAddress> alsoAccepted, Duration ttl) {
        this(bindAddress, range, expectedPeer, alsoAccepted, ttl, false);
    }

    /** This spec bound with IP_TRANSPARENT when {@code on}. */
    public PinholeSpec transparent(boolean on) {
        return new PinholeSpec(bindAddress, range, expectedPeer, alsoAccepted, ttl, on);
    }
}
