package io.ftpgate.data;

import io.ftpgate.proxy.ProxyFailure;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;

/**
 * A single-use data listener bound to one expected peer: the gateway's equivalent of OpenBSD ftp-proxy's
 * {@code keep state (max 1)} rule pinned to the peer. It accepts exactly one connection, only from the expected
 * peer, then stops waiting; a connection from anyone else is closed and reported, and the pinhole keeps
 * waiting; if the peer does not come within the time to live, it closes and reports expiry. Made by a
 * {@link DataPath}; all methods run on the owning event loop.
 *
 * <p>A pinhole is keyed by (peer address, port): pinholes for different peers may share a port (the relay path
 * dispatches each connection by its source address, or by the client a PROXY header names), so a few ports
 * serve many clients; two pending pinholes for the same peer never share one.
 */
public interface Pinhole {

    /** Receives the events a pinhole reports; called on the event loop. */
    interface Events {
        /** A connection arrived from an address other than the expected peer and was closed. */
        void peerMismatch(InetSocketAddress from);

        /** The expected peer did not connect in time; the pinhole is closed. */
        void expired();

        /**
         * A connection to the pinhole's port was refused for its PROXY header (pinholes with a
         * {@link PinholeSpec#proxy}); every pinhole waiting on that port is told. The pinhole keeps waiting.
         */
        default void proxyRefused(ProxyFailure failure, InetSocketAddress from, String detail) {
        }
    }

    /** The port this pinhole listens on. */
    int port();

    /** Completes with the one accepted leg, or fails when the pinhole closes unused. */
    Future<DataLeg> accepted();

    /** Stops listening and closes the accepted leg, if any: nothing outlives the transfer. Idempotent. */
    void close();

    /** True once closed (used, expired or cancelled). */
    boolean isClosed();

    /** The pinhole closed before its peer connected. */
    final class PinholeClosedException extends Exception {
        private static final long serialVersionUID = 1L;

        PinholeClosedException() {
            super("pinhole closed before the peer connected", null, false, false);
        }
    }

    /** No port of the range is free for this peer: each has a pending pinhole for it, or cannot be bound. */
    final class PinholeExhaustedException extends Exception {
        private static final long serialVersionUID = 1L;

        public PinholeExhaustedException(String message) {
            super(message, null, false, false);
        }
    }
}
