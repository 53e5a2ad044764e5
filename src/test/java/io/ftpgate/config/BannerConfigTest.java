package io.ftpgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BannerConfigTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String yaml) throws Exception {
        Path f = dir.resolve("ftpgate.yaml");
        Files.writeString(f, yaml);
        return ConfigLoader.load(f);
    }

    @Test
    void bannerAndSystReplyAreRead() throws Exception {
        GatewayConfig c = load("listeners:\n  - listen: 127.0.0.1:2121\n    upstream: 192.0.2.10:21\n"
                + "    banner: \"FTP service ready.\"\n    syst-reply: \"UNIX Type: L8\"\n");
        assertThat(c.listeners().get(0).banner()).isEqualTo("FTP service ready.");
        assertThat(c.listeners().get(0).systReply()).isEqualTo("UNIX Type: L8");
    }

    @Test
    void aBannerThatCouldBreakTheReplyFramingIsRefused() {
        assertThatThrownBy(() -> load("listeners:\n  - listen: 127.0.0.1:2121\n    upstream: 192.0.2.10:21\n"
                + "    banner: \"ready\\r\\n230 logged in\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listeners[0].banner: expected one line of printable ASCII, 1-200 characters");
        assertThat(ConfigValues.replyText("  Welcome  ")).isEqualTo("Welcome");
    }
}
