package io.ftpgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.net.HostAndPort;
import io.ftpgate.policy.Placement;
import io.ftpgate.policy.UpstreamPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code upstream} as one server or a list, and {@code upstream-policy}, as the loader reads and checks them. */
class UpstreamPoolConfigTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String yaml) throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve("ftpgate.yaml"), yaml));
    }

    private String error(String yaml) throws IOException {
        try {
            load(yaml);
        } catch (ConfigException e) {
            return e.getMessage().replace(dir.toString() + "/", "");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void aListIsAPoolAndOneValueStaysOneServer() throws Exception {
        GatewayConfig c = load("""
                listeners:
                  - name: pool
                    listen: 127.0.0.1:2121
                    upstream: ["10.0.0.5:21", "10.0.0.6", "ftp3.example.net:2121"]
                    upstream-policy: per-user
                  - name: one
                    listen: 127.0.0.1:2122
                    upstream: 10.0.0.7:21
                """);
        ListenerConfig pool = c.listeners().get(0);
        assertThat(pool.upstreams()).containsExactly(new HostAndPort("10.0.0.5", 21), new HostAndPort("10.0.0.6", 21),
                new HostAndPort("ftp3.example.net", 2121));
        assertThat(pool.upstreamPolicy()).isEqualTo(UpstreamPolicy.PER_USER);
        assertThat(pool.placement()).isEqualTo(Placement.REVERSE);
        ListenerConfig one = c.listeners().get(1);
        assertThat(one.upstreams()).containsExactly(new HostAndPort("10.0.0.7", 21));
        assertThat(one.upstream()).isEqualTo(new HostAndPort("10.0.0.7", 21));
        assertThat(one.upstreamPolicy()).isEqualTo(UpstreamPolicy.ROUND_ROBIN);
        assertThat(one.toBuilder().build()).isEqualTo(one);
        assertThat(pool.toBuilder().build()).isEqualTo(pool);
    }

    @Test
    void problemsNameTheKeyAndTheItem() throws Exception {
        String l0 = "listeners:\n  - listen: 0.0.0.0:21\n";
        assertThat(error(l0 + "    upstream: [10.0.0.5:21, 10.0.0.6:21, 10.0.0.5:21]\n"))
                .isEqualTo("ftpgate.yaml:3:42: listeners[0].upstream[2]: 10.0.0.5:21 is listed twice");
        assertThat(error(l0 + "    upstream: []\n")).isEqualTo(
                "ftpgate.yaml:3:15: listeners[0].upstream: expected at least one HOST:PORT address, got an empty list");
        assertThat(error(l0 + "    upstream: [10.0.0.5:21, 10.0.0.6:0]\n")).isEqualTo("ftpgate.yaml:3:29:"
                + " listeners[0].upstream[1]: expected HOST:PORT such as 192.0.2.10:21 or [2001:db8::10]:21, got"
                + " '10.0.0.6:0' (an upstream port must be 1-65535)");
        assertThat(error(l0 + "    upstream: 10.0.0.5:21\n    upstream-policy: random\n")).isEqualTo(
                "ftpgate.yaml:4:22: listeners[0].upstream-policy: expected one of round-robin, least-sessions,"
                + " per-user, got 'random'");
        assertThat(error(l0 + "    upstream-policy: per-user\n")).isEqualTo("ftpgate.yaml:3:5:"
                + " listeners[0].upstream-policy: applies only to reverse listeners; add 'upstream' with the servers"
                + " to choose among");
    }
}
