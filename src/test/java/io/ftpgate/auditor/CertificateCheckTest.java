package io.ftpgate.auditor;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.tls.SelfSigned;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateCheckTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String HOST = "ftp.example.com";

    @TempDir
    Path dir;

    /** Facts of a certificate valid from a year ago to a year ahead, for {@link #HOST}, trusted. */
    private static CertificateCheck.Facts good() {
        return new CertificateCheck.Facts("CN=" + HOST, "CN=Some CA", "AB:CD", NOW.minus(Duration.ofDays(365)),
                NOW.plus(Duration.ofDays(365)), List.of(HOST), false, null, true);
    }

    private static CertificateCheck.Facts with(Instant from, Instant to, boolean selfSigned, String untrusted,
            boolean matches) {
        CertificateCheck.Facts g = good();
        return new CertificateCheck.Facts(g.subject(), g.issuer(), g.fingerprint(), from, to, g.names(), selfSigned,
                untrusted, matches);
    }

    private static Finding judge(CertificateCheck.Facts f) {
        return CertificateCheck.judge(f, HOST, NOW, List.of());
    }

    @Test
    void trustedMatchingAndFarFromExpiryIsOk() {
        Finding f = judge(good());
        assertThat(f.severity()).isEqualTo(Severity.OK);
        assertThat(f.verdict()).isEqualTo("valid: trusted, names ftp.example.com, expires 2027-03-01");
        assertThat(f.evidence()).contains(Evidence.observed("SHA-256 AB:CD"), Evidence.observed("subject CN="
                + HOST), Evidence.observed("chains to the system trust store"));
    }

    @Test
    void expiredAndNotYetValidAreHigh() {
        Finding expired = judge(with(NOW.minus(Duration.ofDays(400)), NOW.minus(Duration.ofDays(3)), false, null,
                true));
        assertThat(expired.severity()).isEqualTo(Severity.HIGH);
        assertThat(expired.verdict()).isEqualTo("expired on 2026-02-26");
        Finding early = judge(with(NOW.plus(Duration.ofDays(2)), NOW.plus(Duration.ofDays(90)), false, null, true));
        assertThat(early.severity()).isEqualTo(Severity.HIGH);
        assertThat(early.verdict()).isEqualTo("not valid before 2026-03-03");
    }

    @Test
    void expiringWithinThirtyDaysIsMedium() {
        Finding soon = judge(with(NOW.minus(Duration.ofDays(60)), NOW.plus(Duration.ofDays(29)), false, null, true));
        assertThat(soon.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(soon.verdict()).isEqualTo("expires in 29 days, on 2026-03-30");
        Finding later = judge(with(NOW.minus(Duration.ofDays(60)), NOW.plus(Duration.ofDays(31)), false, null, true));
        assertThat(later.severity()).isEqualTo(Severity.OK);
    }

    @Test
    void selfSignedUntrustedAndMismatchedAreMediumAndAllListed() {
        CertificateCheck.Facts g = good();
        Finding self = judge(with(g.notBefore(), g.notAfter(), true, "unable to find valid certification path", true));
        assertThat(self.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(self.verdict()).isEqualTo("self-signed");
        assertThat(self.evidence()).contains(
                Evidence.observed("system trust store: unable to find valid certification path"));

        Finding untrusted = judge(with(g.notBefore(), g.notAfter(), false, "no path", true));
        assertThat(untrusted.verdict()).isEqualTo("not trusted by the system trust store");
        assertThat(untrusted.severity()).isEqualTo(Severity.MEDIUM);

        Finding all = judge(with(NOW.minus(Duration.ofDays(400)), NOW.minus(Duration.ofDays(1)), true, "no path",
                false));
        assertThat(all.severity()).as("the worst problem decides").isEqualTo(Severity.HIGH);
        assertThat(all.verdict()).isEqualTo("expired on 2026-02-28; self-signed; name mismatch: ftp.example.com is"
                + " not among [ftp.example.com]");
        assertThat(all.fix()).contains("SHA-256 fingerprint");
    }

    @Test
    void factsOfARealSelfSignedCertificate() throws Exception {
        SelfSigned.Written w = SelfSigned.write(dir, List.of("ftp.example.com", "*.files.example.com", "192.0.2.10"),
                SelfSigned.KeyType.EC_P256, Duration.ofDays(90));
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(w.certPem())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        CertificateCheck.Facts f = CertificateCheck.facts(List.of(cert), "192.0.2.10");
        assertThat(f.selfSigned()).isTrue();
        assertThat(f.untrusted()).isNotNull();
        assertThat(f.nameMatches()).isTrue();
        assertThat(f.fingerprint()).isEqualTo(w.fingerprintSha256());
        assertThat(f.names()).containsExactly("ftp.example.com", "*.files.example.com", "192.0.2.10");

        assertThat(HostNames.matches("FTP.example.com.", cert)).isTrue();
        assertThat(HostNames.matches("eu.files.example.com", cert)).isTrue();
        assertThat(HostNames.matches("files.example.com", cert)).isFalse();
        assertThat(HostNames.matches("192.0.2.11", cert)).isFalse();
        assertThat(HostNames.matches("www.example.com", cert)).isFalse();
        Finding mismatch = CertificateCheck.judge(CertificateCheck.facts(List.of(cert), "www.example.com"),
                "www.example.com", Instant.now(), List.of());
        assertThat(mismatch.verdict()).isEqualTo("self-signed; name mismatch: www.example.com is not among"
                + " [ftp.example.com, *.files.example.com, 192.0.2.10]");
    }

    @Test
    void wildcardsStandForOneWholeLeftmostLabel() {
        assertThat(HostNames.nameMatches("a.example.com", "*.example.com")).isTrue();
        assertThat(HostNames.nameMatches("A.Example.COM", "*.example.com")).isTrue();
        assertThat(HostNames.nameMatches("example.com", "*.example.com")).isFalse();
        assertThat(HostNames.nameMatches("a.b.example.com", "*.example.com")).isFalse();
        assertThat(HostNames.nameMatches("example.com", "*.com")).isFalse();
        assertThat(HostNames.nameMatches("a.example.com", "a.*.com")).isFalse();
        assertThat(HostNames.nameMatches("ftp.example.com", "ftp.example.com.")).isTrue();
    }
}
