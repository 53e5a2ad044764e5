package io.ftpgate.tls;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a server by its leaf certificate alone: the one whose SHA-256 is pinned, or (without a pin) any.
 * Extended, so that the JDK leaves host-name verification to it and it does none: a pin names the certificate
 * itself, which says more than any name in it. Used only on the client side.
 */
final class LeafTrustManager extends X509ExtendedTrustManager {

    private final byte[] pin;

    private LeafTrustManager(byte[] pin) {
        this.pin = pin;
    }

    static LeafTrustManager pinned(byte[] sha256) {
        return new LeafTrustManager(sha256.clone());
    }

    static LeafTrustManager acceptingAny() {
        return new LeafTrustManager(null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (pin == null) {
            return;
        }
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server sent no certificate");
        }
        byte[] got = Fingerprints.digest(chain[0]);
        if (!MessageDigest.isEqual(got, pin)) {
            HexFormat hex = HexFormat.ofDelimiter(":").withUpperCase();
            throw new CertificateException("server certificate " + chain[0].getSubjectX500Principal().getName()
                    + " has SHA-256 " + hex.formatHex(got) + ", not the pinned " + hex.formatHex(pin));
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client certificates are not checked here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
