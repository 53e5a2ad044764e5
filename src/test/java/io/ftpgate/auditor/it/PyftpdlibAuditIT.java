package io.ftpgate.auditor.it;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The auditor against pyftpdlib with {@code permit_foreign_addresses} True and False
 * ({@code src/test/resources/auditor/pyftpd.py}), run by Debian's python3 with the python3-pyftpdlib package.
 */
public class PyftpdlibAuditIT {

    /** Debian's interpreter: python3-pyftpdlib installs into its dist-packages, not into a pyenv python3. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "permit_foreign_addresses={0}")
    @CsvSource({"true, 1", "false, 0"})
    void verdicts(boolean permitForeign, int exitCode) throws Exception {
        List<String> expected = permitForeign
                ? List.of("bounce-port high category 1", "bounce-eprt high category 1", "data-theft high stolen")
                : List.of("bounce-port ok category 2: PORT refused (501)",
                        "bounce-eprt ok category 2: EPRT refused (501)", "data-theft ok refused",
                        "privileged-port ok refused", "banner low discloses 'pyftpdlib");
        try (ExternalServer server = start(dir, permitForeign)) {
            Audits.assertVerdicts(Audits.anonymous(server.port()), exitCode, expected);
        }
    }

    /** Starts pyftpd.py serving a fresh folder; fails when python3 or pyftpdlib is missing. */
    static ExternalServer start(Path dir, boolean permitForeign) throws Exception {
        return start(dir, permitForeign, false);
    }

    /** As {@link #start(Path, boolean)}; with {@code writable} the anonymous user may upload. */
    public static ExternalServer start(Path dir, boolean permitForeign, boolean writable) throws Exception {
        return start(dir, permitForeign, writable, null, null);
    }

    /**
     * As {@link #start(Path, boolean, boolean)}; with a PEM certificate and key ({@code certPem} non-null) an
     * FTPS server (TLS_FTPHandler) that requires TLS on the control and data connections, which needs pyOpenSSL.
     */
    public static ExternalServer start(Path dir, boolean permitForeign, boolean writable, Path certPem,
            Path keyPem) throws Exception {
        ExternalServer.require(PYTHON, "python3");
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("hello.txt"), "hello from pyftpdlib\n");
        List<String> cmd = new java.util.ArrayList<>(List.of(PYTHON.toString(), script().toString(),
                String.valueOf(permitForeign), root.toString()));
        if (writable) {
            cmd.add("write");
        }
        String missing = "pyftpdlib is not installed for " + PYTHON + ": apt-get install -y python3-pyftpdlib";
        if (certPem != null) {
            cmd.addAll(List.of("tls", certPem.toString(), keyPem.toString()));
            missing = "pyftpdlib or pyOpenSSL is not installed for " + PYTHON + ": apt-get install -y"
                    + " python3-pyftpdlib python3-openssl";
        }
        return ExternalServer.startPrintingPort(cmd, dir.resolve("pyftpd.log"), missing + " (.ci/run does this in"
                + " CI)");
    }

    private static Path script() throws URISyntaxException {
        return Path.of(PyftpdlibAuditIT.class.getResource("/auditor/pyftpd.py").toURI());
    }
}
