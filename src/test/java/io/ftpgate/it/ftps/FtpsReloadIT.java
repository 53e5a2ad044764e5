package io.ftpgate.it.ftps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerTls;
import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.config.ListenerTls.ServerTlsMode;
import io.ftpgate.control.Gateway;
import io.ftpgate.control.GatewayStartException;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.tls.Fingerprints;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.X509TrustManager;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPSClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate renewal without dropping sessions: the listener's {@code tls-certificate} and {@code tls-key} files
 * are replaced and the configuration reloaded (what SIGHUP does, {@code RunCommand}): a new session is shown the
 * new certificate, a session that was already open keeps its TLS and moves files (sha256). Files that do not load
 * (a key that is not the certificate's) make the reload fail: the running certificate stays in force.
 */
class FtpsReloadIT {

    @TempDir
    Path dir;
    private final DemoUpstream upstream = new DemoUpstream();
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private static final byte[] DATA = Bytes.random(47, Bytes.MIB + 3);
    private Gateway gw;

    @AfterEach
    void tearDown() {
        if (gw != null) {
            gw.close();
        }
        upstream.stop();
    }

    @Test
    void aRenewedCertificateServesNewSessionsAndOpenOnesGoOn() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.write(root.resolve("data.bin"), DATA);
        int port = upstream.start(root, true, "127.0.0.1");
        Path tlsDir = dir.resolve("tls");
        PemTls first = PemTls.create(tlsDir);
        ListenerTls t = new ListenerTls(ClientTlsMode.REQUIRED, first.files.certPem(), first.files.keyPem(), null,
                true, false, ServerTlsMode.OFF, null, null, null, true, null);
        GatewayConfig config = new GatewayConfig(List.of(ListenerConfig.builder("ftps")
                .listen(new HostAndPort("127.0.0.1", 0)).upstream(new HostAndPort("127.0.0.1", port))
                .clientDataPorts(new PortRange(52500, 52999)).tls(t).build()), null, null);
        gw = Gateway.start(config, audit);
        InetSocketAddress a = gw.boundAddresses().get(0);

        Seen before = new Seen();
        FTPSClient open = login(a, before);
        assertThat(before.fingerprints).containsExactly(first.files.fingerprintSha256());

        // Renewal: new files at the same paths, then the reload SIGHUP triggers.
        PemTls renewed = PemTls.create(tlsDir);
        assertThat(renewed.files.fingerprintSha256()).isNotEqualTo(first.files.fingerprintSha256());
        gw.reload(config);

        Seen after = new Seen();
        FTPSClient fresh = login(a, after);
        assertThat(after.fingerprints).containsExactly(renewed.files.fingerprintSha256());
        assertThat(Bytes.sha256(retrieve(fresh))).isEqualTo(Bytes.sha256(DATA));
        // The session opened before the reload still has its TLS, on control and data connections alike.
        assertThat(Bytes.sha256(retrieve(open))).isEqualTo(Bytes.sha256(DATA));
        assertThat(open.logout()).isTrue();
        assertThat(fresh.logout()).isTrue();

        // A key that is not the certificate's: the reload is refused and the renewed certificate stays in force.
        Files.copy(PemTls.create(dir.resolve("other")).files.keyPem(), renewed.files.keyPem(),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> gw.reload(config)).isInstanceOf(GatewayStartException.class)
                .hasMessageContaining("listener ftps");
        Seen third = new Seen();
        FTPSClient still = login(a, third);
        assertThat(third.fingerprints).containsExactly(renewed.files.fingerprintSha256());
        assertThat(still.logout()).isTrue();
        still.disconnect();
        open.disconnect();
        fresh.disconnect();
    }

    private static FTPSClient login(InetSocketAddress a, Seen seen) throws Exception {
        FTPSClient c = new FTPSClient("TLS", false);
        c.setTrustManager(seen);
        // TLS 1.2: Commons Net leaves TLS 1.3's NewSessionTicket unread on data connections (FtpsServerSideIT).
        c.setEnabledProtocols(new String[] {"TLSv1.2"});
        c.connect(a.getAddress(), a.getPort());
        assertThat(c.login(DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD)).as(c.getReplyString()).isTrue();
        c.execPBSZ(0);
        c.execPROT("P");
        c.setFileType(FTP.BINARY_FILE_TYPE);
        c.enterLocalPassiveMode();
        return c;
    }

    private static byte[] retrieve(FTPSClient c) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(c.retrieveFile("data.bin", out)).as(c.getReplyString()).isTrue();
        return out.toByteArray();
    }

    /** Accepts the gateway's test certificate and records the SHA-256 of each leaf it was shown. */
    private static final class Seen implements X509TrustManager {
        final List<String> fingerprints = new CopyOnWriteArrayList<>();

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            String f = Fingerprints.sha256(chain[0]);
            if (!fingerprints.contains(f)) {
                fingerprints.add(f);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
