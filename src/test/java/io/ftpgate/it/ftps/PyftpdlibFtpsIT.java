package io.ftpgate.it.ftps;

import static io.ftpgate.it.Diagnostics.withDiagnostics;

import io.ftpgate.auditor.it.PyftpdlibAuditIT;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.it.ftps.UpstreamFtps.ClientMode;
import io.ftpgate.it.ftps.UpstreamFtps.Peer;
import io.ftpgate.it.ftps.UpstreamFtps.Through;
import io.ftpgate.net.PortRange;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ftpgate in front of pyftpdlib's FTPS server (TLS_FTPHandler with {@code tls_control_required} and
 * {@code tls_data_required}: USER before AUTH TLS and a transfer before PROT P are refused), run by Debian's
 * python3 with python3-pyftpdlib and python3-openssl ({@code src/test/resources/auditor/pyftpd.py}). ftpgate
 * requires TLS toward it with {@code PROT P}, the test certificate as {@code server-ca}; pyftpdlib does not
 * ask data connections to resume the control session. A cleartext and an FTPS Commons Net client, each client
 * mode, upstream passive and active (pyftpdlib connects to ftpgate's server-side pinhole, ftpgate is still
 * the TLS client), uploads read back through the gateway and checked by sha256.
 */
class PyftpdlibFtpsIT {

    private static final String USER = "writer";
    private static final String PASSWORD = "writer-secret-90ad";
    private static final PortRange CLIENT_PORTS = new PortRange(63800, 64199);
    private static final PortRange SERVER_PORTS = new PortRange(64200, 64599);

    @TempDir
    static Path dir;
    private static Peer pyftpdlib;

    @BeforeAll
    static void startPyftpdlib() throws Exception {
        pyftpdlib = Peer.start(dir, cert -> PyftpdlibAuditIT.start(dir, false, true, cert.files.certPem(),
                cert.files.keyPem()));
    }

    @AfterAll
    static void stopPyftpdlib() {
        if (pyftpdlib != null) {
            pyftpdlib.close();
        }
    }

    @ParameterizedTest(name = "ftps client={0}, upstream {1}")
    @CsvSource({"false, PASSIVE", "false, ACTIVE", "true, PASSIVE", "true, ACTIVE"})
    void everyClientMode(boolean ftpsClient, UpstreamMode upstream) throws Exception {
        String session = (ftpsClient ? "ftps" : "plain") + "-" + upstream;
        try (Through t = new Through(pyftpdlib, ftpsClient, upstream, List.of("TLSv1.3", "TLSv1.2"), CLIENT_PORTS,
                SERVER_PORTS)) {
            withDiagnostics(() -> "audit:\n" + t.audit.dump() + "pyftpdlib output:\n"
                    + UpstreamFtps.read(dir.resolve("pyftpd.log")), () -> {
                        FTPClient ftp = t.login(USER, PASSWORD);
                        for (ClientMode mode : ClientMode.values()) {
                            UpstreamFtps.roundTrips(ftp, mode, session + "-" + mode);
                        }
                        ftp.logout();
                        ftp.disconnect();
                    });
            t.assertClean("TLSv1.3");
        }
    }
}
