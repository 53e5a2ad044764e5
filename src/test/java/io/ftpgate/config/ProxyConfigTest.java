package io.ftpgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.proxy.ProxyVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PROXY protocol keys of a listener: read, and refused when they cannot work. */
class ProxyConfigTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String listener) throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve("ftpgate.yaml"),
                "listeners:\n  - listen: 127.0.0.1:2121\n    upstream: 127.0.0.1:21\n" + listener));
    }

    @Test
    void theKeysAreRead() throws Exception {
        ListenerProxy p = load("""
                    proxy-protocol: V2
                    proxy-protocol-from: [192.0.2.5, 198.51.100.0/24]
                    data-proxy-protocol: any
                    server-proxy-protocol: v1
                """).listeners().get(0).proxy();
        assertThat(p.in()).isEqualTo(ProxyVersion.V2);
        assertThat(p.from()).extracting(Object::toString).containsExactly("192.0.2.5", "198.51.100.0/24");
        assertThat(p.data()).isEqualTo(ProxyVersion.ANY);
        assertThat(p.server()).isEqualTo(ProxyVersion.V1);
        assertThat(load("").listeners().get(0).proxy()).isEqualTo(ListenerProxy.OFF);
    }

    @Test
    void aProxyListenerWithoutTrustedBalancersAndWrongWordsAreRefused() {
        assertThatThrownBy(() -> load("    proxy-protocol: v1\n")).hasMessage("ftpgate.yaml:4:5:"
                .replace("ftpgate.yaml", dir.resolve("ftpgate.yaml").toString()) + " listeners[0].proxy-protocol:"
                + " proxy-protocol v1 needs proxy-protocol-from: the balancers' address blocks (a header from anyone"
                + " else is refused, so without them every connection would be)");
        assertThatThrownBy(() -> load("    server-proxy-protocol: any\n    proxy-protocol: v3\n"))
                .hasMessageContaining("listeners[0].server-proxy-protocol: expected one of off, v1, v2, got 'any'")
                .hasMessageContaining("listeners[0].proxy-protocol: expected one of off, v1, v2, any, got 'v3'");
        assertThatThrownBy(() -> load("    proxy-protocol: v3\n    data-proxy-protocol: v2\n"))
                .hasMessageContaining("listeners[0].data-proxy-protocol: data-proxy-protocol v2 needs"
                        + " proxy-protocol-from");
        assertThatThrownBy(() -> load("    data-proxy-protocol: v2\n    proxy-protocol-from: [10.0.0.1/8]\n"))
                .hasMessageContaining("has host bits set; did you mean 10.0.0.0/8?");
    }
}
