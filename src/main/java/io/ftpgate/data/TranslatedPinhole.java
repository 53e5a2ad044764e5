package io.ftpgate.data;

import io.netty.util.concurrent.Future;

/**
 * An armed pinhole of a {@link TranslatingPath}, and the one transfer over it. Its {@link #flow} is committed
 * when the server has taken the transfer command; since ftpgate does not see the connection itself, the flow
 * is told when the server has given its final reply ({@link DataFlow#serverAnswered}) and then ends once the
 * connection has. Methods run on the session's event loop.
 */
public interface TranslatedPinhole {

    /** The port the peer connects to. */
    int port();

    /** The transfer over this pinhole (one per pinhole). */
    DataFlow flow();

    /**
     * Whether the peer has connected yet: asked when a transfer starts after the pinhole's timeout, to tell
     * an expired pinhole from a used one.
     */
    Future<Boolean> connected();

    /**
     * Completes when the pinhole is released: true when its peer had connected (the pinhole was consumed),
     * false when nobody came. Never fails.
     */
    Future<Boolean> used();

    /**
     * Removes the pinhole without waiting for its connection, and cuts that connection if it has one
     * (nothing outlives the transfer). Idempotent; nothing happens after the flow has ended by itself.
     */
    void close();
}
