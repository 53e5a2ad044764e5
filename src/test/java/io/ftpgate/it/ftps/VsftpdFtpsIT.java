package io.ftpgate.it.ftps;

import static io.ftpgate.it.Diagnostics.withDiagnostics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.ftpgate.auditor.it.VsftpdAuditIT;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.ftps.UpstreamFtps.ClientMode;
import io.ftpgate.it.ftps.UpstreamFtps.Peer;
import io.ftpgate.it.ftps.UpstreamFtps.Through;
import io.ftpgate.net.PortRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ftpgate in front of a real vsftpd that requires FTPS, the "done when": an administrator can put
 * ftpgate in front of a vsftpd that requires TLS with session reuse. vsftpd runs with {@code ssl_enable},
 * {@code require_ssl_reuse=YES} (its default, stated anyway), TLS forced for logins and data
 * ({@code force_anon_*} for the anonymous user the test logs in as, {@code force_local_*} as well), and a
 * passive port range on 127.0.0.1. ftpgate requires TLS toward it, with {@code PROT P} and the test
 * certificate as {@code server-ca}.
 *
 * <p>require_ssl_reuse makes vsftpd refuse every TLS data connection that does not resume the control
 * connection's session ("522 SSL connection failed: session reuse required"), so each transfer that succeeds
 * proves that ftpgate's data connection resumed it; vsftpd's own log ({@code debug_ssl}) is checked too: one
 * full handshake (the control connection), then "reused" for every data connection. Under TLS 1.2 (session
 * IDs: vsftpd's tickets carry a lifetime the JDK discards, see ClientTls) and TLS 1.3 (tickets, one new
 * ticket per resumption), in upstream passive mode and in upstream active mode, where vsftpd opens the data
 * connection to ftpgate's server-side pinhole and ftpgate is still the TLS client (RFC 4217).
 *
 * <p>TLS versions: Debian 12's vsftpd 3.0.3 has no {@code ssl_tlsv1_1}, {@code ssl_tlsv1_2} or
 * {@code ssl_tlsv1_3} (they came with later releases); an unknown key stops it at start ("500 OOPS:
 * unrecognised variable in config file", written to its standard input, so nothing reaches the log). It has
 * {@code ssl_sslv2}, {@code ssl_sslv3} and {@code ssl_tlsv1} (TLS 1.0, turned off here) and otherwise lets
 * OpenSSL 3 choose: TLS 1.3 with ftpgate's default settings. The TLS 1.2 runs limit ftpgate's
 * {@code tls-protocols} instead. Its default {@code ssl_ciphers} is DES-CBC3-SHA alone, which neither the JDK
 * nor OpenSSL 3 offers: TLS 1.2 fails with handshake_failure until {@code ssl_ciphers=HIGH} (TLS 1.3 suites do
 * not depend on it).
 *
 * <p>Every client mode (PASV, EPSV, PORT, EPRT) with a cleartext client (Commons Net FTPClient) and an FTPS
 * client (FTPSClient), several uploads and downloads per mode over one control connection, each checked by
 * sha256 through the gateway and, after the session, on vsftpd's disk.
 */
class VsftpdFtpsIT {

    private static final PortRange CLIENT_PORTS = new PortRange(63000, 63399);
    private static final PortRange SERVER_PORTS = new PortRange(63400, 63799);
    private static final int PASV_MIN = 65000;
    private static final int PASV_MAX = 65199;

    @TempDir
    static Path dir;
    private static Peer vsftpd;

    @BeforeAll
    static void startVsftpd() throws Exception {
        vsftpd = Peer.start(dir, cert -> VsftpdAuditIT.start(dir, false, false,
                UpstreamFtps.vsftpdFtps(cert, PASV_MIN, PASV_MAX, log(), "require_ssl_reuse=YES")));
    }

    @AfterAll
    static void stopVsftpd() {
        if (vsftpd != null) {
            vsftpd.close();
        }
    }

    static Stream<Arguments> sessions() {
        return Stream.of(false, true).flatMap(ftps -> Stream.of(UpstreamMode.PASSIVE, UpstreamMode.ACTIVE)
                .flatMap(up -> Stream.of("TLSv1.3", "TLSv1.2").map(tls -> arguments(ftps, up, tls))));
    }

    @ParameterizedTest(name = "ftps client={0}, upstream {1}, {2}")
    @MethodSource("sessions")
    void everyClientModeWithSessionReuse(boolean ftpsClient, UpstreamMode upstream, String protocol)
            throws Exception {
        String session = (ftpsClient ? "ftps" : "plain") + "-" + upstream + "-" + protocol;
        int logBefore = Files.exists(log()) ? Files.readAllLines(log()).size() : 0;
        Map<String, byte[]> sent = new HashMap<>();
        // The listener's versions apply to both sides; the FTPS client speaks TLS 1.2 to ftpgate (UpstreamFtps), so
        // the TLS 1.3 run allows 1.2 as well: toward vsftpd, which prefers 1.3, it is still 1.3 (its log says so).
        List<String> protocols = protocol.equals("TLSv1.3") ? List.of("TLSv1.3", "TLSv1.2") : List.of(protocol);
        try (Through t = new Through(vsftpd, ftpsClient, upstream, protocols, CLIENT_PORTS, SERVER_PORTS)) {
            withDiagnostics(() -> "audit:\n" + t.audit.dump() + "vsftpd log:\n" + UpstreamFtps.read(log()), () -> {
                FTPClient ftp = t.login("anonymous", "ftpgate@example.org");
                for (ClientMode mode : ClientMode.values()) {
                    sent.putAll(UpstreamFtps.roundTrips(ftp, mode, session + "-" + mode));
                }
                ftp.logout();
                ftp.disconnect();
            });
            t.assertClean(protocol);
        }
        for (Map.Entry<String, byte[]> e : sent.entrySet()) {
            assertThat(Bytes.sha256(Files.readAllBytes(dir.resolve("root").resolve(e.getKey())))).as(e.getKey())
                    .isEqualTo(Bytes.sha256(e.getValue()));
        }
        List<String> handshakes = Files.readAllLines(log()).stream().skip(logBefore)
                .filter(l -> l.contains("SSL version: ")).toList();
        assertThat(handshakes).as("vsftpd's TLS connections: the control connection, then each data connection")
                .hasSize(1 + UpstreamFtps.TRANSFERS).allMatch(l -> l.contains("SSL version: " + protocol + ","));
        assertThat(handshakes.subList(1, handshakes.size())).as("every data connection resumed the session")
                .allMatch(l -> l.contains(", reused,"));
    }

    /** vsftpd's log: logins, commands, replies and each TLS handshake (debug_ssl). */
    private static Path log() {
        return dir.resolve("vsftpd-protocol.log");
    }
}
