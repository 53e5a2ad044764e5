package io.ftpgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedTest {

    @TempDir
    Path dir;

    @Test
    void writesACertificateAndAPrivateKeyOnlyTheOwnerCanRead() throws Exception {
        SelfSigned.Written w = SelfSigned.write(dir.resolve("tls"), List.of("ftp.example.net", "192.0.2.10", "2001:db8::1"),
                SelfSigned.KeyType.EC_P256, Duration.ofDays(30));
        assertThat(w.certPem()).isEqualTo(dir.resolve("tls/cert.pem"));
        assertThat(w.keyPem()).isEqualTo(dir.resolve("tls/key.pem"));
        assertThat(Files.readString(w.keyPem())).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(w.keyPem()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(w.certPem()))).isEqualTo("rw-r--r--");
        try (var files = Files.list(w.certPem().getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("cert.pem", "key.pem");
        }

        X509Certificate c = Pem.certificates(w.certPem(), "cert").get(0);
        assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=ftp.example.net");
        assertThat(c.getSubjectAlternativeNames()).extracting(n -> n.get(0) + "=" + n.get(1))
                .containsExactly("2=ftp.example.net", "7=192.0.2.10", "7=2001:db8:0:0:0:0:0:1");
        assertThat(c.getNotAfter().toInstant()).isBetween(Instant.now().plus(Duration.ofDays(29)),
                Instant.now().plus(Duration.ofDays(31)));
        assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(w.fingerprintSha256()).isEqualTo(Fingerprints.sha256(c));
        assertThat(Credentials.matches(Pem.privateKey(w.keyPem(), "key"), c.getPublicKey())).isTrue();
    }

    @Test
    void rsaKeysAndReplacingFilesWork() throws Exception {
        SelfSigned.Written first = SelfSigned.write(dir, List.of("localhost"), SelfSigned.KeyType.EC_P256, Duration.ofDays(1));
        SelfSigned.Written rsa = SelfSigned.write(dir, List.of("localhost"), SelfSigned.KeyType.RSA_2048, Duration.ofDays(1));
        assertThat(rsa.fingerprintSha256()).isNotEqualTo(first.fingerprintSha256());
        X509Certificate c = Pem.certificates(rsa.certPem(), "cert").get(0);
        assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(ServerTls.load(rsa.certPem(), rsa.keyPem(), null, TestProvider.settings()).fingerprintSha256())
                .isEqualTo(rsa.fingerprintSha256());
    }
}
