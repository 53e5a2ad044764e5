package io.ftpgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A listener's {@code data-path}: read, relay by default, and refused where it cannot work. */
class DataPathConfigTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String text) throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve("ftpgate.yaml"), text));
    }

    @Test
    void relayUnlessTheListenerSaysKernel() throws Exception {
        GatewayConfig c = load("listeners:\n  - listen: 127.0.0.1:2121\n    upstream: 127.0.0.1:21\n"
                + "    data-path: Kernel\n  - listen: 127.0.0.1:2122\n    upstream: 127.0.0.1:21\n");
        assertThat(c.listeners()).extracting(ListenerConfig::dataPath)
                .containsExactly(DataPathMode.KERNEL, DataPathMode.RELAY);
        assertThat(c.listeners().get(0).toBuilder().build().dataPath()).isEqualTo(DataPathMode.KERNEL);
    }

    @Test
    void anUnknownPathAndTheKernelPathInTransparentPlacementAreRefusedInOneLine() {
        assertThatThrownBy(() -> load("listeners:\n  - listen: 127.0.0.1:2121\n    upstream: 127.0.0.1:21\n"
                + "    data-path: splice\n"))
                .hasMessageEndingWith("ftpgate.yaml:4:16: listeners[0].data-path: expected one of relay, kernel,"
                        + " got 'splice'");
        assertThatThrownBy(() -> load("listeners:\n  - listen: 127.0.0.1:2121\n    placement: transparent\n"
                + "    data-path: kernel\n"))
                .hasMessageContaining("data-path kernel does not work with placement transparent");
    }
}
