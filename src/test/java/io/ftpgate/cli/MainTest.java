package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.config.GatewayConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.net.PortRange;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.data.EphemeralPorts;
import io.ftpgate.net.Cidr;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    private Path file(String name, String yaml) throws Exception {
        return Files.writeString(dir.resolve(name), yaml);
    }

    @Test
    void versionPrintsProjectVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("ftpgate ").doesNotContain("${");
        assertThat(out.toString().lines().findFirst().orElseThrow()).matches("ftpgate \\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void helpOnEveryCommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: ftpgate", "run", "check-config", "demo");
        for (String cmd : List.of("run", "check-config", "demo")) {
            out.getBuffer().setLength(0);
            assertThat(run(cmd, "--help")).as(cmd).isZero();
            assertThat(out.toString()).as(cmd).contains("Usage: ftpgate " + cmd);
        }
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(run("run", "--bogus")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--bogus'")
                .contains("Try 'ftpgate run --help'").doesNotContain("\tat ");
    }

    @Test
    void missingCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("missing command");
    }

    @Test
    void missingCommandNamesEverySubcommand() {
        assertThat(run()).isEqualTo(2);
        String first = err.toString().lines().findFirst().orElseThrow();
        // Every command picocli knows, audit included (issue 11: it was left out of a hand-written list).
        assertThat(Main.commandLine().getSubcommands().keySet()).contains("run", "check-config", "demo", "audit")
                .allSatisfy(name -> assertThat(first).containsPattern("[ ,]" + name + "(,|$)"));
        assertThat(err.toString()).doesNotContain("\tat ");
    }

    @Test
    void checkConfigGood() throws Exception {
        Path f = file("good.yaml",
                "listeners:\n  - name: pub\n    listen: 127.0.0.1:2121\n    upstream: 192.0.2.1:21\n");
        assertThat(run("check-config", f.toString())).isZero();
        assertThat(out.toString()).startsWith(f + ": OK").contains("listener 'pub' (reverse): 127.0.0.1:2121"
                + " -> upstream 192.0.2.1:21");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void checkConfigWarnsAboutPinholePortsTheKernelMayHandOut() throws Exception {
        Path f = file("overlap.yaml", "listeners:\n  - name: pub\n    listen: 127.0.0.1:2121\n"
                + "    upstream: 192.0.2.1:21\n    client-data-ports: 50000-50999\n");
        assertThat(run("check-config", f.toString())).isZero();
        // Judged against this machine's kernel, so the expectation is too.
        boolean overlaps = EphemeralPorts.read(EphemeralPorts.PROC_IPV4)
                .map(k -> k.exposed(PortRange.parse("50000-50999")) > 0).orElse(false);
        if (overlaps) {
            assertThat(out.toString()).contains("  warning (this machine): pinhole ports inside the kernel's"
                    + " ephemeral port range", "listener 'pub' client data ports 50000-50999",
                    "sysctl -w net.ipv4.ip_local_reserved_ports=");
        } else {
            assertThat(out.toString()).doesNotContain("warning");
        }
        out.getBuffer().setLength(0);
        Path defaults = file("defaults.yaml", "listeners:\n  - listen: 127.0.0.1:2121\n    upstream: 192.0.2.1:21\n");
        assertThat(run("check-config", defaults.toString())).isZero();
        if (EphemeralPorts.read(EphemeralPorts.PROC_IPV4).map(k -> k.ephemeral().high() < 61000).orElse(true)) {
            assertThat(out.toString()).doesNotContain("warning");
        }
    }

    @Test
    void checkConfigBad() throws Exception {
        Path f = file("bad.yaml", "listeners:\n  - listen: 127.0.0.1:2121\n    client-data-ports: 50000\n");
        assertThat(run("check-config", f.toString())).isEqualTo(2);
        assertThat(err.toString().trim()).isEqualTo(f + ":3:24: listeners[0].client-data-ports: expected a port"
                + " range LO-HI such as 50000-50999, got '50000'");
        assertThat(out.toString()).isEmpty();
    }

    /** Issue 11: check-config reported only the first error of a file. */
    @Test
    void checkConfigReportsEveryErrorOfTheFileAtOnce() throws Exception {
        Path f = file("bad.yaml", "listeners:\n  - listen: 127.0.0.1:2121\n    client-data-ports: 50000\n"
                + "    upstrem: x:21\n  - listen: 127.0.0.1:2122\n    allow-client: [192.168.1.1/24]\n"
                + "monitor: maybe\n");
        List<String> expected = List.of(
                f + ":3:24: listeners[0].client-data-ports: expected a port range LO-HI such as 50000-50999, got"
                        + " '50000'",
                f + ":4:5: listeners[0].upstrem: unknown key; did you mean 'upstream'? (expected one of: name, listen,"
                        + " upstream, upstream-policy, public-address, client-data-ports, server-data-ports, upstream-mode,"
                        + " allow-client, allow-destination, deny-client, anonymous, anonymous-write, default-profile,"
                        + " rules, deny-destination, allow-destination-hosts, deny-destination-hosts,"
                        + " destination-ports, anonymous-incoming, fxp, early-server-leg, data-path, banner, syst-reply, placement,"
                        + " transparent-source, proxy-protocol, proxy-protocol-from, data-proxy-protocol,"
                        + " server-proxy-protocol, client-tls,"
                        + " tls-certificate, tls-key, tls-client-ca, require-prot-p, require-data-session-reuse,"
                        + " server-tls, server-data-protection, server-ca, server-fingerprint, server-tls-verify,"
                        + " tls-protocols, server-client-certificate, server-client-key, tls-provider)",
                f + ":6:20: listeners[1].allow-client[0]: address block 192.168.1.1/24 has host bits set; did you"
                        + " mean 192.168.1.0/24?",
                f + ":7:10: monitor: expected true or false, got 'maybe'");
        assertThat(run("check-config", f.toString())).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactlyElementsOf(expected);
        assertThat(out.toString()).isEmpty();
        err.getBuffer().setLength(0);
        assertThat(run("run", "--config", f.toString())).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactlyElementsOf(expected);
    }

    @Test
    void runRefusesAnAllowClientBlockWithHostBitsSet() {
        // Parsed only: without the check, 'run' would start a gateway and never return.
        assertThatThrownBy(() -> effective("run", "--allow-client", "10.1.2.3/8"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("'--allow-client'")
                .hasMessageEndingWith("address block 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?");
    }

    /** Issue 11: check-config said OK for an audit log that 'run' then could not open. */
    @Test
    void checkConfigReportsAnAuditLogRunCouldNotOpen() throws Exception {
        Path missing = dir.resolve("no/such/dir");
        assertAuditLogRefused(missing.resolve("audit.jsonl").toString(), "the folder " + missing
                + " does not exist; create it, writable by the user ftpgate runs as");
        assertAuditLogRefused(dir.toString(), "it is a folder; expected the path of a file in it, such as "
                + dir.resolve("audit.jsonl"));
        Path plainFile = file("plain.txt", "");
        assertAuditLogRefused(plainFile.resolve("audit.jsonl").toString(), plainFile + " is not a folder");
    }

    @Test
    void checkConfigReportsAnAuditLogFolderThatIsNotWritable() throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        if (Files.isWritable(readOnly)) {
            // root writes anywhere it has permission bits for; /proc/sys is read-only even for root.
            readOnly = Path.of("/proc/sys");
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(readOnly), "no folder unwritable to this user");
        assertAuditLogRefused(readOnly.resolve("audit.jsonl").toString(), "the folder " + readOnly
                + " is not writable by this user, so the file cannot be created in it");
    }

    @Test
    void checkConfigAcceptsAnAuditLogItCanOpen() throws Exception {
        for (String target : List.of("-", dir.resolve("audit.jsonl").toString())) {
            out.getBuffer().setLength(0);
            Path f = file("ok.yaml", "audit-log: \"" + target + "\"\nlisteners:\n  - listen: 127.0.0.1:2121\n");
            assertThat(run("check-config", f.toString())).as(target).isZero();
            assertThat(out.toString()).startsWith(f + ": OK");
        }
        assertThat(Files.exists(dir.resolve("audit.jsonl"))).as("check-config creates nothing").isFalse();
    }

    /** check-config refuses {@code target} with {@code problem}, exit 2; run fails on it with the same words. */
    private void assertAuditLogRefused(String target, String problem) throws Exception {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        Path f = file("audit.yaml", "audit-log: \"" + target + "\"\nlisteners:\n  - listen: 127.0.0.1:0\n"
                + "    upstream: 127.0.0.1:21\n");
        String line = "cannot open audit log '" + target + "': " + problem;
        assertThat(run("check-config", f.toString())).as(target).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(f + ": audit-log: " + line + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
        err.getBuffer().setLength(0);
        assertThat(run("run", "--config", f.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("ftpgate: " + line + System.lineSeparator());
    }

    @Test
    void checkConfigWithoutFileIsAUsageError() {
        assertThat(run("check-config")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'FILE'");
    }

    @Test
    void runWithBadFlagValueNamesTheFlag() {
        assertThat(run("run", "--client-data-ports", "50000")).isEqualTo(2);
        assertThat(err.toString()).contains("'--client-data-ports'")
                .contains("expected a port range LO-HI such as 50000-50999, got '50000'");
    }

    @Test
    void runRejectsEachBadFlag() {
        String[][] cases = {
            {"--listen", "::1:21"}, {"--upstream", "192.0.2.1:0"}, {"--public-address", "ftp.example.com"},
            {"--server-data-ports", "1-2"}, {"--upstream-mode", "sideways"}, {"--allow-client", "10.0.0.0/33"},
            {"--allow-destination", "nonsense"}, {"--pinhole-timeout", "soon"},
        };
        for (String[] c : cases) {
            err.getBuffer().setLength(0);
            assertThat(run("run", c[0], c[1])).as(c[0]).isEqualTo(2);
            assertThat(err.toString()).as(c[0]).contains("'" + c[0] + "'").contains("'" + c[1] + "'");
        }
    }

    @Test
    void runAllowDestinationWithUpstreamIsAUsageError() {
        assertThat(run("run", "--upstream", "192.0.2.1:21", "--allow-destination", "198.51.100.0/24")).isEqualTo(2);
        assertThat(err.toString()).contains("--allow-destination: applies only to forward listeners");
    }

    @Test
    void runWithBadConfigFileIsAConfigError() throws Exception {
        Path f = file("bad.yaml", "listeners:\n  - listen: 127.0.0.1:2121\n    upstrem: x:21\n");
        assertThat(run("run", "--config", f.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(f + ":3:5: listeners[0].upstrem: unknown key");
    }

    @Test
    void runListenNeedsExactlyOneListenerInFile() throws Exception {
        Path f = file("two.yaml", "listeners:\n  - listen: 127.0.0.1:2121\n  - listen: 127.0.0.1:2122\n");
        assertThat(run("run", "--config", f.toString(), "--listen", "127.0.0.1:0")).isEqualTo(2);
        assertThat(err.toString()).contains("--listen can replace the listen addresses only when");
    }

    @Test
    void auditSyslogFromTheFileOrTheFlagInItsCanonicalForm() throws Exception {
        Path f = file("syslog.yaml", "audit-syslog: loghost.example\nlisteners:\n  - listen: 127.0.0.1:2121\n");
        assertThat(effective("run", "--config", f.toString()).auditSyslog()).isEqualTo("loghost.example:514");
        assertThat(effective("run", "--config", f.toString(), "--audit-syslog", "journal").auditSyslog())
                .isEqualTo("journal");
        assertThat(effective("run", "--audit-syslog", "[::1]:5514").auditSyslog()).isEqualTo("[::1]:5514");
        assertThat(run("run", "--audit-syslog", "udp://x")).isEqualTo(2);
        assertThat(err.toString()).contains("--audit-syslog", "expected 'journal', a local socket such as /dev/log,"
                + " or a syslog server HOST[:PORT] (UDP) such as 192.0.2.20:514, got 'udp://x'");
    }

    @Test
    void checkConfigNamesAMissingSyslogSocketAndSummarisesAGoodTarget() throws Exception {
        Path missing = dir.resolve("no-such.sock");
        Path bad = file("bad.yaml", "audit-syslog: " + missing + "\nlisteners:\n  - listen: 127.0.0.1:2121\n");
        assertThat(run("check-config", bad.toString())).isEqualTo(2);
        assertThat(err.toString().trim()).isEqualTo(bad + ": audit-syslog: cannot send audit events to '" + missing
                + "': there is no socket " + missing + "; is a syslog daemon (rsyslog, syslog-ng) running, or did you"
                + " mean 'journal'?");
        Path good = file("good.yaml", "audit-syslog: 192.0.2.20\nlisteners:\n  - listen: 127.0.0.1:2121\n");
        assertThat(run("check-config", good.toString())).isZero();
        assertThat(out.toString()).contains("  audit syslog: 192.0.2.20:514 (RFC 5424 over UDP)");
    }

    @Test
    void runUnopenableAuditLogIsARuntimeFailure() {
        String log = dir.resolve("no/such/dir/audit.jsonl").toString();
        assertThat(run("run", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:21", "--audit-log", log))
                .isEqualTo(1);
        assertThat(err.toString()).contains("cannot open audit log").doesNotContain("\tat ");
    }

    @Test
    void flagsWithoutConfigBuildOneListener() throws Exception {
        GatewayConfig c = effective("run", "--upstream", "192.0.2.1", "--upstream-mode", "active");
        assertThat(c.listeners()).hasSize(1);
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.listen()).containsExactly(new HostAndPort("0.0.0.0", 21));
        assertThat(l.upstream()).isEqualTo(new HostAndPort("192.0.2.1", 21));
        assertThat(l.upstreamMode()).isEqualTo(UpstreamMode.ACTIVE);
        assertThat(l.earlyServerLeg()).isTrue();
        assertThat(c.auditLog()).isNull();
    }

    @Test
    void earlyServerLegFlagOverridesTheFile() throws Exception {
        Path f = file("early.yaml", "listeners:\n  - listen: 127.0.0.1:2121\n    early-server-leg: off\n");
        assertThat(effective("run", "--config", f.toString()).listeners().get(0).earlyServerLeg()).isFalse();
        assertThat(effective("run", "--config", f.toString(), "--early-server-leg").listeners().get(0)
                .earlyServerLeg()).isTrue();
        assertThat(effective("run", "--upstream", "192.0.2.1", "--no-early-server-leg").listeners().get(0)
                .earlyServerLeg()).isFalse();
    }

    @Test
    void flagsOverrideEveryListenerOfTheFile() throws Exception {
        Path f = file("two.yaml", """
                audit-log: /var/log/a.jsonl
                timeouts: { pinhole: 10s, login: 2m }
                listeners:
                  - name: a
                    listen: 127.0.0.1:2121
                    upstream: 192.0.2.1:21
                    client-data-ports: 40000-40099
                  - name: b
                    listen: 127.0.0.1:2122
                    allow-destination: [198.51.100.0/24]
                """);
        GatewayConfig c = effective("run", "--config", f.toString(), "--client-data-ports", "52000-52099",
                "--allow-client", "10.0.0.0/8", "--allow-client", "192.168.0.0/16", "--audit-log", "-",
                "--pinhole-timeout", "5s", "--public-address", "203.0.113.7");
        assertThat(c.auditLog()).isEqualTo("-");
        assertThat(c.timeouts().pinhole()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.timeouts().login()).isEqualTo(Duration.ofMinutes(2));
        for (ListenerConfig l : c.listeners()) {
            assertThat(l.clientDataPorts()).isEqualTo(new PortRange(52000, 52099));
            assertThat(l.allowClient()).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.0.0/16"));
            assertThat(l.publicAddress()).isEqualTo("203.0.113.7");
        }
        assertThat(c.listeners().get(0).upstream()).isEqualTo(new HostAndPort("192.0.2.1", 21));
        assertThat(c.listeners().get(1).listen()).containsExactly(new HostAndPort("127.0.0.1", 2122));
        assertThat(c.listeners().get(1).allowDestination()).containsExactly(Cidr.parse("198.51.100.0/24"));
    }

    @Test
    void listenReplacesTheOnlyListenersAddresses() throws Exception {
        Path f = file("one.yaml", "listeners:\n  - listen: 127.0.0.1:2121\n");
        GatewayConfig c = effective("run", "--config", f.toString(), "--listen", "[::1]:0", "--listen", "127.0.0.1:0");
        assertThat(c.listeners().get(0).listen())
                .containsExactly(new HostAndPort("::1", 0), new HostAndPort("127.0.0.1", 0));
    }

    @Test
    void upstreamFlagOnAFileWithAllowDestinationIsAUsageError() throws Exception {
        Path f = file("fwd.yaml", "listeners:\n  - listen: 127.0.0.1:2121\n    allow-destination: 192.0.2.0/24\n");
        assertThat(run("run", "--config", f.toString(), "--upstream", "192.0.2.1:21")).isEqualTo(2);
        assertThat(err.toString()).contains("--upstream: applies only to forward listeners");
    }

    @Test
    void demoRejectsAnImpossiblePort() {
        assertThat(run("demo", "--port", "70000")).isEqualTo(2);
        assertThat(err.toString()).contains("--port: expected 0-65535, got 70000");
    }

    /** Parses like {@code ftpgate ARGS} and builds the effective configuration without starting anything. */
    private static GatewayConfig effective(String... args) throws Exception {
        CommandLine cl = Main.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        RunCommand run = parsed.subcommand().commandSpec().commandLine().getCommand();
        return run.effectiveConfig();
    }

    /** FTPS: a key that is not the certificate's, or a missing file, is caught by check-config, not at start. */
    @Test
    void checkConfigLoadsTheTlsFiles() throws Exception {
        var a = io.ftpgate.tls.SelfSigned.write(Files.createDirectories(dir.resolve("a")), List.of("localhost"),
                io.ftpgate.tls.SelfSigned.KeyType.EC_P256, java.time.Duration.ofDays(1));
        var b = io.ftpgate.tls.SelfSigned.write(Files.createDirectories(dir.resolve("b")), List.of("localhost"),
                io.ftpgate.tls.SelfSigned.KeyType.EC_P256, java.time.Duration.ofDays(1));
        String base = "listeners:\n  - listen: 127.0.0.1:2121\n    upstream: 192.0.2.10:21\n    client-tls: required\n";
        Path good = file("good-tls.yaml", base + "    tls-certificate: " + a.certPem() + "\n    tls-key: " + a.keyPem()
                + "\n");
        assertThat(run("check-config", good.toString())).isZero();
        assertThat(out.toString()).contains("client-tls required, certificate " + a.certPem());
        Path mixed = file("mixed-tls.yaml", base + "    tls-certificate: " + a.certPem() + "\n    tls-key: "
                + b.keyPem() + "\n");
        assertThat(run("check-config", mixed.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("listener listener-1:").contains("does not match the certificate");
    }
}
