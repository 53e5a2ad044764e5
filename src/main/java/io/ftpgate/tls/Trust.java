package io.ftpgate.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How ftpgate decides whether to trust an FTP server's certificate: the JDK's trust store, a CA file, one
 * pinned certificate, or nothing at all.
 */
public final class Trust {

    /** The kinds of trust. */
    public enum Kind {
        /** The JDK's default trust store ({@code cacerts}), with host-name verification. */
        SYSTEM,
        /** The CA certificates of one PEM file, with host-name verification. */
        CA_FILE,
        /** Exactly one server certificate, by the SHA-256 of the leaf; nothing else is checked. */
        PINNED,
        /** No verification at all: anyone between ftpgate and the server can read and change the session. */
        INSECURE
    }

    private final Kind kind;
    private final Path caFile;
    private final byte[] pin;

    private Trust(Kind kind, Path caFile, byte[] pin) {
        this.kind = kind;
        this.caFile = caFile;
        this.pin = pin;
    }

    /** The JDK's default trust store. */
    public static Trust system() {
        return new Trust(Kind.SYSTEM, null, null);
    }

    /** The CA certificates in a PEM file (read when a {@link ClientTls} is created). */
    public static Trust caFile(Path pem) {
        return new Trust(Kind.CA_FILE, Objects.requireNonNull(pem, "pem"), null);
    }

    /**
     * Exactly the server leaf certificate with this SHA-256 fingerprint (64 hex digits, with or without colons,
     * either case), whoever issued it, whatever names it carries and whenever it expires: pinning is how a
     * self-signed server is trusted.
     *
     * @throws IllegalArgumentException when the text is not such a fingerprint
     */
    public static Trust pinned(String sha256) {
        return new Trust(Kind.PINNED, null, Fingerprints.parseSha256(sha256));
    }

    /** No verification. The caller logs a warning at every start; a session with it is not protected against MITM. */
    public static Trust insecure() {
        return new Trust(Kind.INSECURE, null, null);
    }

    /** Which kind of trust this is. */
    public Kind kind() {
        return kind;
    }

    /** Whether the server's name is checked against its certificate: only when a CA vouches for the names. */
    boolean verifiesHostName() {
        return kind == Kind.SYSTEM || kind == Kind.CA_FILE;
    }

    /**
     * The trust manager, built once per {@link ClientTls} and shared by its sessions' contexts; public for
     * {@code ftpgate audit}, which judges a server's chain with {@link #system()}'s and accepts any chain with
     * {@link #insecure()}'s to see it first. It checks no host name: {@link ClientTls} does that in the engine.
     *
     * @throws TlsConfigException when the trust material cannot be read
     */
    public X509ExtendedTrustManager trustManager() throws TlsConfigException {
        return switch (kind) {
            case SYSTEM -> fromFactory(null, "the JDK's default trust store");
            case CA_FILE -> fromFactory(Pem.certificates(caFile, "CA file"), "CA file " + caFile);
            case PINNED -> LeafTrustManager.pinned(pin);
            case INSECURE -> LeafTrustManager.acceptingAny();
        };
    }

    private static X509ExtendedTrustManager fromFactory(List<X509Certificate> cas, String what)
            throws TlsConfigException {
        try {
            KeyStore store = null;
            if (cas != null) {
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                for (int i = 0; i < cas.size(); i++) {
                    store.setCertificateEntry("ca-" + i, cas.get(i));
                }
            }
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            for (TrustManager tm : f.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new TlsConfigException(what + ": the JDK offers no X.509 trust manager for it");
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsConfigException(what + ": cannot be used: " + Pem.oneLine(e), e);
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SYSTEM -> "system trust store";
            case CA_FILE -> "CA file " + caFile;
            case PINNED -> "pinned SHA-256 " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(pin);
            case INSECURE -> "INSECURE (server certificates not verified)";
        };
    }
}
