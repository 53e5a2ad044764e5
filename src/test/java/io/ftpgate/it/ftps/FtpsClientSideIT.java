package io.ftpgate.it.ftps;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerTls;
import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.config.ListenerTls.ServerTlsMode;
import io.ftpgate.control.Gateway;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.tls.TestProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FTPS toward the client in front of a cleartext server (the first deployment of the README's FTPS section):
 * Commons Net's FTPSClient, explicit and implicit, through ftpgate to MINA in clear. Files are checked by
 * sha256, every refusal by its reply and audit event.
 */
class FtpsClientSideIT {

    @TempDir
    static Path dir;
    private static final DemoUpstream upstream = new DemoUpstream();
    private static int upstreamPort;
    private static PemTls tls;
    private static final byte[] DATA = Bytes.random(41, 3 * Bytes.MIB + 11);

    private final RecordingAuditSink audit = new RecordingAuditSink();
    private Gateway gw;
    private FTPSClient ftps;

    @BeforeAll
    static void startUpstream() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("upload"));
        Files.write(root.resolve("data.bin"), DATA);
        upstreamPort = upstream.start(root, true, "127.0.0.1");
        tls = PemTls.create(dir.resolve("tls"));
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (ftps != null && ftps.isConnected()) {
            ftps.disconnect();
        }
        if (gw != null) {
            gw.close();
        }
    }

    private InetSocketAddress start(ClientTlsMode mode, boolean requireProtP, boolean requireReuse) throws Exception {
        ListenerTls t = new ListenerTls(mode, tls.files.certPem(), tls.files.keyPem(), null, requireProtP,
                requireReuse, ServerTlsMode.OFF, null, null, null, true, null).withProvider(TestProvider.get());
        ListenerConfig l = ListenerConfig.builder("ftps").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort("127.0.0.1", upstreamPort)).clientDataPorts(
                        new io.ftpgate.net.PortRange(53000, 53499)).tls(t).build();
        gw = Gateway.start(new GatewayConfig(List.of(l), null, null), audit);
        return gw.boundAddresses().get(0);
    }

    private FTPSClient client(boolean implicit, InetSocketAddress gateway) throws Exception {
        FTPSClient c = new FTPSClient("TLS", implicit);
        c.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
        if (!implicit) {
            // Uploads: Commons Net leaves a TLS 1.3 NewSessionTicket unread and resets the data connection (see
            // FtpsServerSideIT); the implicit test keeps TLS 1.3.
            c.setEnabledProtocols(new String[] {"TLSv1.2"});
        }
        c.connect(gateway.getAddress(), gateway.getPort());
        return c;
    }

    private void loginPrivate() throws Exception {
        assertThat(ftps.login(DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD)).as(ftps.getReplyString()).isTrue();
        ftps.execPBSZ(0);
        ftps.execPROT("P");
        ftps.setFileType(FTP.BINARY_FILE_TYPE);
    }

    private byte[] retrieve(String name) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ftps.retrieveFile(name, out)).as(ftps.getReplyString()).isTrue();
        return out.toByteArray();
    }

    @Test
    void explicitFtpsInFrontOfACleartextServerInEveryDataMode() throws Exception {
        ftps = client(false, start(ClientTlsMode.REQUIRED, true, false));
        loginPrivate();
        ftps.enterLocalPassiveMode();
        assertThat(Bytes.sha256(retrieve("data.bin"))).isEqualTo(Bytes.sha256(DATA));
        ftps.setUseEPSVwithIPv4(true);
        assertThat(Bytes.sha256(retrieve("data.bin"))).isEqualTo(Bytes.sha256(DATA));
        ftps.enterLocalActiveMode();
        assertThat(Bytes.sha256(retrieve("data.bin"))).isEqualTo(Bytes.sha256(DATA));
        assertThat(ftps.storeFile("upload/back.bin", new ByteArrayInputStream(DATA))).as(ftps.getReplyString())
                .isTrue();
        ftps.enterLocalPassiveMode();
        assertThat(Bytes.sha256(retrieve("upload/back.bin"))).isEqualTo(Bytes.sha256(DATA));
        assertThat(ftps.listNames("upload")).contains("back.bin");
        ftps.logout();
        AuditEvent t = audit.await("tls");
        assertThat(t.get("side")).isEqualTo("client");
        assertThat(String.valueOf(t.get("protocol"))).startsWith("TLSv1.");
        assertThat(audit.all(RecordingAuditSink.type("transfer"))).allSatisfy(e ->
                assertThat(e.get("outcome")).isEqualTo("ok"));
    }

    @Test
    void implicitFtps() throws Exception {
        ftps = client(true, start(ClientTlsMode.IMPLICIT, false, false));
        loginPrivate();
        ftps.enterLocalPassiveMode();
        assertThat(Bytes.sha256(retrieve("data.bin"))).isEqualTo(Bytes.sha256(DATA));
        ftps.execPROT("C");
        assertThat(Bytes.sha256(retrieve("data.bin"))).as("PROT C: data in clear").isEqualTo(Bytes.sha256(DATA));
    }

    @Test
    void aListenerThatRequiresTlsRefusesACleartextLogin() throws Exception {
        try (RawFtp ftp = RawFtp.open(start(ClientTlsMode.REQUIRED, false, false))) {
            assertThat(ftp.cmd("USER demo").code()).isEqualTo(530);
            assertThat(audit.awaitRefused("tls-required").get("input")).isEqualTo("USER demo");
            assertThat(ftp.cmd("PBSZ 0").code()).as("PBSZ before AUTH").isEqualTo(503);
            assertThat(ftp.cmd("AUTH KERBEROS_V4").code()).isEqualTo(504);
        }
    }

    @Test
    void protPRequiredAndCccRefused() throws Exception {
        ftps = client(false, start(ClientTlsMode.REQUIRED, true, false));
        assertThat(ftps.login(DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD)).isTrue();
        ftps.enterLocalPassiveMode();
        assertThat(ftps.retrieveFile("data.bin", new ByteArrayOutputStream())).isFalse();
        assertThat(ftps.getReplyCode()).as("RFC 4217: no PROT P yet").isEqualTo(521);
        ftps.execPBSZ(0);
        assertThat(ftps.sendCommand("PROT", "C")).isEqualTo(534);
        // Commons Net turns any CCC reply but 200 into an exception carrying the reply.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ftps.execCCC())
                .hasMessageStartingWith("533 CCC refused");
        assertThat(audit.awaitRefused("ccc-refused").get("reply")).isEqualTo(533);
        assertThat(audit.all(RecordingAuditSink.refused("tls-prot-required"))).hasSize(2);
    }

    @Test
    void aDataConnectionThatDoesNotResumeTheControlSessionIsRefusedWhenReuseIsRequired() throws Exception {
        // Commons Net does not offer the control connection's TLS session on its data connections.
        ftps = client(false, start(ClientTlsMode.REQUIRED, true, true));
        loginPrivate();
        ftps.enterLocalPassiveMode();
        assertThat(ftps.retrieveFile("data.bin", new ByteArrayOutputStream())).isFalse();
        assertThat(ftps.getReplyCode()).isEqualTo(425);
        assertThat(audit.awaitRefused("tls-data-session-not-reused")).isNotNull();
    }
}
