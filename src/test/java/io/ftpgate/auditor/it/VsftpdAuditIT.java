package io.ftpgate.auditor.it;

import static io.ftpgate.auditor.it.Audits.assertVerdict;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.ftpgate.auditor.Severity;
import io.ftpgate.it.ftps.PemTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The auditor against vsftpd with {@code port_promiscuous} and {@code pasv_promiscuous} YES and NO. */
public class VsftpdAuditIT {

    public static final Path VSFTPD = Path.of("/usr/sbin/vsftpd");

    @TempDir
    Path dir;

    static Stream<Arguments> configurations() {
        return Stream.of(
                arguments(true, true, 1, List.of("bounce-port high category 1", "bounce-eprt high category 1",
                        // vsftpd takes the PORT, but its privileged helper refuses the connect:
                        // "500 OOPS: Illegal port request".
                        "privileged-port low accepted, but LIST 500 without connecting",
                        "data-theft high stolen")),
                arguments(false, false, 0, List.of("bounce-port ok category 2: PORT refused (500)",
                        "bounce-eprt ok category 2: EPRT refused (500)", "privileged-port ok refused",
                        "data-theft ok refused", "banner low discloses 'vsFTPd 3.", "anonymous-write ok refused",
                        "passive-ports ok random")),
                arguments(false, true, 1, List.of("bounce-port ok category 2", "data-theft high stolen")),
                arguments(true, false, 1, List.of("bounce-port high category 1", "data-theft ok refused")));
    }

    @ParameterizedTest(name = "port_promiscuous={0}, pasv_promiscuous={1}")
    @MethodSource("configurations")
    void verdicts(boolean portPromiscuous, boolean pasvPromiscuous, int exitCode, List<String> expected)
            throws Exception {
        try (ExternalServer server = start(dir, portPromiscuous, pasvPromiscuous)) {
            Audits.assertVerdicts(Audits.anonymous(server.port()), exitCode, expected);
        }
    }

    @Test
    void singlePassivePortIsPredictable() throws Exception {
        int pasv = ExternalServer.freePort();
        try (ExternalServer fixed = start(dir, false, false, "pasv_min_port=" + pasv, "pasv_max_port=" + pasv)) {
            assertVerdict(Audits.anonymous(fixed.port()), "passive-ports", Severity.LOW,
                    "always the same port, ports " + pasv + "-" + pasv);
        }
    }

    /**
     * vsftpd with FTPS for anonymous users: {@code require_ssl_reuse} (its default YES) is what
     * data-session-reuse finds; vsftpd refuses a data connection that does not resume with 522.
     */
    @ParameterizedTest(name = "require_ssl_reuse={0}")
    @ValueSource(booleans = {true, false})
    void ftpsDataSessionReuse(boolean requireReuse) throws Exception {
        PemTls cert = PemTls.create(dir.resolve("tls"));
        try (ExternalServer server = start(dir, false, false, "ssl_enable=YES", "allow_anon_ssl=YES",
                "force_anon_logins_ssl=NO", "force_anon_data_ssl=NO", "ssl_ciphers=HIGH",
                "rsa_cert_file=" + cert.files.certPem(), "rsa_private_key_file=" + cert.files.keyPem(),
                "require_ssl_reuse=" + (requireReuse ? "YES" : "NO"))) {
            Audits.assertVerdicts(Audits.anonymous(server.port()), 0, List.of(
                    "auth-tls ok offered: TLSv1.3",
                    "ccc ok refused (500)",
                    requireReuse
                            ? "data-session-reuse ok required: refused without the control session (522), accepted"
                                    + " when resuming it"
                            : "data-session-reuse low not required: accepted without the control session (226);"
                                    + " accepted when resuming it"));
        }
    }

    /**
     * Starts vsftpd on a free loopback port with a generated configuration: anonymous read-only access to a
     * fresh root, run as the launching user (root in CI: vsftpd then needs no 'ftp' account), no seccomp
     * sandbox (it kills vsftpd in some containers), and an empty secure_chroot_dir of its own.
     * {@code extraConfig} lines ({@code key=value}) are added, each replacing the default of its key (the FTPS
     * tests turn on TLS and anonymous uploads this way).
     */
    public static ExternalServer start(Path dir, boolean portPromiscuous, boolean pasvPromiscuous,
            String... extraConfig) throws Exception {
        ExternalServer.require(VSFTPD, "vsftpd");
        Path root = Files.createDirectories(dir.resolve("root"));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        for (Path p : List.of(dir, root, empty)) {
            // @TempDir is 0700; vsftpd's unprivileged helpers must be able to traverse to the root.
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        int port = ExternalServer.freePort();
        Map<String, String> conf = new LinkedHashMap<>();
        for (String line : List.of(
                "listen=YES",
                "listen_ipv6=NO",
                "listen_address=127.0.0.1",
                "listen_port=" + port,
                "anonymous_enable=YES",
                "local_enable=NO",
                "write_enable=NO",
                "anon_root=" + root,
                "port_promiscuous=" + (portPromiscuous ? "YES" : "NO"),
                "pasv_promiscuous=" + (pasvPromiscuous ? "YES" : "NO"),
                "background=NO",
                "run_as_launching_user=YES",
                "seccomp_sandbox=NO",
                "connect_from_port_20=NO",
                "secure_chroot_dir=" + empty,
                "xferlog_enable=NO")) {
            put(conf, line);
        }
        for (String line : extraConfig) {
            put(conf, line);
        }
        Path file = dir.resolve("vsftpd.conf");
        StringBuilder text = new StringBuilder();
        conf.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, text);
        return ExternalServer.start(List.of(VSFTPD.toString(), file.toString()), port, dir.resolve("vsftpd.log"));
    }

    private static void put(Map<String, String> conf, String line) {
        int eq = line.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("not a vsftpd key=value line: " + line);
        }
        conf.put(line.substring(0, eq), line.substring(eq + 1));
    }
}
