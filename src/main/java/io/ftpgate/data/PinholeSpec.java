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
 */
public record PinholeSpec(InetAddress bindAddress, PortRange range, InetAddress expectedPeer,
        Predicate<InetAddress> alsoAccepted, Duration ttl) {

    /** A pinhole for {@code expectedPeer} alone. */
    public PinholeSpec(InetAddress bindAddress, PortRange range, InetAddress expectedPeer, Duration ttl) {
        this(bindAddress, range, expectedPeer, peer -> false, ttl);
    }
}
