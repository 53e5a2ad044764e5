package io.ftpgate.auditor;

import io.ftpgate.tls.ServerFlight;
import io.ftpgate.tls.TlsConfigException;
import io.ftpgate.tls.TlsSettings;
import io.ftpgate.tls.Trust;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * The auditor as a TLS client (the JDK's SSLSocket, layered over a {@link WireSocket}). Each instance has a
 * context, and so a session cache, of its own: a data connection made with the control connection's instance
 * offers the control connection's session, one made with a new instance offers none. Any certificate is
 * accepted, so that the handshake completes and the certificate can be judged ({@link CertificateCheck}).
 */
final class TlsClient {

    /** The versions an ordinary handshake offers: those ftpgate itself allows. */
    static final List<String> MODERN = TlsSettings.DEFAULT_PROTOCOLS;

    /**
     * What one handshake settled.
     *
     * @param socket      the TLS socket, to continue on
     * @param protocol    e.g. {@code TLSv1.3}
     * @param cipherSuite e.g. {@code TLS_AES_128_GCM_SHA256}
     * @param chain       the server's certificates, leaf first (empty when it sent none)
     * @param flight      whether the server resumed a session, read off the wire
     */
    record Handshake(SSLSocket socket, String protocol, String cipherSuite, List<X509Certificate> chain,
            ServerFlight.Verdict flight) {

        /** True when the server resumed a session the client offered. */
        boolean resumed() {
            return flight == ServerFlight.Verdict.RESUMED;
        }

        /** {@code TLSv1.3 TLS_AES_128_GCM_SHA256, full handshake}. */
        String describe() {
            return protocol + " " + cipherSuite + ", " + switch (flight) {
                case RESUMED -> "session resumed";
                case FULL -> "full handshake";
                default -> "resumption not readable";
            };
        }
    }

    private final SSLContext context;
    private final String host;
    private final List<String> protocols;

    private TlsClient(SSLContext context, String host, List<String> protocols) {
        this.context = context;
        this.host = host;
        this.protocols = List.copyOf(protocols);
    }

    /**
     * A client with a new context offering {@code protocols}, connecting to {@code host} as given on the command
     * line (sent as SNI when it is a DNS name).
     */
    static TlsClient create(String host, List<String> protocols) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {Trust.insecure().trustManager()}, null);
            return new TlsClient(ctx, host, protocols);
        } catch (GeneralSecurityException | TlsConfigException e) {
            throw new IllegalStateException("the JDK's TLS client cannot be set up: " + e.getMessage(), e);
        }
    }

    /**
     * Whether this JDK can offer {@code protocol} at all: TLS 1.0 and 1.1 are usually disabled
     * ({@code jdk.tls.disabledAlgorithms} in {@code java.security}), and then never leave the client.
     */
    static boolean canOffer(String protocol) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, null, null);
            return Arrays.asList(ctx.getDefaultSSLParameters().getProtocols()).contains(protocol);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Makes the handshake over {@code plain}, as the client. {@code port} is the control connection's port, also
     * for a data connection: the session cache is keyed by host and port.
     *
     * @throws IOException when the handshake fails or times out; {@code plain} is then closed
     */
    Handshake handshake(WireSocket plain, int port, Duration timeout) throws IOException {
        plain.cacheTlsSessionsAs(port);
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        try {
            ssl.setEnabledProtocols(protocols.toArray(String[]::new));
            ssl.setSoTimeout(ControlSession.millis(timeout));
            plain.watch();
            ssl.startHandshake();
            SSLSession s = ssl.getSession();
            return new Handshake(ssl, s.getProtocol(), s.getCipherSuite(), chain(s), plain.flight());
        } catch (IOException | RuntimeException e) {
            ssl.close();
            throw e;
        }
    }

    private static List<X509Certificate> chain(SSLSession s) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            for (Certificate c : s.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // An anonymous suite: no certificate, which the certificate check reports.
        }
        return out;
    }
}
