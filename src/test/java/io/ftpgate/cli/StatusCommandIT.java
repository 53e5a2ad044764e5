package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.admin.AdminFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ftpgate status} against a running gateway's admin listener (with a token), a session logged in. */
class StatusCommandIT {

    @TempDir
    Path dir;

    @Test
    void printsTheSessionsOfARunningGateway() throws Exception {
        Path token = Files.writeString(dir.resolve("admin-token"), "fedcba9876543210fedcba9876543210\n");
        Path root = Files.createDirectories(dir.resolve("root"));
        try (AdminFixture f = new AdminFixture(root, token.toString(), 54600)) {
            FTPClient c = new FTPClient();
            c.connect(f.ftp().getAddress(), f.ftp().getPort());
            assertThat(c.login("anonymous", AdminFixture.SECRET)).isTrue();
            String admin = "127.0.0.1:" + f.admin.address().getPort();

            Cli cli = new Cli();
            assertThat(cli.run("status", "--admin", admin)).isEqualTo(Main.RUNTIME_FAILURE);
            assertThat(cli.err.toString()).contains("answered 401 (give the admin token with --admin-token-file)");

            assertThat(cli.run("status", "--admin", admin, "--admin-token-file", token.toString()))
                    .as(cli.err.toString()).isZero();
            assertThat(cli.out.toString()).startsWith("sessions now 1;")
                    .containsPattern("SESSION +LISTENER +CLIENT +USER").contains(" it  ", "anonymous", "logged-in",
                            "127.0.0.1:" + f.upstream.port())
                    .doesNotContain(AdminFixture.SECRET);
            c.logout();
            c.disconnect();
        }
    }
}
