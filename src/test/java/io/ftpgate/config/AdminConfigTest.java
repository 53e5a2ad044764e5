package io.ftpgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.net.HostAndPort;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code admin} section: off by default, loopback without a token, anything else only with one. */
class AdminConfigTest {

    private static final String LISTENER = "listeners:\n  - listen: 127.0.0.1:2121\n    upstream: 192.0.2.10:21\n";

    @TempDir
    Path dir;

    private GatewayConfig load(String yaml) throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve("ftpgate.yaml"), yaml));
    }

    private String error(String yaml) {
        String message = assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).actual()
                .getMessage();
        return message.replace(dir + "/", "");
    }

    @Test
    void offUnlessConfigured() throws Exception {
        assertThat(load(LISTENER).admin()).isNull();
    }

    @Test
    void loopbackNeedsNoToken() throws Exception {
        AdminConfig a = load(LISTENER + "admin:\n  listen: 127.0.0.1:9121\n").admin();
        assertThat(a.listen()).isEqualTo(new HostAndPort("127.0.0.1", 9121));
        assertThat(a.tokenFile()).isNull();
        assertThat(a.loopback()).isTrue();
        assertThat(load(LISTENER + "admin: {listen: \"[::1]:9121\"}\n").admin().loopback()).isTrue();
        assertThat(load(LISTENER + "admin: {listen: \"localhost:9121\"}\n").admin().loopback()).isTrue();
    }

    @Test
    void beyondLoopbackATokenFileIsRequired() throws Exception {
        assertThat(error(LISTENER + "admin:\n  listen: 0.0.0.0:9121\n")).isEqualTo("ftpgate.yaml:5:11: admin.listen:"
                + " admin listen address 0.0.0.0:9121 is not a loopback address; set an admin token file"
                + " (--admin-token-file or admin.token-file) or listen on 127.0.0.1");
        AdminConfig a = load(LISTENER + "admin:\n  listen: 192.0.2.1:9121\n  token-file: /etc/ftpgate/admin-token\n")
                .admin();
        assertThat(a.tokenFile()).isEqualTo("/etc/ftpgate/admin-token");
        assertThat(a.problem()).isNull();
    }

    @Test
    void badValuesAreNamed() {
        assertThat(error(LISTENER + "admin:\n  listen: admin.example:9121\n")).isEqualTo("ftpgate.yaml:5:11:"
                + " admin.listen: expected HOST:PORT with an IP address such as 127.0.0.1:9121, got"
                + " 'admin.example:9121'");
        assertThat(error(LISTENER + "admin:\n  token-file: /x\n")).isEqualTo("ftpgate.yaml:5:3: admin.listen:"
                + " missing; expected HOST:PORT such as 127.0.0.1:9121");
        assertThat(error(LISTENER + "admin:\n  listen: 127.0.0.1:9121\n  tokn-file: /x\n"))
                .startsWith("ftpgate.yaml:6:3: admin.tokn-file: unknown key; did you mean 'token-file'?");
    }
}
