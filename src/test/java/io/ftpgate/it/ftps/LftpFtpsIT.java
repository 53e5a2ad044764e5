package io.ftpgate.it.ftps;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.auditor.it.ExternalServer;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerTls;
import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.config.ListenerTls.ServerTlsMode;
import io.ftpgate.control.Gateway;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.tls.TestProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Debian's lftp (GnuTLS) as the FTPS client, through a listener that requires TLS, PROT P and data-session
 * reuse, in front of MINA in clear: {@code set ftp:ssl-force true; set ftp:ssl-protect-data true; set
 * ssl:verify-certificate no}. In each mode lftp uploads several files with one {@code mput} and downloads them
 * again with one {@code mget}, all over one control connection; every file is checked by sha256 and every
 * transfer in the audit log.
 *
 * <p>Passive (PASV and EPSV, {@code ftp:prefer-epsv}) and active mode (PORT: lftp listens and ftpgate
 * connects, ftpgate still the TLS server on that connection, lftp the TLS client, as RFC 4217 says). lftp
 * resumes the control connection's TLS session on every data connection ({@code ftp:ssl-copy-sid}, on by
 * default), under TLS 1.3 too, so require-data-session-reuse (vsftpd's require_ssl_reuse) holds for it in
 * every mode; a data connection that did not resume would be refused with 425 and fail the test. Under TLS 1.2
 * lftp resumes by ticket and proposes a fresh session id with it (RFC 5077 §3.4), which ftpgate took for a
 * different session until it linked sessions by their origin only (ServerTls#resumedFrom). lftp also turns on
 * {@code MODE Z} (MINA offers it); ftpgate relays the compressed stream like any other.
 */
class LftpFtpsIT {

    private static final Path LFTP = Path.of("/usr/bin/lftp");
    private static final List<Integer> SIZES = List.of(0, 1, 64 * 1024 + 3, Bytes.MIB + 9);
    private static final long LFTP_MAX_SECONDS = 120;

    @TempDir
    static Path dir;
    private static Path upload;
    private static final DemoUpstream upstream = new DemoUpstream();
    private static final RecordingAuditSink audit = new RecordingAuditSink();
    /** One gateway per TLS version: TLSv1.3 (what lftp and ftpgate choose by default) and TLSv1.2. */
    private static final Map<String, Gateway> gateways = new HashMap<>();
    private static PemTls tls;
    private static int upstreamPort;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        upload = Files.createDirectories(root.resolve(DemoUpstream.UPLOAD_DIR));
        upstreamPort = upstream.start(root, true, "127.0.0.1");
        tls = PemTls.create(dir.resolve("tls"));
    }

    /** The gateway for {@code protocol}: client-tls required, require-prot-p, require-data-session-reuse. */
    private static Gateway gateway(String protocol) throws Exception {
        Gateway gw = gateways.get(protocol);
        if (gw == null) {
            ListenerTls t = new ListenerTls(ClientTlsMode.REQUIRED, tls.files.certPem(), tls.files.keyPem(), null,
                    true, true, ServerTlsMode.OFF, null, null, null, true, List.of(protocol))
                    .withProvider(TestProvider.get());
            ListenerConfig l = ListenerConfig.builder("lftp-ftps").listen(new HostAndPort("127.0.0.1", 0))
                    .upstream(new HostAndPort("127.0.0.1", upstreamPort))
                    .clientDataPorts(new PortRange(64600, 64999)).tls(t).build();
            gw = Gateway.start(new GatewayConfig(List.of(l), null, null), audit);
            gateways.put(protocol, gw);
        }
        return gw;
    }

    @AfterAll
    static void stop() {
        gateways.values().forEach(Gateway::close);
        upstream.stop();
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"pasv, TLSv1.3", "epsv, TLSv1.3", "port, TLSv1.3", "pasv, TLSv1.2", "port, TLSv1.2"})
    void mputAndMgetOverOneSession(String mode, String protocol) throws Exception {
        ExternalServer.require(LFTP, "lftp");
        Gateway gw = gateway(protocol);
        String tag = mode + "-" + protocol;
        Path in = Files.createDirectories(dir.resolve("in-" + tag));
        Path out = Files.createDirectories(dir.resolve("out-" + tag));
        List<byte[]> data = new ArrayList<>();
        for (int i = 0; i < SIZES.size(); i++) {
            data.add(Bytes.random(tag.hashCode() + i, SIZES.get(i)));
            Files.write(in.resolve(tag + "-" + i + ".bin"), data.get(i));
        }
        String remote = "/" + DemoUpstream.UPLOAD_DIR;
        Path log = dir.resolve("lftp-" + tag + ".log");
        String script = String.join("\n",
                "set cmd:fail-exit true",
                "set net:max-retries 1",
                "set net:timeout 30",
                "set ftp:ssl-force true",
                "set ftp:ssl-protect-data true",
                "set ssl:verify-certificate no",
                "set ftp:passive-mode " + !mode.equals("port"),
                "set ftp:prefer-epsv " + mode.equals("epsv"),
                "debug -o " + log + " 9",
                "open -u " + DemoUpstream.DEMO_USER + "," + DemoUpstream.DEMO_PASSWORD + " ftp://127.0.0.1:"
                        + gw.boundAddresses().get(0).getPort(),
                "mput -O " + remote + " " + in + "/*.bin",
                "mget -O " + out + " " + remote + "/" + tag + "-*.bin",
                "quit") + "\n";
        Path file = Files.writeString(dir.resolve("script-" + tag), script);
        int before = audit.all(RecordingAuditSink.type("transfer")).size();
        Process p = new ProcessBuilder(LFTP.toString(), "-f", file.toString()).redirectErrorStream(true).start();
        boolean finished = p.waitFor(LFTP_MAX_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String diagnostics = "lftp said: " + new String(p.getInputStream().readAllBytes()) + "\naudit:\n"
                + audit.dump() + "\nlftp log:\n" + (Files.exists(log) ? Files.readString(log) : "(none)");
        assertThat(finished).as("lftp finished; " + diagnostics).isTrue();
        assertThat(p.exitValue()).as("lftp's exit code; " + diagnostics).isZero();
        for (int i = 0; i < SIZES.size(); i++) {
            String name = tag + "-" + i + ".bin";
            assertThat(Bytes.sha256(Files.readAllBytes(upload.resolve(name)))).as("uploaded " + name)
                    .isEqualTo(Bytes.sha256(data.get(i)));
            assertThat(Bytes.sha256(Files.readAllBytes(out.resolve(name)))).as("downloaded " + name)
                    .isEqualTo(Bytes.sha256(data.get(i)));
        }
        List<AuditEvent> transfers = audit.all(RecordingAuditSink.type("transfer"));
        // Each upload and each download, and the listing mget expands its pattern with.
        assertThat(transfers.subList(before, transfers.size())).as(diagnostics)
                .hasSizeGreaterThanOrEqualTo(2 * SIZES.size())
                .allSatisfy(e -> assertThat(e.get("outcome")).isEqualTo("ok"))
                .allSatisfy(e -> assertThat(e.get("client-mode")).isEqualTo(mode.toUpperCase(Locale.ROOT)));
        assertThat(audit.all(RecordingAuditSink.type("tls"))).extracting(e -> e.get("protocol")).contains(protocol);
        assertThat(audit.all(RecordingAuditSink.type("refused"))).as(diagnostics).isEmpty();
    }
}
