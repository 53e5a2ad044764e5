package io.ftpgate.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/** SHA-256 certificate fingerprints in the form administrators compare: upper-case hex pairs joined by colons. */
public final class Fingerprints {

    private static final int SHA256_BYTES = 32;

    private Fingerprints() {
    }

    /** {@code AB:01:...} (32 pairs) of the DER encoding, as {@code openssl x509 -fingerprint -sha256} prints it. */
    public static String sha256(X509Certificate cert) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest(cert));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    static byte[] digest(X509Certificate cert) throws CertificateEncodingException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The 32 bytes of a fingerprint written with or without colons (or spaces), in either case.
     *
     * @throws IllegalArgumentException with a message naming the expected form
     */
    static byte[] parseSha256(String text) {
        String hex = text == null ? "" : text.replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
        if (hex.length() != SHA256_BYTES * 2 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("expected a SHA-256 fingerprint: 64 hex digits, with or without"
                    + " colons (openssl x509 -noout -fingerprint -sha256), got '" + text + "'");
        }
        return HexFormat.of().parseHex(hex);
    }
}
