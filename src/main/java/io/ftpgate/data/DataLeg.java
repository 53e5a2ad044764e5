package io.ftpgate.data;

import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;

/**
 * One side of a data connection as a {@link DataPath} holds it: the connection with the client, or with the
 * server. Control code never reads or writes a leg; it only waits for legs, hands a pair to
 * {@link DataPath#prepare}, and closes what it no longer needs. Methods run on the session's event loop.
 */
public interface DataLeg {

    /** The peer's address (the client's or the server's; nobody else can be a data peer). */
    InetSocketAddress remote();

    /** True while the connection is open. */
    boolean isOpen();

    /**
     * Notices a peer that closes the leg while it waits for its transfer, on every transport. Anything the
     * peer sends meanwhile is kept for the flow, in order.
     */
    void watch();

    /**
     * Puts TLS on the leg ({@code PROT P}): {@code tls} goes in front of everything, so what the flow later moves
     * is plaintext on this side of it. Completes when the handshake has.
     */
    Future<Void> secure(SslHandler tls);

    /** Closes the leg and drops whatever was held for it. Idempotent. */
    void close();
}
