package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.config.ConfigLoader;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.net.PortRange;
import io.ftpgate.config.Timeouts;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.data.EphemeralPorts;
import io.ftpgate.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenerSummaryTest {

    @TempDir
    Path dir;

    private static final EphemeralPorts DEBIAN = EphemeralPorts.parse("32768\t60999\n", "\n");

    private static GatewayConfig config(UpstreamMode mode, String clientPorts, String serverPorts) {
        ListenerConfig l = ListenerConfig.builder("pub").listen(HostAndPort.parse("127.0.0.1:2121", 21))
                .upstream(HostAndPort.parse("192.0.2.1:21", 21)).clientDataPorts(PortRange.parse(clientPorts))
                .serverDataPorts(PortRange.parse(serverPorts)).upstreamMode(mode).build();
        return new GatewayConfig(List.of(l), Timeouts.DEFAULTS, null);
    }

    @Test
    void overlappingRangesGetTheSysctlThatReservesThem() {
        String w = ListenerSummary.ephemeralWarning(config(UpstreamMode.ACTIVE, "50000-50999", "51000-51999"),
                DEBIAN).orElseThrow();
        assertThat(w).startsWith("pinhole ports inside the kernel's ephemeral port range 32768-60999")
                .contains("listener 'pub' client data ports 50000-50999 (1000 of 1000 ports not reserved)",
                        "listener 'pub' server data ports 51000-51999 (1000 of 1000 ports not reserved)")
                .contains("sysctl -w net.ipv4.ip_local_reserved_ports=50000-51999 ");
    }

    @Test
    void serverDataPortsCountOnlyWhenTheListenerCanSendPortUpstream() {
        String w = ListenerSummary.ephemeralWarning(config(UpstreamMode.PASSIVE, "50000-50999", "51000-51999"),
                DEBIAN).orElseThrow();
        assertThat(w).doesNotContain("server data ports").contains("ip_local_reserved_ports=50000-50999 ");
    }

    @Test
    void theDefaultRangesNeedNoReservationOnADefaultKernel() {
        ListenerConfig l = ListenerConfig.builder("pub").listen(HostAndPort.parse("127.0.0.1:2121", 21))
                .upstream(HostAndPort.parse("192.0.2.1:21", 21)).upstreamMode(UpstreamMode.CLIENT).build();
        assertThat(ListenerSummary.ephemeralWarning(new GatewayConfig(List.of(l), Timeouts.DEFAULTS, null), DEBIAN))
                .isEmpty();
    }

    @Test
    void theKernelPathNamesTheClientsItCarriesForTheUpstreamMode() {
        for (UpstreamMode mode : UpstreamMode.values()) {
            ListenerConfig l = ListenerConfig.builder("k").listen(HostAndPort.parse("127.0.0.1:2121", 21))
                    .upstream(HostAndPort.parse("192.0.2.1:21", 21)).upstreamMode(mode)
                    .dataPath(io.ftpgate.config.DataPathMode.KERNEL).build();
            assertThat(ListenerSummary.details(l)).filteredOn(d -> d.startsWith("data path kernel for "))
                    .singleElement().asString().contains(switch (mode) {
                        case PASSIVE -> "PASV/EPSV clients (PORT/EPRT clients are relayed";
                        case ACTIVE -> "PORT/EPRT clients (PASV/EPSV clients are relayed";
                        case CLIENT -> "every client";
                    });
        }
        ListenerConfig relay = ListenerConfig.builder("r").listen(HostAndPort.parse("127.0.0.1:2121", 21)).build();
        assertThat(ListenerSummary.details(relay)).noneMatch(d -> d.contains("data path"));
    }

    @Test
    void reservedOrOutsideRangesGetNoWarning() {
        EphemeralPorts reserved = EphemeralPorts.parse("32768 60999", "50000-51999");
        assertThat(ListenerSummary.ephemeralWarning(config(UpstreamMode.CLIENT, "50000-50999", "51000-51999"),
                reserved)).isEmpty();
        assertThat(ListenerSummary.ephemeralWarning(config(UpstreamMode.CLIENT, "61000-61999", "62000-62999"),
                DEBIAN)).isEmpty();
    }

    /** Issue 11: the summary left out deny-client, profiles, rules, anonymous-incoming, limits and fxp. */
    @Test
    void summaryNamesEveryPolicySettingTheFileMakes() throws Exception {
        GatewayConfig c = ConfigLoader.load(Files.writeString(dir.resolve("all.yaml"), """
                audit-log: "-"
                timeouts: {pinhole: 10s}
                monitor: true
                limits: {max-sessions: 100, max-sessions-per-client: 4, max-login-failures: 3, block-time: 2m}
                profiles:
                  upload-only: {deny: [RETR, LIST, NLST, MLSD], reply: "550 Upload only here."}
                  browse: {allow: [LIST, CWD, PWD]}
                listeners:
                  - name: hosting
                    listen: 127.0.0.1:2121
                    upstream: 192.0.2.10:21
                    public-address: 203.0.113.10
                    allow-client: [198.51.100.0/24, 203.0.113.0/24]
                    deny-client: [198.51.100.128/25]
                    anonymous-write: true
                    anonymous-incoming: /incoming/
                    default-profile: read-only
                    rules:
                      - {user: "drop-*", profile: upload-only}
                      - {user: ops, client: [198.51.100.0/25], profile: full}
                      - {client: [203.0.113.0/24], profile: browse}
                    fxp:
                      - {client: [198.51.100.0/24], peer: [198.51.100.21/32, 192.0.2.0/24]}
                  - name: office
                    listen: 10.0.0.1:2121
                    upstream-mode: active
                    client-data-ports: 64000-64499
                    server-data-ports: 64500-64999
                    anonymous: false
                    allow-destination: [192.0.2.0/24]
                    deny-destination: [192.0.2.99/32]
                    allow-destination-hosts: ["*.partner.example"]
                    deny-destination-hosts: ["*.pastebin.example"]
                    destination-ports: [21, 2121-2130]
                    rules:
                      - {user: bob, destination: [192.0.2.0/25], profile: no-site}
                """));
        assertThat(ListenerSummary.summary(c)).containsExactly(
                "  listener 'hosting' (reverse): 127.0.0.1:2121 -> upstream 192.0.2.10:21",
                "      public address 203.0.113.10",
                "      client data ports 61000-61999",
                "      server data ports 62000-62999",
                "      upstream mode passive",
                "      allow-client 198.51.100.0/24, 203.0.113.0/24",
                "      deny-client 198.51.100.128/25",
                "      anonymous on, anonymous-write on",
                "      anonymous-incoming /incoming (upload only: no list, download, rename or delete)",
                "      rule 1: user drop-* -> profile upload-only",
                "      rule 2: user ops, client 198.51.100.0/25 -> profile full",
                "      rule 3: client 203.0.113.0/24 -> profile browse",
                "      default-profile read-only when no rule matches",
                "      fxp client 198.51.100.0/24 -> peer 198.51.100.21/32, 192.0.2.0/24",
                "  listener 'office' (forward): 10.0.0.1:2121 -> destination from USER user@host[:port]",
                "      public address = local address of each control connection (default)",
                "      client data ports 64000-64499",
                "      server data ports 64500-64999",
                "      upstream mode active",
                "      allow-client loopback and private ranges (default)",
                "      allow-destination 192.0.2.0/24",
                "      deny-destination 192.0.2.99/32",
                "      allow-destination-hosts *.partner.example",
                "      deny-destination-hosts *.pastebin.example",
                "      destination-ports 21, 2121-2130",
                "      anonymous off",
                "      rule 1: user bob, destination 192.0.2.0/25 -> profile no-site",
                "      default-profile full when no rule matches (default)",
                "  monitor: on (policy verdicts are logged with \"enforced\": false, not applied)",
                "  limits: max-sessions 100, max-sessions-per-client 4, max-login-failures 3, block-time 2m",
                "  profile 'browse': allow CWD, LIST, PWD",
                "  profile 'upload-only': deny LIST, MLSD, NLST, RETR; reply \"550 Upload only here.\"",
                "  audit log: stdout",
                "  timeouts: pinhole 10s, connect 30s, control-idle 15m, login 1m, data-idle 5m",
                "  admin listener: off (default)");
    }

    @Test
    void defaultsAreSpelledOutAndUnsetListsLeftOut() throws Exception {
        GatewayConfig c = ConfigLoader.load(Files.writeString(dir.resolve("min.yaml"),
                "listeners:\n  - listen: 127.0.0.1:2121\n    upstream: 192.0.2.10:21\n"));
        assertThat(ListenerSummary.summary(c)).containsExactly(
                "  listener 'listener-1' (reverse): 127.0.0.1:2121 -> upstream 192.0.2.10:21",
                "      public address = local address of each control connection (default)",
                "      client data ports 61000-61999",
                "      server data ports 62000-62999",
                "      upstream mode passive",
                "      allow-client any (default)",
                "      anonymous on, anonymous-write off (default)",
                "      default-profile full for every user (default)",
                "  monitor: off (default)",
                "  limits: max-sessions 10000, max-sessions-per-client 50, max-login-failures 5, block-time 10m",
                "  audit log: none",
                "  timeouts: pinhole 30s, connect 30s, control-idle 15m, login 1m, data-idle 5m",
                "  admin listener: off (default)");
    }

    /** A listener with implicit FTPS toward clients; tests append keys. */
    private static final String IMPLICIT_TLS = """
            listeners:
              - listen: 127.0.0.1:990
                upstream: 192.0.2.10:21
                client-tls: implicit
                tls-certificate: /etc/ftpgate/cert.pem
                tls-key: /etc/ftpgate/key.pem
            """;

    @Test
    void tlsSettingsAreSummarised() throws Exception {
        GatewayConfig c = ConfigLoader.load(Files.writeString(dir.resolve("tls.yaml"), IMPLICIT_TLS + """
                    require-prot-p: true
                    server-tls: required
                    server-fingerprint: "%s"
                    server-client-certificate: /etc/ftpgate/gateway.pem
                    server-client-key: /etc/ftpgate/gateway.key
                """.formatted("ab".repeat(32))));
        assertThat(ListenerSummary.summary(c)).contains(
                "      client-tls implicit, certificate /etc/ftpgate/cert.pem, key /etc/ftpgate/key.pem, PROT P"
                        + " required, data connections must resume the control TLS session",
                "      server-tls required, data protection private, server certificate pinned (SHA-256 "
                        + "ab".repeat(32) + "), client certificate /etc/ftpgate/gateway.pem presented to the server");
    }

    @Test
    void aClientCertificateTowardTheServerNeedsItsKeyAndServerTls() throws Exception {
        String l0 = "listeners:\n  - listen: 127.0.0.1:2121\n    upstream: 192.0.2.10:21\n";
        assertThatThrownBy(() -> ConfigLoader.load(Files.writeString(dir.resolve("nokey.yaml"), l0
                + "    server-tls: required\n    server-client-certificate: /etc/ftpgate/gateway.pem\n")))
                .hasMessageContaining("server-client-certificate and server-client-key go together");
        assertThatThrownBy(() -> ConfigLoader.load(Files.writeString(dir.resolve("notls.yaml"), l0
                + "    server-client-certificate: /etc/ftpgate/gateway.pem\n"
                + "    server-client-key: /etc/ftpgate/gateway.key\n")))
                .hasMessageContaining("server-client-certificate needs server-tls");
    }

    @Test
    void theTlsProviderIsSummarisedAndAnUnknownOneNamed() throws Exception {
        String yaml = IMPLICIT_TLS;
        assertThat(ListenerSummary.summary(ConfigLoader.load(Files.writeString(dir.resolve("default.yaml"), yaml))))
                .contains("      tls-provider " + TlsSettings.Provider.preferred().configName() + " (default)");
        assertThat(ListenerSummary.summary(ConfigLoader.load(Files.writeString(dir.resolve("jdk.yaml"),
                yaml + "    tls-provider: jdk\n")))).contains("      tls-provider jdk");
        assertThatThrownBy(() -> ConfigLoader.load(Files.writeString(dir.resolve("bad.yaml"),
                yaml + "    tls-provider: gnutls\n")))
                .hasMessageContaining("tls-provider: expected one of jdk, openssl, got 'gnutls'");
    }

    @Test
    void thePROXYSettingsAndTheDataDesignAreSpelledOut() throws Exception {
        Path f = Files.writeString(dir.resolve("p.yaml"), """
                listeners:
                  - listen: 127.0.0.1:2121
                    upstream: 192.0.2.1:21
                    proxy-protocol: v2
                    proxy-protocol-from: [192.0.2.5]
                    server-proxy-protocol: v1
                  - listen: 127.0.0.1:2122
                    upstream: 192.0.2.1:21
                    proxy-protocol: any
                    data-proxy-protocol: v2
                    proxy-protocol-from: [192.0.2.5]
                """);
        List<String> s = ListenerSummary.summary(ConfigLoader.load(f));
        assertThat(s).contains("      proxy-protocol v2 from 192.0.2.5 (the header names the client; anyone else,"
                        + " no header, another version or none within 3s is refused)",
                "      data connections: 227/229 advertise the address the client connected to (the balancer's);"
                        + " set public-address for direct data connections, or data-proxy-protocol",
                "      server-proxy-protocol v1: ftpgate sends the server a header naming the client",
                "      data-proxy-protocol v2: client pinholes take a PROXY header from 192.0.2.5 first and bind to"
                        + " the client it names (data through the balancer)");
    }
}
