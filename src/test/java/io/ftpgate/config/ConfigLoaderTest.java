package io.ftpgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.net.Cidr;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.policy.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    /** Loads {@code yaml} expecting failure; returns the message with the temp directory stripped. */
    private String error(String yaml) throws IOException {
        Path file = write("ftpgate.yaml", yaml);
        try {
            ConfigLoader.load(file);
        } catch (ConfigException e) {
            return e.getMessage().replace(dir.toString() + "/", "");
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void loadsFullFile() throws Exception {
        GatewayConfig c = ConfigLoader.load(write("full.yaml", """
                # comment
                audit-log: /var/log/ftpgate/audit.jsonl
                timeouts: { pinhole: 10s, connect: 500ms, control-idle: 15m, login: 2m, data-idle: 1h }
                listeners:
                  - name: public
                    listen: ["0.0.0.0:21", "[::]:21"]
                    upstream: 192.0.2.10:21
                    public-address: 203.0.113.10
                    client-data-ports: 50000-50999
                    server-data-ports: 51000-51099
                    upstream-mode: active
                    early-server-leg: false
                    allow-client: [10.0.0.0/8, "2001:db8::/32"]
                  - listen: 127.0.0.1:0
                    upstream-mode: CLIENT
                    allow-destination: 198.51.100.0/24
                """));
        assertThat(c.auditLog()).isEqualTo("/var/log/ftpgate/audit.jsonl");
        assertThat(c.timeouts()).isEqualTo(new Timeouts(Duration.ofSeconds(10), Duration.ofMillis(500),
                Duration.ofMinutes(15), Duration.ofMinutes(2), Duration.ofHours(1)));
        assertThat(c.listeners()).hasSize(2);

        ListenerConfig pub = c.listeners().get(0);
        assertThat(pub.name()).isEqualTo("public");
        assertThat(pub.listen()).containsExactly(new HostAndPort("0.0.0.0", 21), new HostAndPort("::", 21));
        assertThat(pub.upstream()).isEqualTo(new HostAndPort("192.0.2.10", 21));
        assertThat(pub.placement()).isEqualTo(Placement.REVERSE);
        assertThat(pub.publicAddress()).isEqualTo("203.0.113.10");
        assertThat(pub.clientDataPorts()).isEqualTo(new PortRange(50000, 50999));
        assertThat(pub.serverDataPorts()).isEqualTo(new PortRange(51000, 51099));
        assertThat(pub.upstreamMode()).isEqualTo(UpstreamMode.ACTIVE);
        assertThat(pub.earlyServerLeg()).isFalse();
        assertThat(pub.allowClient()).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"));

        ListenerConfig fwd = c.listeners().get(1);
        assertThat(fwd.name()).isEqualTo("listener-2");
        assertThat(fwd.listen()).containsExactly(new HostAndPort("127.0.0.1", 0));
        assertThat(fwd.placement()).isEqualTo(Placement.FORWARD);
        assertThat(fwd.upstreamMode()).isEqualTo(UpstreamMode.CLIENT);
        assertThat(fwd.earlyServerLeg()).as("default").isTrue();
        assertThat(fwd.allowDestination()).containsExactly(Cidr.parse("198.51.100.0/24"));
        assertThat(fwd.clientDataPorts()).isEqualTo(ListenerConfig.DEFAULT_CLIENT_DATA_PORTS);
    }

    @Test
    void minimalFileGetsDefaults() throws Exception {
        GatewayConfig c = ConfigLoader.load(write("min.yaml", "listeners:\n  - listen: 127.0.0.1:2121\n"));
        assertThat(c.auditLog()).isNull();
        assertThat(c.timeouts()).isEqualTo(Timeouts.DEFAULTS);
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.name()).isEqualTo("listener-1");
        assertThat(l.upstreamMode()).isEqualTo(UpstreamMode.PASSIVE);
        assertThat(l.allowClient()).isEmpty();
        assertThat(l.publicAddress()).isNull();
    }

    @Test
    void transparentPlacementWithItsSource() throws Exception {
        GatewayConfig c = ConfigLoader.load(write("t.yaml", "listeners:\n  - listen: 127.0.0.1:2121\n"
                + "    placement: transparent\n  - listen: 127.0.0.1:2122\n    placement: transparent\n"
                + "    transparent-source: client\n  - listen: 127.0.0.1:2123\n    placement: forward\n"));
        assertThat(c.listeners()).extracting(ListenerConfig::placement).containsExactly(Placement.TRANSPARENT,
                Placement.TRANSPARENT, Placement.FORWARD);
        assertThat(c.listeners()).extracting(ListenerConfig::transparentSource)
                .containsExactly(Placement.Source.GATEWAY, Placement.Source.CLIENT, null);
    }

    @Test
    void plainNumbersAreSecondsAndUpstreamPortDefaultsTo21() throws Exception {
        GatewayConfig c = ConfigLoader.load(write("n.yaml",
                "timeouts:\n  pinhole: 45\nlisteners:\n  - listen: 127.0.0.1:2121\n    upstream: ftp.example.net\n"));
        assertThat(c.timeouts().pinhole()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.listeners().get(0).upstream()).isEqualTo(new HostAndPort("ftp.example.net", 21));
    }

    @Test
    void shippedExamplesAreValid() throws Exception {
        try (Stream<Path> examples = Files.list(Path.of("examples"))) {
            List<Path> files = examples.filter(p -> p.toString().endsWith(".yaml")).toList();
            assertThat(files).isNotEmpty();
            for (Path f : files) {
                assertThat(ConfigLoader.load(f).listeners()).as(f.toString()).isNotEmpty();
            }
        }
    }

    /** Exact messages for one representative of every error class. */
    static Stream<Arguments> errors() {
        String l0 = "listeners:\n  - listen: 0.0.0.0:21\n";
        return Stream.of(
                Arguments.of("", "ftpgate.yaml:1:1: the file is empty; expected a mapping with at least a"
                        + " 'listeners' list"),
                Arguments.of("# only a comment\n", "ftpgate.yaml:1:1: the file is empty; expected a mapping with"
                        + " at least a 'listeners' list"),
                Arguments.of("listeners:\n  - listen: a: b\n",
                        "ftpgate.yaml:2:14: YAML syntax error: mapping values are not allowed here"),
                Arguments.of(l0 + "    upstrem: 192.0.2.10:21\n",
                        "ftpgate.yaml:3:5: listeners[0].upstrem: unknown key; did you mean 'upstream'? (expected"
                                + " one of: name, listen, upstream, upstream-policy, public-address, client-data-ports,"
                                + " server-data-ports, upstream-mode, allow-client, allow-destination,"
                                + " deny-client, anonymous, anonymous-write, default-profile, rules, deny-destination,"
                                + " allow-destination-hosts, deny-destination-hosts, destination-ports,"
                                + " anonymous-incoming, fxp, early-server-leg, data-path, banner, syst-reply, placement, transparent-source,"
                                + " proxy-protocol, proxy-protocol-from, data-proxy-protocol, server-proxy-protocol, client-tls,"
                                + " tls-certificate, tls-key, tls-client-ca, require-prot-p,"
                        + " require-data-session-reuse, server-tls, server-data-protection, server-ca, server-fingerprint,"
                        + " server-tls-verify, tls-protocols, server-client-certificate, server-client-key, tls-provider)"),
                Arguments.of("colour: blue\n" + l0, "ftpgate.yaml:1:1: colour: unknown key (expected one of:"
                        + " audit-log, audit-syslog, timeouts, listeners, monitor, limits, profiles, admin)"),
                Arguments.of(l0 + "    client-data-ports: 50000\n",
                        "ftpgate.yaml:3:24: listeners[0].client-data-ports: expected a port range LO-HI such as"
                                + " 50000-50999, got '50000'"),
                Arguments.of(l0 + "    server-data-ports: 80-90\n",
                        "ftpgate.yaml:3:24: listeners[0].server-data-ports: expected a port range LO-HI such as"
                                + " 50000-50999, got '80-90'"
                                + " (port range must be LO-HI with 1024 <= LO <= HI <= 65535)"),
                Arguments.of(l0 + "    allow-client: [10.0.0.0/8, 10.0.0.300/8]\n",
                        "ftpgate.yaml:3:32: listeners[0].allow-client[1]: expected an address block such as"
                                + " 192.0.2.0/24 or 2001:db8::/32, got '10.0.0.300/8'"),
                Arguments.of(l0 + "    upstream: 192.0.2.1:21\n    allow-destination: [10.0.0.0/8]\n",
                        "ftpgate.yaml:4:5: listeners[0].allow-destination: applies only to forward listeners"
                                + " (those without an upstream); listener 'listener-1' is reverse, with upstream"
                                + " 192.0.2.1:21 (remove allow-destination, or remove upstream to make it a forward"
                                + " listener)"),
                Arguments.of(l0 + "    upstream: 192.0.2.1:0\n",
                        "ftpgate.yaml:3:15: listeners[0].upstream: expected HOST:PORT such as 192.0.2.10:21 or"
                                + " [2001:db8::10]:21, got '192.0.2.1:0' (an upstream port must be 1-65535)"),
                Arguments.of("listeners:\n  - listen: ::1:21\n",
                        "ftpgate.yaml:2:13: listeners[0].listen: expected HOST:PORT such as 192.0.2.10:21 or"
                                + " [::]:21, got '::1:21' (IPv6 address must be bracketed, e.g. [::1]:2121)"),
                Arguments.of(l0 + "    public-address: ftp.example.com\n",
                        "ftpgate.yaml:3:21: listeners[0].public-address: expected an IP address literal such as"
                                + " 203.0.113.10 or 2001:db8::10 (no host names), got 'ftp.example.com'"),
                Arguments.of(l0 + "    upstream-mode: pasv\n", "ftpgate.yaml:3:20: listeners[0].upstream-mode:"
                        + " expected one of passive, active, client, got 'pasv'"),
                Arguments.of(l0 + "    early-server-leg: soon\n", "ftpgate.yaml:3:23: listeners[0].early-server-leg:"
                        + " expected true or false, got 'soon'"),
                Arguments.of("timeouts:\n  pinhole: 3 days\n" + l0, "ftpgate.yaml:2:12: timeouts.pinhole: expected"
                        + " a duration such as 500ms, 30s, 15m, 1h or a whole number of seconds, got '3 days'"),
                Arguments.of("audit-log: /tmp/a\n", "ftpgate.yaml:1:1: listeners: missing; at least one listener is"
                        + " required, e.g. listeners: [{listen: \"0.0.0.0:21\", upstream: \"192.0.2.10:21\"}]"),
                Arguments.of("listeners: []\n", "ftpgate.yaml:1:12: listeners: expected at least one listener, got"
                        + " an empty list"),
                Arguments.of("listeners:\n  - upstream: 192.0.2.1:21\n", "ftpgate.yaml:2:5: listeners[0].listen:"
                        + " missing; expected the HOST:PORT address(es) to accept control connections on, e.g."
                        + " listen: \"0.0.0.0:21\""),
                Arguments.of("listeners:\n  - listen: 0.0.0.0:21\n    listen: 0.0.0.0:22\n", "ftpgate.yaml:3:5:"
                        + " listeners[0].listen: duplicate key 'listen' (first given at line 2)"),
                Arguments.of(l0 + "  - listen: [0.0.0.0:22, 0.0.0.0:21]\n", "ftpgate.yaml:3:26:"
                        + " listeners[1].listen[1]: 0.0.0.0:21 is already used by listeners[0].listen[0]"),
                Arguments.of("listeners:\n  listen: 0.0.0.0:21\n", "ftpgate.yaml:2:3: listeners: expected a list of"
                        + " listeners (items starting with '- '), got a mapping"),
                Arguments.of("listeners:\n  - listen:\n", "ftpgate.yaml:2:12: listeners[0].listen: expected"
                        + " HOST:PORT addresses, got no value"),
                Arguments.of("- 1\n", "ftpgate.yaml:1:1: expected a mapping with keys audit-log, audit-syslog, timeouts,"
                        + " listeners, monitor, limits, profiles, admin, got a list"));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void errorsNameFileLineColumnAndKey(String yaml, String expected) throws Exception {
        assertThat(error(yaml)).isEqualTo(expected);
    }

    @Test
    void everyErrorCarriesAPosition() throws Exception {
        for (String yaml : List.of("listeners:\n  - listen: x\n", "listeners:\n  - name: 'a b'\n    listen: x:1\n",
                "x: &a 1\nlisteners:\n  - listen: *a\n", "listeners:\n  - listen: 1.2.3.4:1\n---\nb: 1\n",
                "listeners:\n\t- listen: 1.2.3.4:1\n", "listeners:\n  - listen: [1.2.3.4:1\n")) {
            assertThat(error(yaml)).as(yaml).matches("ftpgate\\.yaml:\\d+:\\d+: .+").doesNotContain("\n");
        }
    }

    @Test
    void fileProblemsAreReportedWithoutStackTrace() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml")))
                .isInstanceOf(ConfigException.class).hasMessageEndingWith("missing.yaml: cannot read: no such file");
        assertThatThrownBy(() -> ConfigLoader.load(dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is a directory");
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xe9, '\n'});
        assertThatThrownBy(() -> ConfigLoader.load(latin1))
                .isInstanceOf(ConfigException.class).hasMessageEndingWith("not valid UTF-8 text");
    }
}
