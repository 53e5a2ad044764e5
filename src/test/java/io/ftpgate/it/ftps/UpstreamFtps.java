package io.ftpgate.it.ftps;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.auditor.it.ExternalServer;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerTls;
import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.config.ListenerTls.DataProtection;
import io.ftpgate.config.ListenerTls.ServerTlsMode;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.control.Gateway;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.policy.ListenerPolicy;
import io.ftpgate.tls.TestProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;

/**
 * What the ITs against real FTPS servers (vsftpd, pyftpdlib) share: the server with its certificate
 * ({@link Peer}); a gateway that requires TLS toward it with private data, the server's certificate as its CA,
 * and a Commons Net client, cleartext or FTPS ({@link Through}); each client data mode, uploads read back
 * through the gateway and checked by sha256 ({@link #roundTrips}).
 */
final class UpstreamFtps {

    /** The client's data connection mode. Commons Net sends EPRT only for IPv6: {@link EprtFtp} makes it. */
    enum ClientMode {
        PASV, EPSV, PORT, EPRT
    }

    /** File sizes of each mode's uploads: empty (the TLS handshake and close only), one byte, larger ones. */
    static final List<Integer> SIZES = List.of(0, 1, 64 * 1024 + 7, Bytes.MIB + 13);
    /** The transfers of {@link #roundTrips} in every mode: per mode each upload, each download, one listing. */
    static final int TRANSFERS = (2 * SIZES.size() + 1) * ClientMode.values().length;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private UpstreamFtps() {
    }

    /** Starts an FTPS server that presents {@code cert}. */
    interface Starter {
        ExternalServer start(PemTls cert) throws Exception;
    }

    /** A real FTPS server with its test certificate, and the certificate the gateway shows its clients. */
    static final class Peer implements AutoCloseable {
        final PemTls serverCert;
        final PemTls gatewayCert;
        private final AutoCloseable server;
        private final int port;

        /** A server listening on 127.0.0.1:{@code port}, stopped by {@code server}. */
        Peer(PemTls serverCert, PemTls gatewayCert, AutoCloseable server, int port) {
            this.serverCert = serverCert;
            this.gatewayCert = gatewayCert;
            this.server = server;
            this.port = port;
        }

        /** Makes both certificates in {@code dir} and starts the server with its own. */
        static Peer start(Path dir, Starter starter) throws Exception {
            PemTls serverCert = PemTls.create(dir.resolve("server-tls"));
            ExternalServer server = starter.start(serverCert);
            return new Peer(serverCert, PemTls.create(dir.resolve("gateway-tls")), server, server.port());
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (Exception e) {
                throw new IllegalStateException("stopping the server: " + e, e);
            }
        }
    }

    /**
     * A gateway in front of a {@link Peer}, and its client; closed together. The gateway has
     * {@code server-tls required}, {@code server-data-protection private}, {@code server-ca} = the server's
     * certificate, TLS versions {@code protocols}. With {@code ftpsClient} also {@code client-tls required}
     * with {@code require-prot-p} (Commons Net never resumes the control session on a data connection, so
     * data-session reuse is not required of it); otherwise clients speak clear FTP. Anonymous users may write
     * (vsftpd's test user is anonymous).
     */
    static final class Through implements AutoCloseable {
        final RecordingAuditSink audit = new RecordingAuditSink();
        final Gateway gw;
        private final boolean ftpsClient;
        private FTPClient ftp;

        Through(Peer peer, boolean ftpsClient, UpstreamMode upstreamMode, List<String> protocols,
                PortRange clientPorts, PortRange serverPorts) throws Exception {
            this(peer, ftpsClient, upstreamMode, protocols, clientPorts, serverPorts, UnaryOperator.identity());
        }

        /** As above, with the listener's TLS settings changed by {@code tls} (a client certificate, say). */
        Through(Peer peer, boolean ftpsClient, UpstreamMode upstreamMode, List<String> protocols,
                PortRange clientPorts, PortRange serverPorts, UnaryOperator<ListenerTls> tls) throws Exception {
            this.ftpsClient = ftpsClient;
            PemTls own = peer.gatewayCert;
            ListenerTls t = new ListenerTls(ftpsClient ? ClientTlsMode.REQUIRED : ClientTlsMode.OFF,
                    ftpsClient ? own.files.certPem() : null, ftpsClient ? own.files.keyPem() : null, null,
                    ftpsClient, false, ServerTlsMode.REQUIRED, DataProtection.PRIVATE,
                    peer.serverCert.files.certPem(), null, true, protocols).withProvider(TestProvider.get());
            ListenerConfig l = ListenerConfig.builder("to-ftps").listen(new HostAndPort("127.0.0.1", 0))
                    .upstream(new HostAndPort("127.0.0.1", peer.port)).clientDataPorts(clientPorts)
                    .serverDataPorts(serverPorts).upstreamMode(upstreamMode).tls(tls.apply(t))
                    .listenerPolicy(new ListenerPolicy(List.of(), true, true, List.of(), null)).build();
            gw = Gateway.start(new GatewayConfig(List.of(l), null, null), audit);
        }

        /** A logged-in binary-mode client; FTPS: explicit, with PBSZ 0 and PROT P. */
        FTPClient login(String user, String password) throws Exception {
            FTPClient c = ftpsClient ? new EprtFtps() : new EprtFtp();
            ftp = c;
            c.setDefaultTimeout((int) CLIENT_TIMEOUT.toMillis());
            c.setConnectTimeout((int) CLIENT_TIMEOUT.toMillis());
            c.setDataTimeout(CLIENT_TIMEOUT);
            if (c instanceof FTPSClient s) {
                s.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
            }
            InetSocketAddress a = gw.boundAddresses().get(0);
            c.connect(a.getAddress(), a.getPort());
            assertThat(c.login(user, password)).as(c.getReplyString()).isTrue();
            if (c instanceof FTPSClient s) {
                s.execPBSZ(0);
                s.execPROT("P");
            }
            assertThat(c.setFileType(FTP.BINARY_FILE_TYPE)).as(c.getReplyString()).isTrue();
            return c;
        }

        /**
         * After {@link #roundTrips} in every mode: TLS {@code protocol} toward the server with its certificate
         * (and TLS toward an FTPS client), each transfer ok, nothing refused.
         */
        void assertClean(String protocol) throws InterruptedException {
            AuditEvent tls = audit.awaitEvent(RecordingAuditSink.type("tls").and(RecordingAuditSink.field("side",
                    "server")), Duration.ofSeconds(10));
            assertThat(tls.get("protocol")).isEqualTo(protocol);
            assertThat(tls.get("peer-subject")).isEqualTo("CN=localhost");
            assertThat(audit.all(RecordingAuditSink.type("tls"))).extracting(e -> e.get("side"))
                    .containsExactlyInAnyOrderElementsOf(ftpsClient ? List.of("client", "server") : List.of("server"));
            assertThat(audit.all(RecordingAuditSink.type("transfer"))).as(audit.dump()).hasSize(TRANSFERS)
                    .allSatisfy(e -> assertThat(e.get("outcome")).isEqualTo("ok"));
            assertThat(audit.all(RecordingAuditSink.type("refused"))).as(audit.dump()).isEmpty();
        }

        @Override
        public void close() throws IOException {
            try {
                if (ftp != null && ftp.isConnected()) {
                    ftp.disconnect();
                }
            } finally {
                gw.close();
            }
        }
    }

    /**
     * vsftpd's settings for an FTPS server that anonymous users may write to: TLS forced for logins and data
     * ({@code force_anon_*}, {@code force_local_*}), TLS 1.0 and older off, its passive ports on 127.0.0.1, and
     * its log ({@code debug_ssl}: one line per TLS connection, "SSL version: ..., reused, ...") in {@code log};
     * then {@code extra}.
     */
    static String[] vsftpdFtps(PemTls cert, int pasvMin, int pasvMax, Path log, String... extra) {
        List<String> lines = new java.util.ArrayList<>(List.of(
                "ssl_enable=YES",
                "allow_anon_ssl=YES",
                "force_anon_logins_ssl=YES",
                "force_anon_data_ssl=YES",
                "force_local_logins_ssl=YES",
                "force_local_data_ssl=YES",
                "ssl_sslv2=NO",
                "ssl_sslv3=NO",
                "ssl_tlsv1=NO",
                // vsftpd 3.0.3's default is DES-CBC3-SHA alone, which no current TLS stack offers: every TLS 1.2
                // handshake fails (handshake_failure); TLS 1.3 suites are not chosen by this list.
                "ssl_ciphers=HIGH",
                "rsa_cert_file=" + cert.files.certPem(),
                "rsa_private_key_file=" + cert.files.keyPem(),
                "write_enable=YES",
                "anon_upload_enable=YES",
                // Uploads readable by anonymous (anon_world_readable_only), so they can be read back.
                "anon_umask=022",
                "pasv_enable=YES",
                "pasv_address=127.0.0.1",
                "pasv_min_port=" + pasvMin,
                "pasv_max_port=" + pasvMax,
                "port_enable=YES",
                "debug_ssl=YES",
                "log_ftp_protocol=YES",
                "xferlog_enable=YES",
                "xferlog_std_format=NO",
                "vsftpd_log_file=" + log));
        lines.addAll(List.of(extra));
        return lines.toArray(String[]::new);
    }

    /** A server's log for a failure message: its text, or why it could not be read. */
    static String read(Path log) {
        try {
            return java.nio.file.Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Puts {@code c} in {@code mode}. */
    static void mode(FTPClient c, ClientMode mode) {
        if (mode == ClientMode.PASV || mode == ClientMode.EPSV) {
            c.enterLocalPassiveMode();
            c.setUseEPSVwithIPv4(mode == ClientMode.EPSV);
        } else {
            c.enterLocalActiveMode();
        }
        if (c instanceof EprtFtp p) {
            p.eprt = mode == ClientMode.EPRT;
        } else {
            ((EprtFtps) c).eprt = mode == ClientMode.EPRT;
        }
    }

    /**
     * In {@code mode}: uploads a file of each of {@link #SIZES} (named {@code prefix-N.bin}) and reads each back,
     * then lists them; every transfer over its own data connection. Returns what was uploaded, by name.
     */
    static Map<String, byte[]> roundTrips(FTPClient c, ClientMode mode, String prefix) throws IOException {
        mode(c, mode);
        Map<String, byte[]> sent = new LinkedHashMap<>();
        for (int i = 0; i < SIZES.size(); i++) {
            byte[] data = Bytes.random(prefix.hashCode() * 31L + i, SIZES.get(i));
            String name = prefix + "-" + i + ".bin";
            assertThat(c.storeFile(name, new ByteArrayInputStream(data))).as("%s STOR %s: %s", mode, name,
                    c.getReplyString()).isTrue();
            sent.put(name, data);
        }
        for (Map.Entry<String, byte[]> e : sent.entrySet()) {
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            assertThat(c.retrieveFile(e.getKey(), back)).as("%s RETR %s: %s", mode, e.getKey(), c.getReplyString())
                    .isTrue();
            assertThat(Bytes.sha256(back.toByteArray())).as(e.getKey()).isEqualTo(Bytes.sha256(e.getValue()));
        }
        assertThat(c.listNames()).as("%s NLST: %s", mode, c.getReplyString()).contains(sent.keySet()
                .toArray(String[]::new));
        return sent;
    }

    /** FTPClient sending EPRT instead of PORT when asked (Commons Net itself does only for IPv6). */
    static final class EprtFtp extends FTPClient {
        boolean eprt;

        @Override
        public int port(InetAddress host, int port) throws IOException {
            return eprt ? eprt(host, port) : super.port(host, port);
        }
    }

    /** The FTPS counterpart of {@link EprtFtp}: explicit TLS, certificates not checked (the gateway's test one). */
    static final class EprtFtps extends FTPSClient {
        boolean eprt;

        EprtFtps() {
            super("TLS", false);
            // TLS 1.2 between this client and ftpgate (ftpgate to the server still negotiates 1.3): Commons Net
            // leaves a TLS 1.3 NewSessionTicket unread on upload connections and resets them, losing the tail
            // (README "FTPS"; FtpsServerSideIT).
            setEnabledProtocols(new String[] {"TLSv1.2"});
        }

        @Override
        public int port(InetAddress host, int port) throws IOException {
            return eprt ? eprt(host, port) : super.port(host, port);
        }
    }
}
