package io.ftpgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ServerTls#load}: every problem with the files is one clear line, naming the file. */
class ServerTlsLoadTest {

    @TempDir
    Path dir;

    private static TlsConfigException loadFails(Path cert, Path key) {
        try {
            ServerTls.load(cert, key, null, TestProvider.settings());
        } catch (TlsConfigException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e;
        }
        throw new AssertionError("load succeeded");
    }

    @Test
    void aGoodPairLoadsAndDescribesItself() throws Exception {
        SelfSigned.Written w = TestCerts.localhost(dir);
        ServerTls tls = ServerTls.load(w.certPem(), w.keyPem(), null, TestProvider.settings());
        X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(w.certPem()));
        assertThat(tls.fingerprintSha256()).isEqualTo(w.fingerprintSha256()).isEqualTo(Fingerprints.sha256(parsed))
                .matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(tls.subject()).isEqualTo("CN=localhost");
        assertThat(tls.notAfter()).isEqualTo(parsed.getNotAfter().toInstant()).isAfter(Instant.now());
        assertThat(tls.warnings()).isEmpty();
        assertThat(tls.settings()).isEqualTo(TestProvider.settings());
    }

    @Test
    void aMissingFileIsNamed() throws Exception {
        SelfSigned.Written w = TestCerts.localhost(dir);
        Path missing = dir.resolve("missing.pem");
        assertThat(loadFails(missing, w.keyPem())).hasMessage("TLS certificate " + missing + ": not found");
        assertThat(loadFails(w.certPem(), missing)).hasMessage("TLS certificate key " + missing + ": not found");
        assertThat(loadFails(dir, w.keyPem())).hasMessageStartingWith("TLS certificate " + dir + ": cannot be read: ");
    }

    @Test
    void anUnreadableFileIsNamed() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads every file");
        SelfSigned.Written w = TestCerts.localhost(dir);
        Files.setPosixFilePermissions(w.keyPem(), PosixFilePermissions.fromString("---------"));
        assertThat(loadFails(w.certPem(), w.keyPem())).hasMessageEndingWith("cannot be read (permission denied)");
    }

    @Test
    void aFileThatIsNotPemIsNamed() throws Exception {
        SelfSigned.Written w = TestCerts.localhost(dir);
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        Path der = Files.write(dir.resolve("cert.der"), new byte[] {0x30, (byte) 0x82, (byte) 0xff, 0x01});
        Path broken = Files.writeString(dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n");
        assertThat(loadFails(text, w.keyPem())).hasMessageContaining(text + ": no PEM certificate in it");
        assertThat(loadFails(der, w.keyPem())).hasMessageContaining(der + ": not PEM");
        assertThat(loadFails(broken, w.keyPem())).hasMessageContaining(broken + ": not valid PEM");
        assertThat(loadFails(w.certPem(), w.certPem())).hasMessageContaining(w.certPem() + ": no PEM private key");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedByName() throws Exception {
        SelfSigned.Written w = TestCerts.localhost(dir);
        SelfSigned.Written other = TestCerts.named(dir, "other");
        assertThat(loadFails(w.certPem(), other.keyPem())).hasMessage("TLS certificate key " + other.keyPem()
                + " does not match the certificate " + w.certPem() + " (CN=localhost)");
        // Another key type altogether (RSA key, EC certificate).
        SelfSigned.Written rsa = SelfSigned.write(dir.resolve("rsa"), List.of("localhost"), SelfSigned.KeyType.RSA_2048,
                Duration.ofDays(1));
        assertThat(loadFails(w.certPem(), rsa.keyPem())).hasMessageContaining("does not match the certificate");
    }

    @Test
    void anEncryptedKeyIsRefusedWithTheWayOut() throws Exception {
        SelfSigned.Written w = TestCerts.localhost(dir);
        Path enc = Files.writeString(dir.resolve("enc.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                + "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgBAgMEBQYHCAICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoE\n"
                + "EAECAwQFBgcICQoLDA0ODxAEQAECAwQFBgcICQoLDA0ODxABAgMEBQYHCAkKCwwNDg8QAQIDBAUGBwgJCgsMDQ4PEAECAwQFBgcI\n"
                + "CQoLDA0ODxA=\n-----END ENCRYPTED PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        assertThat(loadFails(w.certPem(), enc)).hasMessageContaining("encrypted").hasMessageContaining("openssl pkey");
    }

    @Test
    void anExpiredCertificateLoadsWithAWarning() throws Exception {
        SelfSigned.Written w = TestCerts.expired(dir);
        ServerTls tls = ServerTls.load(w.certPem(), w.keyPem(), null, TestProvider.settings());
        assertThat(tls.notAfter()).isBefore(Instant.now());
        assertThat(tls.warnings()).singleElement().asString().contains(w.certPem().toString()).contains("expired on");
    }

    @Test
    void aChainInTheWrongOrderIsRefusedWithTheRule() throws Exception {
        SelfSigned.Written w = TestCerts.localhost(dir);
        SelfSigned.Written other = TestCerts.named(dir, "other");
        Path chain = Files.writeString(dir.resolve("chain.pem"), Files.readString(w.certPem()) + Files.readString(other.certPem()));
        assertThat(loadFails(chain, w.keyPem())).hasMessage("TLS certificate " + chain + ": certificate 2 (CN=other) is"
                + " not the issuer of certificate 1 (issued by CN=localhost); put the server's own certificate first,"
                + " then each issuer in turn");
    }

    @Test
    void traditionalRsaAndEcKeyFilesAreRead() throws Exception {
        SelfSigned.Written rsa = SelfSigned.write(dir.resolve("rsa"), List.of("localhost"), SelfSigned.KeyType.RSA_2048,
                Duration.ofDays(1));
        SelfSigned.Written ec = TestCerts.localhost(dir);
        Path pkcs1 = traditional(rsa.keyPem(), "RSA PRIVATE KEY");
        Path sec1 = traditional(ec.keyPem(), "EC PRIVATE KEY");
        assertThat(ServerTls.load(rsa.certPem(), pkcs1, null, TestProvider.settings()).fingerprintSha256())
                .isEqualTo(rsa.fingerprintSha256());
        assertThat(ServerTls.load(ec.certPem(), sec1, null, TestProvider.settings()).fingerprintSha256())
                .isEqualTo(ec.fingerprintSha256());
    }

    /**
     * The key of a PKCS#8 file rewritten in its algorithm's own form, as OpenSSL 1.x and many tools write it:
     * PKCS#1 {@code RSA PRIVATE KEY}, or SEC1 {@code EC PRIVATE KEY} with its named curve.
     */
    private Path traditional(Path pkcs8, String type) throws Exception {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(Pem.privateKey(pkcs8, "key").getEncoded());
        ASN1Encodable inner = info.parsePrivateKey();
        if (type.startsWith("EC")) {
            ECPrivateKey ec = ECPrivateKey.getInstance(inner);
            inner = new ECPrivateKey(256, ec.getKey(), ec.getPublicKey(), info.getPrivateKeyAlgorithm().getParameters());
        }
        String pem = "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(
                inner.toASN1Primitive().getEncoded()) + "\n-----END " + type + "-----\n";
        return Files.writeString(pkcs8.resolveSibling(type.replace(' ', '-') + ".pem"), pem);
    }
}
