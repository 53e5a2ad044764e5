package io.ftpgate.tls;

import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What a finished TLS handshake settled, for the audit log and for policy.
 *
 * @param protocol e.g. {@code TLSv1.3}
 * @param cipherSuite e.g. {@code TLS_AES_128_GCM_SHA256}
 * @param resumed whether the handshake resumed an earlier session (JDK provider: read off the wire, its engine
 *     does not say; OpenSSL: BoringSSL's own flag; see {@link ServerTls#resumedFrom} for which session)
 * @param peerSubject the subject of the peer's certificate ({@code CN=...}), or null when it sent none
 */
public record TlsFacts(String protocol, String cipherSuite, boolean resumed, String peerSubject) {

    /**
     * The facts of {@code handler}'s handshake.
     *
     * @throws IllegalArgumentException when the handler was not made by {@link ServerTls} or {@link SessionTls}
     * @throws IllegalStateException when its handshake has not succeeded (yet)
     */
    public static TlsFacts of(SslHandler handler) {
        TlsHandler tls = TlsHandler.of(handler);
        if (!handler.handshakeFuture().isSuccess()) {
            throw new IllegalStateException("the TLS handshake has not succeeded");
        }
        SSLSession s = handler.engine().getSession();
        String peer;
        try {
            peer = s.getPeerPrincipal().getName();
        } catch (SSLPeerUnverifiedException e) {
            peer = null;
        }
        return new TlsFacts(s.getProtocol(), s.getCipherSuite(), tls.resumed(), peer);
    }
}
