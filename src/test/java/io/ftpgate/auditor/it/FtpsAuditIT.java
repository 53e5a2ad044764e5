package io.ftpgate.auditor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.auditor.AuditOptions;
import io.ftpgate.auditor.AuditReport;
import io.ftpgate.auditor.Finding;
import io.ftpgate.auditor.Severity;
import io.ftpgate.auditor.TextReport;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.it.ftps.PemTls;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FTPS checks against Apache MINA FtpServer with TLS (explicit, and implicit on a port of its own), on
 * 127.0.0.1. MINA does not require data connections to resume the control session and has no CCC.
 */
class FtpsAuditIT {

    @TempDir
    Path dir;

    /** MINA with the test certificate (self-signed, for localhost and 127.0.0.1), explicit or implicit. */
    private int mina(DemoUpstream server, String name, PemTls tls, boolean implicit) throws Exception {
        return server.start(Files.createDirectories(dir.resolve(name)), true, "127.0.0.1", tls, implicit);
    }

    private PemTls cert() throws Exception {
        return PemTls.create(dir.resolve("tls"));
    }

    @Test
    void explicitFtpsIsHandshakenNotJustAdvertised() throws Exception {
        try (DemoUpstream mina = new DemoUpstream()) {
            AuditReport r = Audits.anonymous(mina(mina, "root", cert(), false));
            Audits.assertVerdicts(r, 0, List.of(
                    "auth-tls ok offered: TLSv1.3, PBSZ 0 answered over TLS (200)",
                    "tls-versions info TLSv1.3, TLSv1.2 accepted; TLSv1.1, TLSv1 not tested",
                    "ccc ok refused (5",
                    "data-session-reuse low not required: accepted without the control session (226); accepted"
                            + " when resuming it",
                    "cleartext-login info anonymous login in cleartext", "bounce-port ok category 2"));
            assertSelfSignedButNamed(r);
            assertThat(r.finding("auth-tls").orElseThrow().evidence()).extracting(e -> e.observed())
                    .anyMatch(o -> o != null && o.startsWith("TLS handshake: TLSv1.3"));
            Finding reuse = r.finding("data-session-reuse").orElseThrow();
            assertThat(reuse.evidence()).extracting(e -> e.observed()).as(TextReport.render(r, false))
                    .anyMatch(o -> o != null && o.contains("offering no session") && o.contains("full handshake"))
                    .anyMatch(o -> o != null && o.contains("offering the control connection's TLS session")
                            && o.contains("session resumed"));
            assertThat(r.finding("implicit-ftps")).as("not probed without --implicit-port or port 990").isEmpty();
        }
    }

    @Test
    void implicitPortIsProbedWhenGiven() throws Exception {
        PemTls tls = cert();
        try (DemoUpstream explicit = new DemoUpstream(); DemoUpstream implicit = new DemoUpstream()) {
            int port = mina(explicit, "explicit", tls, false);
            int implicitPort = mina(implicit, "implicit", tls, true);
            AuditReport r = Audits.audit(AuditOptions.anonymous("127.0.0.1", port).withImplicitPort(implicitPort));
            Audits.assertVerdicts(r, 0, List.of(
                    "implicit-ftps ok speaks implicit FTPS on port " + implicitPort + " (TLSv1.3, greeting 220)",
                    "auth-tls ok offered"));
        }
    }

    @Test
    void wholeAuditRunsOverImplicitTlsWhenTheAuditedPortIsTheImplicitOne() throws Exception {
        try (DemoUpstream implicit = new DemoUpstream()) {
            int port = mina(implicit, "implicit", cert(), true);
            AuditReport r = Audits.audit(AuditOptions.anonymous("127.0.0.1", port).withImplicitPort(port));
            Audits.assertVerdicts(r, 0, List.of(
                    "auth-tls ok implicit TLS: TLSv1.3",
                    "implicit-ftps ok speaks implicit FTPS on port " + port,
                    "cleartext-login ok not applicable: the login went over implicit TLS",
                    "data-session-reuse low not required",
                    "ccc ok refused",
                    "bounce-port ok category 2", "data-theft ok refused", "pasv-address ok advertises 127.0.0.1"));
            assertSelfSignedButNamed(r);
        }
    }

    @Test
    void implicitPortThatGreetsInClearAndNoTlsAtAll() throws Exception {
        try (DemoUpstream plain = new DemoUpstream()) {
            int port = plain.start(Files.createDirectories(dir.resolve("plain")), true);
            AuditReport r = Audits.audit(AuditOptions.anonymous("127.0.0.1", port).withImplicitPort(port));
            Audits.assertVerdicts(r, 0, List.of(
                    "implicit-ftps info cleartext FTP on port " + port + ", not implicit FTPS (greeting 220 in clear)",
                    "auth-tls medium not offered", "tls-certificate info not tested: no working TLS",
                    "tls-versions info not tested", "ccc info not tested", "data-session-reuse info not tested",
                    "bounce-port ok category 2"));
        }
    }

    @Test
    void implicitPortWithNothingListening() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        try (DemoUpstream plain = new DemoUpstream()) {
            int port = plain.start(Files.createDirectories(dir.resolve("plain")), true);
            AuditReport r = Audits.audit(AuditOptions.anonymous("127.0.0.1", port).withImplicitPort(free));
            Audits.assertVerdict(r, "implicit-ftps", Severity.INFO, "nothing listening on port " + free);
        }
    }

    /** PemTls's certificate: self-signed, names 127.0.0.1 (no mismatch), valid for two days (expiring soon). */
    static void assertSelfSignedButNamed(AuditReport r) {
        Finding cert = r.finding("tls-certificate").orElseThrow();
        String shown = TextReport.render(r, false);
        assertThat(cert.severity()).as(shown).isEqualTo(Severity.MEDIUM);
        assertThat(cert.verdict()).as(shown).contains("self-signed").doesNotContain("mismatch")
                .doesNotContain("expired");
        assertThat(cert.evidence()).extracting(e -> e.observed()).as(shown)
                .anyMatch(o -> o != null && o.matches("SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"))
                .anyMatch(o -> o != null && o.startsWith("subject ") && o.contains("CN="))
                .anyMatch(o -> o != null && o.startsWith("issuer "));
    }
}
