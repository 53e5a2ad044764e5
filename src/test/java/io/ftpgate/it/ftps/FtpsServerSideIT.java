package io.ftpgate.it.ftps;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerTls;
import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.config.ListenerTls.DataProtection;
import io.ftpgate.config.ListenerTls.ServerTlsMode;
import io.ftpgate.control.Gateway;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.tls.TestProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FTPS toward the server: a cleartext LAN client to an FTPS server (ftpgate as the TLS client, verifying the
 * server), and FTPS end to end. The server is MINA with explicit or implicit TLS; files checked by sha256.
 */
class FtpsServerSideIT {

    @TempDir
    Path dir;
    private final DemoUpstream upstream = new DemoUpstream();
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private static final byte[] DATA = Bytes.random(43, 2 * Bytes.MIB + 5);
    private PemTls serverCert;
    private PemTls gatewayCert;
    private Gateway gw;
    private FTPClient ftp;

    @AfterEach
    void tearDown() throws Exception {
        if (ftp != null && ftp.isConnected()) {
            ftp.disconnect();
        }
        if (gw != null) {
            gw.close();
        }
        upstream.stop();
    }

    private InetSocketAddress start(boolean implicitServer, ClientTlsMode client, ServerTlsMode server,
            DataProtection prot, boolean pin) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("upload"));
        Files.write(root.resolve("data.bin"), DATA);
        serverCert = PemTls.create(dir.resolve("server-tls"));
        gatewayCert = PemTls.create(dir.resolve("gateway-tls"));
        int port = upstream.start(root, true, "127.0.0.1", serverCert, implicitServer);
        ListenerTls t = new ListenerTls(client, gatewayCert.files.certPem(), gatewayCert.files.keyPem(), null, false,
                false, server, prot, pin ? null : serverCert.files.certPem(),
                pin ? serverCert.files.fingerprintSha256() : null, true, null).withProvider(TestProvider.get());
        ListenerConfig l = ListenerConfig.builder("to-ftps").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort("127.0.0.1", port)).clientDataPorts(new PortRange(53500, 53999))
                .serverDataPorts(new PortRange(54000, 54499)).tls(t).build();
        gw = Gateway.start(new GatewayConfig(List.of(l), null, null), audit);
        return gw.boundAddresses().get(0);
    }

    private void connect(FTPClient c, InetSocketAddress a) throws Exception {
        ftp = c;
        c.connect(a.getAddress(), a.getPort());
        assertThat(c.login(DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD)).as(c.getReplyString()).isTrue();
        c.setFileType(FTP.BINARY_FILE_TYPE);
    }

    private void roundTrip() throws Exception {
        for (boolean passive : new boolean[] {true, false}) {
            if (passive) {
                ftp.enterLocalPassiveMode();
            } else {
                ftp.enterLocalActiveMode();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(ftp.retrieveFile("data.bin", out)).as(ftp.getReplyString()).isTrue();
            assertThat(Bytes.sha256(out.toByteArray())).isEqualTo(Bytes.sha256(DATA));
        }
        ftp.enterLocalPassiveMode();
        assertThat(ftp.storeFile("upload/up.bin", new ByteArrayInputStream(DATA))).as(ftp.getReplyString() + audit.dump())
                .isTrue();
        // Read back through the gateway: the server's 226 may precede its closing of the file on disk.
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        assertThat(ftp.retrieveFile("upload/up.bin", back)).as(ftp.getReplyString()).isTrue();
        assertThat(Bytes.sha256(back.toByteArray())).isEqualTo(Bytes.sha256(DATA));
    }

    @Test
    void aCleartextClientReachesAnExplicitFtpsServerWithPrivateData() throws Exception {
        connect(new FTPClient(), start(false, ClientTlsMode.OFF, ServerTlsMode.REQUIRED, DataProtection.PRIVATE,
                false));
        roundTrip();
        AuditEvent t = audit.await("tls");
        assertThat(t.get("side")).isEqualTo("server");
        assertThat(audit.all(RecordingAuditSink.type("refused"))).isEmpty();
    }

    @Test
    void anImplicitFtpsServerWithAPinnedCertificate() throws Exception {
        connect(new FTPClient(), start(true, ClientTlsMode.OFF, ServerTlsMode.IMPLICIT, DataProtection.PRIVATE,
                true));
        roundTrip();
    }

    @Test
    void autoUsesTlsWhenTheServerOffersIt() throws Exception {
        connect(new FTPClient(), start(false, ClientTlsMode.OFF, ServerTlsMode.AUTO, DataProtection.CLEAR, false));
        roundTrip();
        assertThat(audit.await("tls").get("side")).isEqualTo("server");
    }

    @Test
    void ftpsEndToEndFollowingTheClient() throws Exception {
        FTPSClient c = new FTPSClient("TLS", false);
        c.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
        // Commons Net never reads the TLS 1.3 NewSessionTicket a server sends on a data connection it only writes
        // to; closing the socket with it unread sends a reset, and the kernel then discards the upload's tail that
        // the peer had not read yet (a direct FTPS server loses it the same way). TLS 1.2 has no such ticket.
        c.setEnabledProtocols(new String[] {"TLSv1.2"});
        connect(c, start(false, ClientTlsMode.REQUIRED, ServerTlsMode.MATCH_CLIENT, DataProtection.MATCH_CLIENT,
                false));
        c.execPBSZ(0);
        c.execPROT("P");
        roundTrip();
        assertThat(audit.all(RecordingAuditSink.type("tls"))).extracting(e -> e.get("side"))
                .containsExactlyInAnyOrder("client", "server");
    }

    @Test
    void aServerWhoseCertificateDoesNotVerifyEndsTheSession() throws Exception {
        InetSocketAddress a = start(false, ClientTlsMode.OFF, ServerTlsMode.REQUIRED, DataProtection.PRIVATE, false);
        // Swap the trusted certificate for another one: the real server's no longer verifies.
        gw.close();
        ListenerTls t = new ListenerTls(ClientTlsMode.OFF, null, null, null, false, false, ServerTlsMode.REQUIRED,
                DataProtection.PRIVATE, gatewayCert.files.certPem(), null, true, null)
                .withProvider(TestProvider.get());
        ListenerConfig l = ListenerConfig.builder("to-ftps").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort("127.0.0.1", upstream.port())).tls(t).build();
        gw = Gateway.start(new GatewayConfig(List.of(l), null, null), audit);
        ftp = new FTPClient();
        ftp.connect(gw.boundAddresses().get(0).getAddress(), gw.boundAddresses().get(0).getPort());
        // The greeting was relayed; the server's certificate fails verification, and the session ends with 421.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ftp.login(DemoUpstream.DEMO_USER,
                DemoUpstream.DEMO_PASSWORD)).hasMessageContaining("421");
        assertThat(audit.awaitRefused("tls-handshake-failed").get("input").toString()).startsWith("server:");
        assertThat(a).isNotNull();
    }
}
