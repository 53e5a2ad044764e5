package io.ftpgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11: one run names every problem of a file (not only the first), address blocks with host bits set and
 * overlapping data-port ranges are refused.
 */
class ConfigProblemsTest {

    @TempDir
    Path dir;

    /** The problem lines of {@code yaml}, with the temp directory stripped; none when it loads. */
    private List<String> problems(String yaml) throws Exception {
        Path f = Files.writeString(dir.resolve("ftpgate.yaml"), yaml);
        try {
            ConfigLoader.load(f);
            return List.of();
        } catch (ConfigException e) {
            return e.getMessage().replace(dir + "/", "").lines().toList();
        }
    }

    @Test
    void everyProblemOfTheFileIsReportedInFileOrder() throws Exception {
        assertThat(problems("""
                profiles: {x: {deny: [STORE]}}
                audit-log: ""
                timeouts: {pinhole: soon, colour: red}
                listeners:
                  - name: bad name
                    listen: [0.0.0.0:21, "::1:21"]
                    upstrem: 192.0.2.10:21
                    client-data-ports: 50000
                    allow-client: [10.0.0.0/8, 10.0.0.300/8]
                    rules:
                      - {user: bob}
                  - upstream: 192.0.2.1:21
                  - listen: 0.0.0.0:21
                    upstream-mode: pasv
                    upstream-mode: active
                    default-profile: x
                  - 42
                  - listen: 127.0.0.1:2121
                    default-profile: nope
                monitor: maybe
                limits: {max-sessions: 0}
                """)).containsExactly(
                "ftpgate.yaml:1:23: profiles.x.deny[0]: expected an FTP command verb such as STOR, got 'STORE'",
                "ftpgate.yaml:2:12: audit-log: expected a file path or '-' for stdout, got ''",
                "ftpgate.yaml:3:21: timeouts.pinhole: expected a duration such as 500ms, 30s, 15m, 1h or a whole"
                        + " number of seconds, got 'soon'",
                "ftpgate.yaml:3:27: timeouts.colour: unknown key (expected one of: pinhole, connect, control-idle,"
                        + " login, data-idle)",
                "ftpgate.yaml:5:11: listeners[0].name: expected a name of up to 64 letters, digits, '.', '_' or"
                        + " '-', got 'bad name'",
                "ftpgate.yaml:6:26: listeners[0].listen[1]: expected HOST:PORT such as 192.0.2.10:21 or [::]:21,"
                        + " got '::1:21' (IPv6 address must be bracketed, e.g. [::1]:2121)",
                "ftpgate.yaml:7:5: listeners[0].upstrem: unknown key; did you mean 'upstream'? (expected one of:"
                        + " name, listen, upstream, upstream-policy, public-address, client-data-ports, server-data-ports,"
                        + " upstream-mode, allow-client, allow-destination, deny-client, anonymous, anonymous-write,"
                        + " default-profile, rules, deny-destination, allow-destination-hosts,"
                        + " deny-destination-hosts, destination-ports, anonymous-incoming, fxp, early-server-leg, data-path, banner,"
                        + " syst-reply, placement, transparent-source, proxy-protocol, proxy-protocol-from,"
                        + " data-proxy-protocol, server-proxy-protocol, client-tls, tls-certificate, tls-key, tls-client-ca, require-prot-p,"
                        + " require-data-session-reuse, server-tls, server-data-protection, server-ca,"
                        + " server-fingerprint, server-tls-verify, tls-protocols, server-client-certificate, server-client-key, tls-provider)",
                "ftpgate.yaml:8:24: listeners[0].client-data-ports: expected a port range LO-HI such as"
                        + " 50000-50999, got '50000'",
                "ftpgate.yaml:9:32: listeners[0].allow-client[1]: expected an address block such as"
                        + " 192.0.2.0/24 or 2001:db8::/32, got '10.0.0.300/8'",
                "ftpgate.yaml:11:9: listeners[0].rules[0].profile: missing; expected the profile this rule selects",
                "ftpgate.yaml:12:5: listeners[1].listen: missing; expected the HOST:PORT address(es) to accept"
                        + " control connections on, e.g. listen: \"0.0.0.0:21\"",
                "ftpgate.yaml:13:13: listeners[2].listen[0]: 0.0.0.0:21 is already used by listeners[0].listen[0]",
                "ftpgate.yaml:14:20: listeners[2].upstream-mode: expected one of passive, active, client, got 'pasv'",
                "ftpgate.yaml:15:5: listeners[2].upstream-mode: duplicate key 'upstream-mode' (first given at"
                        + " line 14)",
                "ftpgate.yaml:17:5: listeners[3]: expected a listener mapping with at least 'listen', got '42'",
                "ftpgate.yaml:19:22: listeners[4]: unknown profile 'nope' (known: full, no-site, read-only, x)",
                "ftpgate.yaml:20:10: monitor: expected true or false, got 'maybe'",
                "ftpgate.yaml:21:24: limits.max-sessions: expected a whole number of at least 1, got '0'");
    }

    @Test
    void aCleanListenerAfterABrokenOneIsStillCheckedAcrossItsKeys() throws Exception {
        assertThat(problems("""
                listeners:
                  - listen: [1.2.3.4:21, 1.2.3.4:x]
                  - listen: 127.0.0.1:2121
                    upstream: 192.0.2.1:21
                    allow-destination: [198.51.100.0/24]
                """)).containsExactly(
                "ftpgate.yaml:2:26: listeners[0].listen[1]: expected HOST:PORT such as 192.0.2.10:21 or [::]:21,"
                        + " got '1.2.3.4:x' (port must be 0-65535, 0 meaning any free port)",
                "ftpgate.yaml:5:5: listeners[1].allow-destination: applies only to forward listeners (those"
                        + " without an upstream); listener 'listener-2' is reverse, with upstream 192.0.2.1:21"
                        + " (remove allow-destination, or remove upstream to make it a forward listener)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"allow-client: [%s]", "deny-client: [%s]", "allow-destination: [%s]",
        "deny-destination: [%s]", "rules: [{client: [%s], profile: full}]",
        "rules: [{destination: [%s], profile: full}]", "fxp: [{client: [%s], peer: [203.0.113.7/32]}]",
        "fxp: [{client: [198.51.100.0/24], peer: [%s]}]"})
    void addressBlocksWithHostBitsSetAreRefusedWithTheBlockTheyWouldMean(String line) throws Exception {
        String listener = "listeners:\n  - listen: 127.0.0.1:2121\n    ";
        assertThat(problems(listener + line.formatted("192.168.1.1/24") + "\n")).singleElement().asString()
                .startsWith("ftpgate.yaml:3:").endsWith(": address block 192.168.1.1/24 has host bits set; did you"
                        + " mean 192.168.1.0/24?");
        assertThat(problems(listener + line.formatted("\"2001:db8::1/64\"") + "\n")).singleElement().asString()
                .endsWith(": address block 2001:db8::1/64 has host bits set; did you mean 2001:db8::/64?");
        assertThat(problems(listener + line.formatted("192.168.1.0/24") + "\n")).isEmpty();
    }

    @Test
    void hostBitsMessageNamesFileLineColumnAndKey() throws Exception {
        assertThat(problems("listeners:\n  - listen: 127.0.0.1:2121\n    allow-client: [10.0.0.0/8, 10.1.2.3/16]\n"))
                .containsExactly("ftpgate.yaml:3:32: listeners[0].allow-client[1]: address block 10.1.2.3/16 has"
                        + " host bits set; did you mean 10.1.0.0/16?");
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.1.1", "192.168.1.1/32", "\"2001:db8::1\"", "\"2001:db8::1/128\"", "0.0.0.0/0",
        "\"::/0\""})
    void hostRoutesAndBareAddressesAreFine(String block) throws Exception {
        assertThat(problems("listeners:\n  - listen: 127.0.0.1:2121\n    allow-client: [" + block + "]\n")).isEmpty();
    }

    private static final String WHY = ". The outer firewall opens each range to a different peer (client-data-ports"
            + " to clients, server-data-ports to servers), so a port in both makes the rule for one side admit the"
            + " other side too: give the two ranges no port in common";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // Both written: reported at the server range.
        "client-data-ports: 61000-61999\\n    server-data-ports: 61500-62499"
                + "| ftpgate.yaml:4:24: listeners[0].server-data-ports: 61500-62499 overlaps client-data-ports"
                + " 61000-61999 (ports 61500-61999 are in both)",
        "server-data-ports: 61999-62999\\n    upstream-mode: active"
                + "| ftpgate.yaml:3:24: listeners[0].server-data-ports: 61999-62999 overlaps client-data-ports"
                + " (default) 61000-61999 (port 61999 is in both)",
        // The default server range counts once server-side pinholes can be opened.
        "client-data-ports: 61000-62000\\n    upstream-mode: client"
                + "| ftpgate.yaml:3:24: listeners[0].client-data-ports: 61000-62000 overlaps server-data-ports"
                + " (default) 62000-62999 (port 62000 is in both)",
    })
    void overlappingDataPortRangesAreRefusedWithTheReason(String keys, String expected) throws Exception {
        assertThat(problems("listeners:\n  - listen: 127.0.0.1:2121\n    " + keys.replace("\\n", "\n") + "\n"))
                .containsExactly(expected + WHY);
    }

    @Test
    void separateRangesAndAnUnusedDefaultServerRangeAreFine() throws Exception {
        String l0 = "listeners:\n  - listen: 127.0.0.1:2121\n    ";
        assertThat(problems(l0 + "client-data-ports: 61000-61999\n    server-data-ports: 62000-62999\n")).isEmpty();
        // upstream-mode passive never opens a server-side pinhole, so the default server range is not in use.
        assertThat(problems(l0 + "client-data-ports: 61000-62999\n")).isEmpty();
        // A range with its own problem is reported once, not compared as well.
        assertThat(problems(l0 + "client-data-ports: 61000\n    server-data-ports: 61000-61999\n")).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "placement: transparent\\n    upstream: 192.0.2.10:21"
                + "| ftpgate.yaml:3:16: listeners[0].placement: placement transparent takes no upstream (the server"
                + " comes from each connection's original destination); remove upstream 192.0.2.10:21",
        "placement: reverse| ftpgate.yaml:3:16: listeners[0].placement: placement reverse needs an upstream",
        "transparent-source: client| ftpgate.yaml:3:5: listeners[0].transparent-source: applies only to"
                + " placement: transparent",
        "placement: sideways| ftpgate.yaml:3:16: listeners[0].placement: expected one of forward, reverse,"
                + " transparent, got 'sideways'",
        "placement: transparent\\n    transparent-source: server| ftpgate.yaml:4:25:"
                + " listeners[0].transparent-source: expected one of gateway, client, got 'server'",
    })
    void placementThatContradictsTheListenerIsRefused(String keys, String expected) throws Exception {
        assertThat(problems("listeners:\n  - listen: 127.0.0.1:2121\n    " + keys.replace("\\n", "\n") + "\n"))
                .containsExactly(expected);
    }
}
