package io.ftpgate.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * ftpgate as the TLS client, facing FTP servers. Holds what all sessions share (the trust decision, an optional
 * client certificate, the settings) and makes one {@link SessionTls} per FTP session, each with its own TLS
 * context and so its own session cache.
 *
 * <p>Why a context per FTP session: a client-side session cache is keyed by the server's host and port only
 * (JDK and OpenSSL alike), so with one shared context two users of the same server would offer each other's
 * TLS sessions on their data connections, and each user's data connection must resume its own control
 * connection's session (RFC 4217; vsftpd {@code require_ssl_reuse=YES}, FileZilla Server, AWS Transfer Family).
 *
 * <p>Host-name verification (the HTTPS rules of RFC 2818/6125: DNS names, and IP addresses against IP SANs) is
 * on for {@link Trust#system()} and {@link Trust#caFile(Path)}, off for pinned and insecure trust.
 *
 * <p>TLS 1.2 sessions are resumed by session ID, not by session ticket (RFC 5077): ftpgate turns the JDK's
 * client ticket extension off ({@value #CLIENT_SESSION_TICKETS}, unless set on the command line). The JDK
 * discards a TLS 1.2 ticket whose lifetime hint exceeds 7 days, and vsftpd with {@code require_ssl_reuse=YES}
 * (its default) sets its session timeout, hence that hint, to 2^31-1 s. An OpenSSL server that issues a ticket
 * sends no session ID, so a client that asked for a ticket and dropped it has nothing to resume, and vsftpd
 * refuses every data connection ("522 SSL connection failed: session reuse required"). Without the extension
 * OpenSSL servers hand out a session ID from their session cache. TLS 1.3 (tickets with at most 7 days'
 * lifetime, RFC 8446) is not affected. The JDK reads the property whenever it makes a TLS context, and every
 * client context of ftpgate is made after this class is loaded. Netty reads the same property once for its
 * OpenSSL clients, TLS 1.3 tickets included; the OpenSSL provider decides per engine instead (TlsHandler): no
 * tickets when TLS 1.2 is the only version, Netty's default (tickets on) when TLS 1.3 is enabled.
 */
public final class ClientTls {

    /** The JDK system property that makes TLS 1.2 clients offer session tickets (default true). */
    static final String CLIENT_SESSION_TICKETS = "jdk.tls.client.enableSessionTicketExtension";

    static {
        if (System.getProperty(CLIENT_SESSION_TICKETS) == null) {
            System.setProperty(CLIENT_SESSION_TICKETS, "false");
        }
    }

    private final Trust trust;
    private final X509ExtendedTrustManager trustManager;
    private final Credentials clientCertificate;
    private final TlsSettings settings;
    private final List<String> warnings;

    private ClientTls(Trust trust, X509ExtendedTrustManager trustManager, Credentials clientCertificate,
            TlsSettings settings, List<String> warnings) {
        this.trust = trust;
        this.trustManager = trustManager;
        this.clientCertificate = clientCertificate;
        this.settings = settings;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Reads the trust material and the optional client certificate, and builds one context to find every
     * problem now rather than at the first FTP session.
     *
     * @param clientCertPem the client certificate chain (leaf first), or null for none
     * @param clientKeyPem its key; null exactly when {@code clientCertPem} is
     * @throws TlsConfigException one line naming the file and the problem
     */
    public static ClientTls create(Trust trust, Path clientCertPem, Path clientKeyPem, TlsSettings settings)
            throws TlsConfigException {
        Objects.requireNonNull(trust, "trust");
        Objects.requireNonNull(settings, "settings");
        settings.provider().requireAvailable();
        if ((clientCertPem == null) != (clientKeyPem == null)) {
            throw new TlsConfigException("a client certificate needs both its certificate file and its key file");
        }
        List<String> warnings = new ArrayList<>();
        Credentials own = null;
        if (clientCertPem != null) {
            own = Credentials.load(clientCertPem, clientKeyPem, "client certificate");
            warnings.addAll(own.warnings());
        }
        if (trust.kind() == Trust.Kind.INSECURE) {
            warnings.add("the server's TLS certificate is NOT verified (insecure trust, server-tls-verify: false):"
                    + " anyone between ftpgate and the server can read and change the sessions");
        }
        ClientTls tls = new ClientTls(trust, trust.trustManager(), own, settings, warnings);
        try {
            tls.newContext();
        } catch (SSLException | RuntimeException e) {
            throw new TlsConfigException("TLS toward servers (" + trust + "): " + settings.provider()
                    + " TLS refuses the settings: " + Pem.oneLine(e), e);
        }
        return tls;
    }

    /** A new TLS context for one FTP session's control and data connections. */
    public SessionTls forSession() {
        try {
            return new SessionTls(newContext(), settings);
        } catch (SSLException e) {
            // create() built the same context once, so this is not a configuration problem.
            throw new IllegalStateException("TLS client context could not be built: " + e.getMessage(), e);
        }
    }

    private SslContext newContext() throws SSLException {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(settings.provider().netty())
                .protocols(settings.protocols())
                .trustManager(trustManager)
                // Netty 4.2 verifies host names by default; null turns it off for pinned and insecure trust.
                .endpointIdentificationAlgorithm(trust.verifiesHostName() ? "HTTPS" : null);
        if (clientCertificate != null) {
            b.keyManager(clientCertificate.key(), clientCertificate.chain().toArray(X509Certificate[]::new));
        }
        return b.build();
    }

    /** How server certificates are trusted (for the start-up log). */
    public Trust trust() {
        return trust;
    }

    /** Problems that do not stop ftpgate (an expired client certificate, insecure trust); log each at start. */
    public List<String> warnings() {
        return warnings;
    }

    /** The protocol versions and timeout in use. */
    public TlsSettings settings() {
        return settings;
    }
}
