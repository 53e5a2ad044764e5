package io.ftpgate.auditor.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftpgate.cli.AuditCommand;
import io.ftpgate.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ftpgate audit} from the command line: exit codes, stdout, stderr, JSON. */
class AuditCommandIT {

    @TempDir
    Path root;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int audit(String... args) {
        CommandLine cl = new CommandLine(new AuditCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void connectionRefusedCannotBeAudited() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThat(audit("127.0.0.1:" + port, "--timeout", "2")).isEqualTo(2);
        assertThat(err.toString()).startsWith("ftpgate audit: could not audit: cannot connect to 127.0.0.1:" + port)
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void jsonReportOfABounceCapableServerExitsOne() throws Exception {
        try (MinaServer mina = MinaServer.options().ipChecks(false).start(root)) {
            assertThat(audit("127.0.0.1:" + mina.port(), "--anonymous", "--third-party", "127.0.0.2", "--json",
                    "--timeout", "2")).isEqualTo(1);
            JsonNode doc = new ObjectMapper().readTree(out.toString());
            assertThat(doc.get("exit-code").asInt()).isEqualTo(1);
            assertThat(doc.get("third-party").asText()).isEqualTo("127.0.0.2");
            JsonNode bounce = null;
            for (JsonNode f : doc.get("findings")) {
                if (f.get("check").asText().equals("bounce-port")) {
                    bounce = f;
                }
            }
            assertThat(bounce).isNotNull();
            assertThat(bounce.get("severity").asText()).isEqualTo("high");
            assertThat(bounce.get("verdict").asText()).startsWith("category 1");
            assertThat(bounce.get("evidence").get(0).get("sent").asText()).startsWith("PORT 127,0,0,2,");
            assertThat(bounce.get("meaning").asText()).contains("category 1");
            assertThat(bounce.get("fix").asText()).contains("port_promiscuous=NO");
        }
    }

    @Test
    void tableOfASafeServerExitsZeroWithoutColour() throws Exception {
        try (MinaServer mina = MinaServer.options().start(root)) {
            assertThat(audit("127.0.0.1:" + mina.port(), "--timeout", "2")).isEqualTo(0);
            assertThat(out.toString()).contains("SEVERITY  CHECK").contains("category 2")
                    .contains("exit code 0").doesNotContain("\u001b[");
            assertThat(err.toString()).isEmpty();
        }
    }

    @Test
    void refusedLoginPrintsWhatItCouldAndExitsTwo() throws Exception {
        try (MinaServer mina = MinaServer.options().start(root)) {
            assertThat(audit("127.0.0.1:" + mina.port(), "--user", MinaServer.WRITER, "--password",
                    "not-the-password", "--timeout", "2")).isEqualTo(2);
            assertThat(err.toString()).contains("login as writer refused: 530");
            assertThat(out.toString()).contains("anonymous-login").doesNotContain("bounce-port")
                    .doesNotContain("not-the-password");
        }
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(audit("127.0.0.1:21", "--timeout", "0")).isEqualTo(2);
        assertThat(audit("127.0.0.1:21", "--third-party", "not-an-address")).isEqualTo(2);
        assertThat(audit("127.0.0.1:21", "--anonymous", "--user", "u", "--password", "p")).isEqualTo(2);
        assertThat(audit("127.0.0.1:21", "--implicit-port", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--timeout").contains("--third-party").contains("--implicit-port");
    }

    @Test
    void registeredInMain() {
        assertThat(Main.run("audit", "--help")).isEqualTo(0);
    }
}
