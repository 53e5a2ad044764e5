package io.ftpgate.data;

import io.ftpgate.net.PortRange;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A data path beside the relay for transfers whose two legs run the same direction: the peer's connection to
 * a pinhole is not accepted by ftpgate but translated, as it arrives, into one connection to the other control
 * peer's data address (the kernel path: nftables DNAT and SNAT, as OpenBSD's ftp-proxy does with pf). The
 * control package decides when; the guarantees are the relay's: only the expected peer, once, within the
 * pinhole timeout, only to the address the control package chose (always a control peer's).
 */
public interface TranslatingPath extends AutoCloseable {

    /** A short name for logs, audit and metrics ("kernel"). */
    String name();

    /** Whether a transfer between {@code peer} and {@code target} can take this path (same family, served). */
    boolean serves(InetAddress peer, InetAddress target);

    /**
     * Arms a single-use pinhole on a port of {@code range}: the first new TCP connection from {@code peer} to
     * that port within {@code ttl} goes to {@code target}, leaving the gateway from {@code source} (the
     * gateway's own address on the target's side). Completes on {@code loop}; fails with
     * {@link Pinhole.PinholeExhaustedException} when no port is free for the peer, or with
     * {@link TranslationException} when the path itself failed (nothing is left armed then).
     *
     * @param peerIsClient whether {@code peer} is the client (a passive client) or the server (an active one):
     *                     which way a transfer's bytes count
     */
    Future<TranslatedPinhole> arm(EventLoop loop, PortRange range, InetAddress peer, InetSocketAddress target,
            InetAddress source, Duration ttl, boolean peerIsClient);

    /**
     * How many connections to the pinhole ranges matched no pinhole (and no relay pinhole listened for them)
     * since the last call: the path refused them itself, so this is how they are reported.
     */
    long unmatched() throws TranslationException;

    /** Removes everything the path installed (a clean exit). */
    @Override
    void close();

    /** The path could not arm, read or release a pinhole; the message is one line. */
    final class TranslationException extends Exception {
        private static final long serialVersionUID = 1L;

        public TranslationException(String message) {
            super(message, null, false, false);
        }
    }
}
