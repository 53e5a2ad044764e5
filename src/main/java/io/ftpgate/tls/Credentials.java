package io.ftpgate.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate chain and its private key, read from PEM files and checked before any TLS context is built:
 * the key must belong to the leaf certificate (the JDK would otherwise accept the pair and every handshake
 * would fail later, far from the configuration), and a certificate outside its validity is reported.
 *
 * @param chain the leaf first
 * @param key the leaf's private key
 * @param warnings problems that do not stop ftpgate, e.g. an expired certificate
 */
record Credentials(List<X509Certificate> chain, PrivateKey key, List<String> warnings) {

    Credentials {
        chain = List.copyOf(chain);
        warnings = List.copyOf(warnings);
    }

    X509Certificate leaf() {
        return chain.get(0);
    }

    /** Reads and checks the pair; {@code role} names it in messages ("TLS certificate", "client certificate"). */
    static Credentials load(Path chainPem, Path keyPem, String role) throws TlsConfigException {
        List<X509Certificate> chain = Pem.certificates(chainPem, role);
        for (int i = 1; i < chain.size(); i++) {
            X509Certificate issued = chain.get(i - 1);
            if (!issued.getIssuerX500Principal().equals(chain.get(i).getSubjectX500Principal())) {
                throw new TlsConfigException(role + " " + chainPem + ": certificate " + (i + 1) + " ("
                        + chain.get(i).getSubjectX500Principal().getName() + ") is not the issuer of certificate " + i
                        + " (issued by " + issued.getIssuerX500Principal().getName()
                        + "); put the server's own certificate first, then each issuer in turn");
            }
        }
        PrivateKey key = Pem.privateKey(keyPem, role + " key");
        X509Certificate leaf = chain.get(0);
        if (!matches(key, leaf.getPublicKey())) {
            throw new TlsConfigException(role + " key " + keyPem + " does not match the certificate " + chainPem + " ("
                    + leaf.getSubjectX500Principal().getName() + ")");
        }
        List<String> warnings = new ArrayList<>();
        Instant now = Instant.now();
        String name = role + " " + chainPem + " (" + leaf.getSubjectX500Principal().getName() + ")";
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            warnings.add(name + " expired on " + leaf.getNotAfter().toInstant() + "; peers that verify it will refuse it");
        } else if (now.isBefore(leaf.getNotBefore().toInstant())) {
            warnings.add(name + " is not valid before " + leaf.getNotBefore().toInstant()
                    + "; peers that verify it will refuse it (is the clock right?)");
        }
        return new Credentials(chain, key, warnings);
    }

    /**
     * True when {@code key} is the private half of {@code pub}: a signature made with it verifies with the
     * certificate's key. This works the same for every algorithm, where comparing key parameters would need one
     * rule per algorithm.
     */
    static boolean matches(PrivateKey key, PublicKey pub) {
        if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
            return false;
        }
        String alg = signatureAlgorithm(key.getAlgorithm());
        if (alg == null) {
            return true; // a kind without a rule here (e.g. RSASSA-PSS): the first handshake decides
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(challenge);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(challenge);
            return v.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // e.g. an RSA key against an EC certificate's parameters
        }
    }

    private static String signatureAlgorithm(String keyAlgorithm) {
        return switch (keyAlgorithm) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
    }
}
