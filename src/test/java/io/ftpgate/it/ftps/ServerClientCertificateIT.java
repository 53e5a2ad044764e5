package io.ftpgate.it.ftps;

import static io.ftpgate.it.Diagnostics.withDiagnostics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.auditor.it.ExternalServer;
import io.ftpgate.auditor.it.VsftpdAuditIT;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.it.ftps.UpstreamFtps.ClientMode;
import io.ftpgate.it.ftps.UpstreamFtps.Peer;
import io.ftpgate.it.ftps.UpstreamFtps.Through;
import io.ftpgate.net.PortRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ftpgate presents a client certificate to a server that admits only known gateways: vsftpd with
 * {@code require_cert=YES} and {@code validate_cert=YES} against a CA file that holds the CA of ftpgate's
 * {@code server-client-certificate}. With the certificate every data mode moves files (sha256, uploads read back)
 * and vsftpd's own TLS log shows a certificate on the control connection and on every data connection; without it
 * vsftpd ends TLS with an alert, and the session ends with a {@code tls-handshake-failed} record for the server
 * side and a 421 to the client, rather than a hang or a bare "server closed". The same for a JDK server (MINA)
 * that refuses the certificate it got.
 *
 * <p>The gateway's certificate is issued by a test CA made with Debian's {@code openssl}: vsftpd (OpenSSL) does
 * not accept a self-signed end-entity certificate (CA:false, no keyCertSign) as its own trust anchor.
 */
class ServerClientCertificateIT {

    private static final PortRange CLIENT_PORTS = new PortRange(62000, 62199);
    private static final PortRange SERVER_PORTS = new PortRange(62200, 62399);
    private static final String OPENSSL = "/usr/bin/openssl";

    @TempDir
    static Path dir;
    private static Peer vsftpd;
    private static Path gatewayCert;
    private static Path gatewayKey;

    @BeforeAll
    static void start() throws Exception {
        ExternalServer.require(Path.of(OPENSSL), "openssl");
        Path pki = Files.createDirectories(dir.resolve("pki"));
        openssl(pki, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=ftpgate test gateway CA", "-days", "2");
        openssl(pki, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "gateway.key", "-out", "gateway.csr", "-subj", "/CN=ftpgate-gateway");
        Files.writeString(pki.resolve("ext.cnf"), "extendedKeyUsage=clientAuth\n");
        openssl(pki, "x509", "-req", "-in", "gateway.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "gateway.pem", "-days", "2", "-extfile", "ext.cnf");
        gatewayCert = pki.resolve("gateway.pem");
        gatewayKey = pki.resolve("gateway.key");
        vsftpd = Peer.start(dir, cert -> VsftpdAuditIT.start(dir, false, false,
                UpstreamFtps.vsftpdFtps(cert, 64800, 64899, log(),
                        "require_cert=YES", "validate_cert=YES", "ca_certs_file=" + pki.resolve("ca.pem"))));
    }

    @AfterAll
    static void stop() {
        if (vsftpd != null) {
            vsftpd.close();
        }
    }

    @Test
    void theGatewayCertificateOpensEveryConnection() throws Exception {
        int before = lines().size();
        try (Through t = new Through(vsftpd, false, UpstreamMode.PASSIVE, List.of("TLSv1.3", "TLSv1.2"),
                CLIENT_PORTS, SERVER_PORTS, tls -> tls.withServerClientCertificate(gatewayCert, gatewayKey))) {
            withDiagnostics(() -> "audit:\n" + t.audit.dump() + "vsftpd log:\n" + UpstreamFtps.read(log()), () -> {
                FTPClient ftp = t.login("anonymous", "ftpgate@example.org");
                for (ClientMode mode : ClientMode.values()) {
                    UpstreamFtps.roundTrips(ftp, mode, "cert-" + mode);
                }
                ftp.logout();
            });
            t.assertClean("TLSv1.3");
        }
        List<String> handshakes = lines().stream().skip(before).filter(l -> l.contains("SSL version: ")).toList();
        assertThat(handshakes).as("the control connection and every data connection")
                .hasSize(1 + UpstreamFtps.TRANSFERS).allMatch(l -> l.contains("CERT PRESENTED"));
    }

    @Test
    void withoutItVsftpdRefusesAndTheClientIsTold() throws Exception {
        int before = lines().size();
        try (Through t = new Through(vsftpd, false, UpstreamMode.PASSIVE, List.of("TLSv1.3", "TLSv1.2"),
                CLIENT_PORTS, SERVER_PORTS)) {
            // Under TLS 1.3 ftpgate's handshake completes before vsftpd (OpenSSL) looks for the certificate; its
            // alert certificate_required follows. The session ends with that named, and the client gets 421.
            assertThatThrownBy(() -> t.login("anonymous", "ftpgate@example.org")).hasMessageContaining("421");
            AuditEvent refused = t.audit.awaitRefused("tls-handshake-failed");
            // The JDK says "Received fatal alert: certificate_required", BoringSSL "...TLSV1_ALERT_CERTIFICATE_REQUIRED".
            assertThat(refused.get("input").toString()).startsWith("server: ").containsIgnoringCase("alert")
                    .containsIgnoringCase("certificate_required");
            assertThat(t.audit.awaitEvent(RecordingAuditSink.type("session-close"), Duration.ofSeconds(15))
                    .get("reason")).isEqualTo("tls-handshake-failed");
        }
        assertThat(lines().stream().skip(before)).as("vsftpd saw no certificate")
                .anyMatch(l -> l.contains("peer did not return a certificate"));
    }

    @Test
    void aServerThatRefusesItWithAnAlertAfterTheTls13HandshakeIsRecorded() throws Exception {
        // A JDK server needing a client certificate (MINA, ClientAuth.NEED) accepts the handshake, then sends the
        // fatal alert certificate_required (TLS 1.3: the client's certificate travels after the server's Finished).
        Path root = Files.createDirectories(dir.resolve("mina-root"));
        PemTls minaCert = PemTls.create(dir.resolve("mina-tls")).requiringClientCertificates();
        try (DemoUpstream mina = new DemoUpstream()) {
            int port = mina.start(root, true, "127.0.0.1", minaCert, false);
            Peer peer = new Peer(minaCert, vsftpd.gatewayCert, () -> { }, port);
            try (Through t = new Through(peer, false, UpstreamMode.PASSIVE, List.of("TLSv1.3"), CLIENT_PORTS,
                    SERVER_PORTS, tls -> tls.withServerClientCertificate(gatewayCert, gatewayKey))) {
                assertThatThrownBy(() -> t.login(DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD))
                        .hasMessageContaining("421");
                AuditEvent refused = t.audit.awaitRefused("tls-handshake-failed");
                assertThat(refused.get("input").toString()).as(t.audit.dump()).startsWith("server: ")
                        .containsIgnoringCase("alert");
                assertThat(t.audit.awaitEvent(RecordingAuditSink.type("session-close"), Duration.ofSeconds(15))
                        .get("reason")).isEqualTo("tls-handshake-failed");
            }
        }
    }

    private static List<String> lines() throws IOException {
        return Files.exists(log()) ? Files.readAllLines(log()) : List.of();
    }

    private static Path log() {
        return dir.resolve("vsftpd-protocol.log");
    }

    private static void openssl(Path cwd, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(OPENSSL));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("openssl " + String.join(" ", args) + ": " + out).isZero();
    }
}
