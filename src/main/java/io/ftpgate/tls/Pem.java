package io.ftpgate.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM certificates and private keys with BouncyCastle's parser, because it accepts every key form
 * administrators bring (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY})
 * and lets each failure be named in one line. The keys and certificates become JDK objects (no BouncyCastle
 * security provider is installed): the TLS itself stays Netty's.
 */
final class Pem {

    private Pem() {
    }

    /** All certificates in {@code file}, in file order (a chain: the leaf first). {@code what} names the file's role. */
    static List<X509Certificate> certificates(Path file, String what) throws TlsConfigException {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object o : objects(file, what)) {
            if (o instanceof X509CertificateHolder holder) {
                try {
                    out.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsConfigException(what + " " + file + ": a certificate cannot be decoded: " + e.getMessage(), e);
                }
            }
        }
        if (out.isEmpty()) {
            throw new TlsConfigException(what + " " + file + ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    /** The one private key in {@code file}. */
    static PrivateKey privateKey(Path file, String what) throws TlsConfigException {
        PrivateKeyInfo info = null;
        for (Object o : objects(file, what)) {
            if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new TlsConfigException(what + " " + file + ": the key is encrypted, which ftpgate does not support;"
                        + " write it unencrypted (openssl pkey -in IN -out OUT) and protect the file (mode 600)");
            }
            PrivateKeyInfo found = o instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo()
                    : o instanceof PrivateKeyInfo pki ? pki : null;
            if (found != null && info != null) {
                throw new TlsConfigException(what + " " + file + ": more than one private key in it");
            }
            info = found != null ? found : info;
        }
        if (info == null) {
            throw new TlsConfigException(what + " " + file + ": no PEM private key in it (expected -----BEGIN PRIVATE KEY-----,"
                    + " RSA PRIVATE KEY or EC PRIVATE KEY)");
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException e) {
            throw new TlsConfigException(what + " " + file + ": the private key cannot be decoded: " + e.getMessage(), e);
        }
    }

    private static List<Object> objects(Path file, String what) throws TlsConfigException {
        String text = read(file, what);
        List<Object> out = new ArrayList<>();
        try (Reader r = new StringReader(text); PEMParser parser = new PEMParser(r)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                out.add(o);
            }
        } catch (IOException | RuntimeException e) {
            // PEMParser reports broken base64 and unknown block types this way.
            throw new TlsConfigException(what + " " + file + ": not valid PEM: " + oneLine(e), e);
        }
        return out;
    }

    private static String read(Path file, String what) throws TlsConfigException {
        String text;
        try {
            // ISO-8859-1 maps every byte, so comments in other encodings around the PEM blocks do no harm.
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new TlsConfigException(what + " " + file + ": not found", e);
        } catch (AccessDeniedException e) {
            throw new TlsConfigException(what + " " + file + ": cannot be read (permission denied)", e);
        } catch (IOException e) {
            throw new TlsConfigException(what + " " + file + ": cannot be read: " + oneLine(e), e);
        }
        if (!text.contains("-----BEGIN ") && (text.startsWith("0") || text.chars().anyMatch(c -> c < 9))) {
            // DER starts with a SEQUENCE tag (0x30, '0'); any binary file has control bytes.
            throw new TlsConfigException(what + " " + file + ": not PEM (binary content; convert DER with e.g."
                    + " openssl x509 -inform der -in IN -out OUT)");
        }
        return text;
    }

    /** The message of {@code e}'s deepest cause (where the actual reason is), on one line. */
    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }
}
