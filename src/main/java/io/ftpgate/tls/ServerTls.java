package io.ftpgate.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * ftpgate as the TLS server, facing FTP clients: one certificate and key, one {@link SslContext} and so one
 * session cache for every connection of a listener. Control connections and the client-side data connections
 * take their handlers from the same context, because a client resumes its control connection's TLS session on
 * each data connection (RFC 4217; clients that require it: FileZilla, lftp with ssl:reuse) and a session can
 * only be resumed in the context that made it. With the OpenSSL provider the context is per control
 * connection instead, and its data connections take theirs from it ({@link #newDataHandler}). On a data
 * connection ftpgate is the TLS server even when it opened the TCP connection (active mode): the TLS roles
 * follow the control connection.
 *
 * <p>TLS 1.3 and 1.2 only (unless {@link TlsSettings} narrows them), no renegotiation. With a client CA file,
 * clients may present a certificate (not must): one that does not chain to the CA fails the handshake, none is
 * fine, and the subject of a valid one is in {@link TlsFacts#peerSubject()}.
 *
 * <p>Immutable; a new certificate means a new ServerTls (sessions of the old one are then not resumed).
 */
public final class ServerTls {

    /** The listener's context; with OpenSSL only the template for the per-connection ones (see below). */
    private final SslContext context;
    private final SslContextBuilder builder;
    private final TlsSettings settings;
    private final X509Certificate leaf;
    private final String fingerprint;
    private final List<String> warnings;

    private ServerTls(SslContextBuilder builder, TlsSettings settings, X509Certificate leaf, List<String> warnings)
            throws SSLException {
        this.context = builder.build();
        this.builder = builder;
        this.settings = settings;
        this.leaf = leaf;
        this.fingerprint = Fingerprints.sha256(leaf);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Reads and checks the certificate chain (leaf first), its key and the optional client CA file, and builds
     * the TLS context.
     *
     * @param clientCaPem CA certificates for client certificates, or null: then none is requested
     * @throws TlsConfigException one line naming the file and the problem: not found, unreadable, not PEM, an
     *     encrypted key, a key that does not belong to the certificate, a context the provider refuses
     */
    public static ServerTls load(Path certChainPem, Path keyPem, Path clientCaPem, TlsSettings settings)
            throws TlsConfigException {
        Objects.requireNonNull(settings, "settings");
        settings.provider().requireAvailable();
        Credentials own = Credentials.load(certChainPem, keyPem, "TLS certificate");
        List<String> warnings = new ArrayList<>(own.warnings());
        SslContextBuilder b = SslContextBuilder.forServer(own.key(), own.chain().toArray(X509Certificate[]::new))
                .sslProvider(settings.provider().netty())
                .protocols(settings.protocols());
        if (clientCaPem != null) {
            List<X509Certificate> cas = Pem.certificates(clientCaPem, "client CA file");
            b.trustManager(cas.toArray(X509Certificate[]::new)).clientAuth(ClientAuth.OPTIONAL);
        } else {
            b.clientAuth(ClientAuth.NONE);
        }
        try {
            return new ServerTls(b, settings, own.leaf(), warnings);
        } catch (SSLException | RuntimeException e) {
            throw new TlsConfigException("TLS certificate " + certChainPem + ": " + settings.provider()
                    + " TLS refuses it: " + Pem.oneLine(e), e);
        }
    }

    /** A handler for a client control connection (implicit FTPS) or a client-side data connection. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return newHandler(alloc, false);
    }

    /**
     * A handler as {@link #newHandler(ByteBufAllocator)}; with {@code startTls} the first write after it is in
     * place still goes out in clear: the {@code 234} reply to {@code AUTH TLS}, written after the handler is
     * added so that the client's ClientHello, which may follow at once, already meets it.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
        return handler(perConnection() ? newContext() : context, alloc, startTls);
    }

    /**
     * A handler for a client-side data connection of the FTP session whose control connection has the handler
     * {@code control} (null when it has none). With the OpenSSL provider it comes from the control connection's
     * own context, the only one that can resume that connection's session (see {@link #resumedFrom}).
     */
    public SslHandler newDataHandler(ByteBufAllocator alloc, SslHandler control) {
        if (!perConnection()) {
            return handler(context, alloc, false);
        }
        TlsHandler c = control == null ? null : TlsHandler.of(control);
        return handler(c != null && c.origin() == this ? c.context() : newContext(), alloc, false);
    }

    private SslHandler handler(SslContext ctx, ByteBufAllocator alloc, boolean startTls) {
        return TlsHandler.create(ctx.newEngine(alloc), this, ctx, settings, startTls);
    }

    /**
     * OpenSSL: a context (so session cache and ticket keys) per control connection. BoringSSL gives a session
     * resumed under TLS 1.3 the time of the resumption, in whole seconds, and no session id, so nothing in the
     * resumed session leads back to the control connection's; a context of its own does, by construction: its
     * sessions and tickets can be resumed in that context only. The JDK keeps the creation time (in ms) across
     * resumptions, and its contexts are costly to make, so it shares the listener's.
     */
    private boolean perConnection() {
        return settings.provider() == TlsSettings.Provider.OPENSSL;
    }

    private SslContext newContext() {
        try {
            return builder.build();
        } catch (SSLException e) {
            // load() built the same context once, so this is not a configuration problem.
            throw new IllegalStateException("TLS server context could not be built: " + e.getMessage(), e);
        }
    }

    /**
     * True when the handshake on {@code data} resumed the TLS session of {@code control}: both are handlers of
     * this ServerTls whose handshakes succeeded, and
     * <ul>
     *   <li>the server's first flight on {@code data} was an abbreviated handshake (read off the wire, see
     *       {@link TlsFacts#resumed()}); a client that made a full handshake is never taken for a resuming one;
     *   <li>the data session descends from the control session: the session's creation time, which the JDK
     *       copies from the original session into every successor (to the millisecond), whether resumed by
     *       session id (TLS 1.2) or by ticket (TLS 1.2 and 1.3), together with the same client certificate (or
     *       none). The session id is no link: TLS 1.3 gives every resumption a new one, and a TLS 1.2 client
     *       that resumes by ticket may propose a fresh one, which the resumed session then carries (RFC 5077
     *       §3.4; GnuTLS does, so lftp's data connections were refused under TLS 1.2).</li>
     * </ul>
     * With the OpenSSL provider the link is the context instead of the creation time: each control connection
     * has its own ({@link #newDataHandler}), so a data connection can resume only that connection's sessions.
     * Limit (JDK provider): the JDK exposes nothing else that survives a ticket (bound values are lost with its
     * default stateless tickets, and the resumption secret is internal), so a data connection that resumes
     * another TLS session of the same listener, made in the same millisecond with the same client certificate,
     * counts as resuming this one. Handing such a ticket over needs the client's cooperation, and the data
     * pinhole accepts only the client's own address.
     */
    public boolean resumedFrom(SslHandler data, SslHandler control) {
        TlsHandler d = TlsHandler.of(data);
        TlsHandler c = TlsHandler.of(control);
        if (d.origin() != this || c.origin() != this || !data.handshakeFuture().isSuccess()
                || !control.handshakeFuture().isSuccess() || !d.resumed()) {
            return false;
        }
        SSLSession ds = data.engine().getSession();
        SSLSession cs = control.engine().getSession();
        boolean descends = perConnection() ? d.context() == c.context() : ds.getCreationTime() == cs.getCreationTime();
        return descends && ds.getProtocol().equals(cs.getProtocol())
                && Arrays.equals(peerCertificates(ds), peerCertificates(cs));
    }

    private static Certificate[] peerCertificates(SSLSession s) {
        try {
            return s.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return new Certificate[0];
        }
    }

    /** Problems found at load that do not stop ftpgate (an expired certificate); log each at start. */
    public List<String> warnings() {
        return warnings;
    }

    /** SHA-256 of the leaf certificate, {@code AB:CD:...}: what a client pins or an administrator compares. */
    public String fingerprintSha256() {
        return fingerprint;
    }

    /** The leaf certificate's subject, e.g. {@code CN=ftp.example.com}. */
    public String subject() {
        return leaf.getSubjectX500Principal().getName();
    }

    /** End of the leaf certificate's validity. */
    public Instant notAfter() {
        return leaf.getNotAfter().toInstant();
    }

    /** The protocol versions and timeout in use. */
    public TlsSettings settings() {
        return settings;
    }
}
