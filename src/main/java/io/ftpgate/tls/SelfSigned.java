package io.ftpgate.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Self-signed certificates for {@code ftpgate demo} and for tests, made with BouncyCastle's certificate builder
 * (the JDK has no public API for it) and signed by the JDK's own providers.
 *
 * <p>The certificate names its first name as CN and every name in the subject alternative names (DNS names, or
 * IP addresses for literals), which is what host-name verification reads. It is good for both TLS server and
 * client authentication, so the same generator serves ftpgate's listener, a test server and a test client.
 */
public final class SelfSigned {

    /** Key type of a generated certificate. */
    public enum KeyType {
        /** ECDSA on P-256: small and fast; every TLS 1.2/1.3 client supports it. */
        EC_P256,
        /** RSA 2048: for old clients without ECDSA. */
        RSA_2048
    }

    /**
     * What {@link #write} wrote.
     *
     * @param certPem the certificate file ({@code cert.pem})
     * @param keyPem the PKCS#8 private key file ({@code key.pem}, mode 600 where the file system has modes)
     * @param fingerprintSha256 the certificate's SHA-256 fingerprint, {@code AB:CD:...}
     */
    public record Written(Path certPem, Path keyPem, String fingerprintSha256) {
    }

    /** An in-memory certificate and its key. */
    record Generated(X509Certificate certificate, PrivateKey key) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    /** notBefore lies this far in the past, so that a peer whose clock is a little behind accepts it. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private SelfSigned() {
    }

    /**
     * Generates a certificate for {@code names} (host names and/or IP address literals, the first one also the
     * CN), valid from now for {@code validity}, and writes {@code cert.pem} and {@code key.pem} into {@code dir}
     * (created if missing; existing files are replaced).
     */
    public static Written write(Path dir, List<String> names, KeyType type, Duration validity) throws IOException {
        Instant now = Instant.now();
        Generated g = generate(names, type, now.minus(CLOCK_SKEW), now.plus(validity));
        return writeTo(dir, g);
    }

    static Written writeTo(Path dir, Generated g) throws IOException {
        Files.createDirectories(dir);
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        try {
            writeAtomically(cert, pem("CERTIFICATE", g.certificate().getEncoded()), false);
        } catch (GeneralSecurityException e) {
            throw new IOException("certificate cannot be encoded", e);
        }
        // JDK private keys encode as PKCS#8 (PrivateKey.getFormat() is "PKCS#8").
        writeAtomically(key, pem("PRIVATE KEY", g.key().getEncoded()), true);
        return new Written(cert, key, Fingerprints.sha256(g.certificate()));
    }

    /** A self-signed certificate valid from {@code notBefore} to {@code notAfter} (tests make expired ones). */
    static Generated generate(List<String> names, KeyType type, Instant notBefore, Instant notAfter) {
        Objects.requireNonNull(type, "type");
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException("a certificate needs at least one host name or address");
        }
        try {
            KeyPair pair = keyPair(type);
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, names.get(0)).build();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, RANDOM).add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter), subject,
                    pair.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames(names)));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            int usage = KeyUsage.digitalSignature | (type == KeyType.RSA_2048 ? KeyUsage.keyEncipherment : 0);
            b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            String alg = type == KeyType.EC_P256 ? "SHA256withECDSA" : "SHA256withRSA";
            // No provider named: the JDK's own signs, so no BouncyCastle provider needs to be installed.
            var signer = new JcaContentSignerBuilder(alg).build(pair.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer));
            return new Generated(cert, pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("self-signed certificate generation failed: " + e.getMessage(), e);
        }
    }

    private static KeyPair keyPair(KeyType type) throws GeneralSecurityException {
        if (type == KeyType.EC_P256) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
    }

    private static GeneralName[] altNames(List<String> names) {
        List<GeneralName> out = new ArrayList<>();
        for (String n : names) {
            // IP literals become iPAddress entries: host-name verification of an address reads only those.
            out.add(isAddressLiteral(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
        }
        return out.toArray(GeneralName[]::new);
    }

    /** True for an IPv4 dotted quad or an IPv6 literal (never resolves a name). */
    static boolean isAddressLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        if (!host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return false;
        }
        try {
            InetAddress.getByName(host); // a literal: parsed, not looked up
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    /**
     * Writes via a temporary file in the same directory, so a reader never sees half a file. The temporary file
     * is created with mode 600 before any byte is in it, so a key is never readable by others, not even briefly;
     * a certificate is then opened up to 644.
     */
    private static void writeAtomically(Path target, String text, boolean secret) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Path tmp = posix ? Files.createTempFile(target.getParent(), ".ftpgate", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(target.getParent(), ".ftpgate", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            if (posix && !secret) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
