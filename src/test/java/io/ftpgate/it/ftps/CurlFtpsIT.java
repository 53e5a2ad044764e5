package io.ftpgate.it.ftps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The most common FTPS client, Debian's curl with OpenSSL, through a listener that requires TLS, PROT P and
 * data-session reuse (vsftpd's require_ssl_reuse=YES): several files over one control connection, in each
 * passive mode, every data connection resuming the control connection's TLS session (TLS 1.3 included).
 * Active mode is not among them: curl 7.88 never starts TLS on an accepted data connection ("sa_addr
 * inet_ntop() failed with errno 97", then a timeout), directly against an FTPS server as well; Commons Net
 * covers active FTPS (FtpsClientSideIT).
 */
class CurlFtpsIT {

    private static final Path CURL = Path.of("/usr/bin/curl");
    private static final int FILES = 5;
    private static final long CURL_MAX_SECONDS = 60;

    private static Path dir;
    private static final DemoUpstream upstream = new DemoUpstream();
    private static final RecordingAuditSink audit = new RecordingAuditSink();
    private static Gateway gw;
    private static final List<byte[]> data = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("curl-ftps");
        Path root = Files.createDirectories(dir.resolve("root"));
        for (int i = 1; i <= FILES; i++) {
            data.add(Bytes.random(100 + i, 64 * 1024 + i));
            Files.write(root.resolve("f" + i + ".bin"), data.get(i - 1));
        }
        int port = upstream.start(root, true, "127.0.0.1");
        PemTls tls = PemTls.create(dir.resolve("tls"));
        ListenerTls t = new ListenerTls(ClientTlsMode.REQUIRED, tls.files.certPem(), tls.files.keyPem(), null, true,
                true, ServerTlsMode.OFF, null, null, null, true, null).withProvider(TestProvider.get());
        ListenerConfig l = ListenerConfig.builder("curl-ftps").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort("127.0.0.1", port)).clientDataPorts(new PortRange(54500, 54999)).tls(t)
                .build();
        gw = Gateway.start(new GatewayConfig(List.of(l), null, null), audit);
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
        upstream.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"epsv", "pasv"})
    void everyDataConnectionResumesTheControlSession(String mode) throws Exception {
        if (!Files.isExecutable(CURL)) {
            if ("1".equals(System.getenv("FTPGATE_REQUIRE_PEERS"))) {
                fail("curl not found: apt-get install -y curl");
            }
            Assumptions.abort("curl is not installed");
        }
        Path out = Files.createDirectories(dir.resolve("out-" + mode));
        List<String> cmd = new ArrayList<>(List.of(CURL.toString(), "-sS", "--max-time",
                String.valueOf(CURL_MAX_SECONDS), "--ssl-reqd", "-k", "-u", "anonymous:curl@example.org"));
        if (mode.equals("pasv")) {
            cmd.add("--disable-epsv");
        }
        int port = gw.boundAddresses().get(0).getPort();
        cmd.addAll(List.of("ftp://127.0.0.1:" + port + "/f[1-" + FILES + "].bin", "-o", out + "/f#1.bin"));
        int before = audit.all(RecordingAuditSink.type("transfer")).size();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(CURL_MAX_SECONDS + 5, TimeUnit.SECONDS)).as("curl finished").isTrue();
        String said = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as("curl's exit code; it said: " + said + "\naudit: " + audit.dump()).isZero();
        for (int i = 1; i <= FILES; i++) {
            assertThat(Bytes.sha256(Files.readAllBytes(out.resolve("f" + i + ".bin"))))
                    .isEqualTo(Bytes.sha256(data.get(i - 1)));
        }
        assertThat(audit.all(RecordingAuditSink.type("transfer"))).hasSize(before + FILES)
                .allSatisfy(e -> assertThat(e.get("outcome")).isEqualTo("ok"));
        assertThat(audit.all(RecordingAuditSink.refused("tls-data-session-not-reused"))).isEmpty();
    }
}
