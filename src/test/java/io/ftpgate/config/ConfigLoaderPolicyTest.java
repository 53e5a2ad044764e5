package io.ftpgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.policy.ListenerPolicy;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The policy part of the YAML schema: monitor, limits, profiles and per-listener rules. */
class ConfigLoaderPolicyTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String yaml) throws Exception {
        Path f = dir.resolve("ftpgate.yaml");
        Files.writeString(f, yaml);
        return ConfigLoader.load(f);
    }

    private static final String LISTENER = "listeners:\n  - listen: 127.0.0.1:2121\n    upstream: 192.0.2.10:21\n";

    @Test
    void fullPolicyIsLoaded() throws Exception {
        GatewayConfig c = load("""
                monitor: true
                limits: {max-sessions: 100, max-sessions-per-client: 4, max-login-failures: 3, block-time: 2m}
                profiles:
                  upload-only: {deny: [retr, LIST, NLST, MLSD], reply: "550 Upload only here."}
                listeners:
                  - listen: 127.0.0.1:2121
                    upstream: 192.0.2.10:21
                    deny-client: [10.9.0.0/16]
                    anonymous: false
                    anonymous-write: yes
                    default-profile: read-only
                    rules:
                      - {user: "drop-*", profile: upload-only}
                      - {user: ops, client: [10.0.0.0/8], profile: full}
                """);
        assertThat(c.gatewayPolicy().monitor()).isTrue();
        assertThat(c.gatewayPolicy().limits().maxSessionsPerClient()).isEqualTo(4);
        assertThat(c.gatewayPolicy().limits().blockTime()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.gatewayPolicy().profile("upload-only").permits("RETR")).isFalse();
        assertThat(c.gatewayPolicy().profile("upload-only").replyText()).isEqualTo("Upload only here.");
        ListenerPolicy lp = c.listeners().get(0).listenerPolicy();
        assertThat(lp.anonymous()).isFalse();
        assertThat(lp.anonymousWrite()).isTrue();
        InetAddress any = InetAddress.getByName("203.0.113.5");
        assertThat(lp.profileFor("drop-acme", any, null, null)).isEqualTo("upload-only");
        assertThat(lp.profileFor("ops", any, null, null)).isEqualTo("read-only");
        assertThat(lp.profileFor("ops", InetAddress.getByName("10.2.3.4"), null, null)).isEqualTo("full");
    }

    @Test
    void defaultsAreSafe() throws Exception {
        GatewayConfig c = load(LISTENER);
        assertThat(c.gatewayPolicy().monitor()).isFalse();
        assertThat(c.listeners().get(0).listenerPolicy().anonymous()).isTrue();
        assertThat(c.listeners().get(0).listenerPolicy().anonymousWrite()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "monitor: maybe\\n| ftpgate.yaml:1:10: monitor: expected true or false, got 'maybe'",
        "limits: {max-sessions: 0}\\n| ftpgate.yaml:1:24: limits.max-sessions: expected a whole number of at least 1, got '0'",
        "profiles: {read-only: {deny: [STOR]}}\\n| ftpgate.yaml:1:12: profiles.read-only: 'read-only' is a built-in profile; choose another name",
        "profiles: {x: {deny: [STORE]}}\\n| ftpgate.yaml:1:23: profiles.x.deny[0]: expected an FTP command verb such as STOR, got 'STORE'",
        "profiles: {x: {deny: [STOR], reply: \"250 ok\"}}\\n| ftpgate.yaml:1:37: profiles.x.reply: expected a 4xx or 5xx code and a text, such as \"550 Not allowed here.\", got '250 ok'",
        "profiles: {x: {allow: [LIST], deny: [STOR]}}\\n| ftpgate.yaml:1:15: profiles.x: profile 'x': give either allow or deny, not both",
    })
    void policyErrorsNameFileLineColumnAndKey(String head, String message) {
        assertThatThrownBy(() -> load(head.replace("\\n", "\n") + LISTENER))
                .satisfies(e -> assertThat(e.getMessage().replace(dir + "/", "")).isEqualTo(message));
    }

    @Test
    void ruleNamingAnUnknownProfileIsAnError() {
        assertThatThrownBy(() -> load(LISTENER + "    rules:\n      - {user: bob, profile: nope}\n"))
                .satisfies(e -> assertThat(e.getMessage().replace(dir + "/", "")).startsWith("ftpgate.yaml:5:"))
                .hasMessageContaining("listeners[0]: unknown profile 'nope' (known: full, no-site, read-only)");
    }

    @Test
    void fxpRulesAreLoaded() throws Exception {
        GatewayConfig c = load(LISTENER + "    fxp:\n      - {client: [198.51.100.0/24], peer: [203.0.113.7/32]}\n");
        assertThat(io.ftpgate.policy.FxpRule.allows(c.listeners().get(0).listenerPolicy().fxp(),
                InetAddress.getByName("198.51.100.9"), InetAddress.getByName("203.0.113.7"))).isTrue();
        assertThat(io.ftpgate.policy.FxpRule.allows(c.listeners().get(0).listenerPolicy().fxp(),
                InetAddress.getByName("198.51.100.9"), InetAddress.getByName("203.0.113.8"))).isFalse();
        assertThatThrownBy(() -> load(LISTENER + "    fxp:\n      - {client: [198.51.100.0/24]}\n"))
                .hasMessageContaining("listeners[0].fxp[0]: expected both 'client' and 'peer' address blocks");
    }

    @Test
    void bannerAndSystReplyAreRead() throws Exception {
        GatewayConfig c = load(LISTENER + "    banner: \"FTP service ready.\"\n    syst-reply: \"UNIX Type: L8\"\n");
        assertThat(c.listeners().get(0).banner()).isEqualTo("FTP service ready.");
        assertThat(c.listeners().get(0).systReply()).isEqualTo("UNIX Type: L8");
    }

    @Test
    void aBannerThatCouldBreakTheReplyFramingIsRefused() {
        assertThatThrownBy(() -> load(LISTENER + "    banner: \"ready\\r\\n230 logged in\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listeners[0].banner: expected one line of printable ASCII, 1-200 characters");
        assertThat(ConfigValues.replyText("  Welcome  ")).isEqualTo("Welcome");
    }
}
