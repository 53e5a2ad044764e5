package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The admin listener's flags on {@code run} and {@code demo}, and {@code status} without a gateway. */
class AdminCommandsTest {

    private final Cli cli = new Cli();
    private final StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void anAdminListenerBeyondLoopbackWithoutATokenDoesNotStart() {
        assertThat(run("run", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:21", "--admin-listen",
                "0.0.0.0:0")).isEqualTo(Main.USAGE);
        assertThat(err.toString().lines().findFirst().orElseThrow()).isEqualTo("ftpgate run: admin listen address"
                + " 0.0.0.0:0 is not a loopback address; set an admin token file (--admin-token-file or"
                + " admin.token-file) or listen on 127.0.0.1");
        assertThat(err.toString()).doesNotContain("\tat ");
    }

    @Test
    void badAdminFlagsAreUsageErrors() {
        assertThat(run("run", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:21", "--admin-listen",
                "admin.example:9121")).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("--admin-listen", "expected HOST:PORT with an IP address");
        err.getBuffer().setLength(0);
        assertThat(run("run", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:21", "--admin-token-file",
                "/etc/ftpgate/admin-token")).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("--admin-token-file needs an admin listener");
        err.getBuffer().setLength(0);
        assertThat(run("demo", "--admin-listen", "0.0.0.0:9121")).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("must be a loopback address");
    }

    @Test
    void statusNeedsAnAddressAndSaysWhenNothingAnswers() {
        assertThat(run("status")).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("give --admin HOST:PORT or --config FILE");
        err.getBuffer().setLength(0);
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        assertThat(run("status", "--admin", "127.0.0.1:1")).isEqualTo(Main.RUNTIME_FAILURE);
        assertThat(err.toString()).startsWith("ftpgate: cannot reach the admin listener at"
                + " http://127.0.0.1:1/api/sessions").doesNotContain("\tat ");
    }

    @Test
    void statusPrintsTheLiveViewAsTables() throws Exception {
        String json = """
                {"at":1800000000000,"sessions":[{"id":"5e1f","listener":"public","client":"198.51.100.7:40000",
                "user":"alice","destination":"192.0.2.10:21","tlsClient":"TLSv1.3","tlsServer":null,
                "state":"transfer RETR","transfers":3,"bytesFromClient":0,"bytesFromServer":3145728,"ageSeconds":75}],
                "pinholes":[{"session":"5e1f","client":"198.51.100.7:40000","side":"client","port":61000,
                "armedAt":1800000000000}],
                "refusals":[{"at":1800000000000,"session":"77","client":"203.0.113.9:5000",
                "reason":"port-foreign-address","side":null,"input":"PORT 10,0,0,1,0,80","reply":501,
                "enforced":true,"user":"bob"}],
                "totals":{"sessions":9,"transfers":12,"bytes":5242880,"refusals":1}}
                """;
        StringWriter text = new StringWriter();
        StatusCommand.print(new ObjectMapper().readTree(json), new PrintWriter(text, true));
        assertThat(text.toString()).isEqualTo("""
                sessions now 1; since start: 9 sessions, 12 transfers, 5.0 MiB, 1 refusals

                SESSION  LISTENER  CLIENT              USER   DESTINATION    TLS             STATE          TRANSFERS  UP   DOWN     AGE
                5e1f     public    198.51.100.7:40000  alice  192.0.2.10:21  client TLSv1.3  transfer RETR  3          0 B  3.0 MiB  1m15s

                PINHOLE OF  SIDE    PORT   PEER
                5e1f        client  61000  198.51.100.7:40000

                REFUSED CLIENT    REASON                INPUT               REPLY
                203.0.113.9:5000  port-foreign-address  PORT 10,0,0,1,0,80  501
                """);
    }
}
