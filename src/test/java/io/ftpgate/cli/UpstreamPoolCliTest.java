package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.policy.UpstreamPolicy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --upstream} repeated, {@code --upstream-policy}, and what check-config says of a pool. */
class UpstreamPoolCliTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private static GatewayConfig effective(String... args) throws Exception {
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args);
        RunCommand run = parsed.subcommand().commandSpec().commandLine().getCommand();
        return run.effectiveConfig();
    }

    @Test
    void repeatedUpstreamFlagsMakeAPool() throws Exception {
        ListenerConfig l = effective("run", "--listen", "127.0.0.1:2121", "--upstream", "10.0.0.5",
                "--upstream", "10.0.0.6:2121", "--upstream-policy", "least-sessions").listeners().get(0);
        assertThat(l.upstreams()).containsExactly(new HostAndPort("10.0.0.5", 21), new HostAndPort("10.0.0.6", 2121));
        assertThat(l.upstreamPolicy()).isEqualTo(UpstreamPolicy.LEAST_SESSIONS);
        ListenerConfig one = effective("run", "--upstream", "10.0.0.5").listeners().get(0);
        assertThat(one.upstreams()).containsExactly(new HostAndPort("10.0.0.5", 21));
        assertThat(one.upstreamPolicy()).isEqualTo(UpstreamPolicy.ROUND_ROBIN);
    }

    @Test
    void flagsOverrideTheFilesPool() throws Exception {
        Path f = Files.writeString(dir.resolve("pool.yaml"), "listeners:\n  - listen: 127.0.0.1:2121\n"
                + "    upstream: [10.0.0.5:21, 10.0.0.6:21]\n    upstream-policy: per-user\n");
        ListenerConfig kept = effective("run", "--config", f.toString()).listeners().get(0);
        assertThat(kept.upstreams()).hasSize(2);
        assertThat(kept.upstreamPolicy()).isEqualTo(UpstreamPolicy.PER_USER);
        ListenerConfig policy = effective("run", "--config", f.toString(), "--upstream-policy", "round-robin")
                .listeners().get(0);
        assertThat(policy.upstreams()).hasSize(2);
        assertThat(policy.upstreamPolicy()).isEqualTo(UpstreamPolicy.ROUND_ROBIN);
    }

    @Test
    void badPoolFlagsAreOneLineUsageErrors() {
        assertThat(run("run", "--upstream-policy", "random", "--upstream", "10.0.0.5")).isEqualTo(2);
        assertThat(err.toString()).contains("expected one of round-robin, least-sessions, per-user, got 'random'")
                .doesNotContain("Exception");
        err.getBuffer().setLength(0);
        assertThat(run("run", "--listen", "127.0.0.1:0", "--upstream-policy", "per-user")).isEqualTo(2);
        assertThat(err.toString()).contains("--upstream-policy applies only to reverse listeners; give the servers"
                + " with --upstream").doesNotContain("Exception");
        err.getBuffer().setLength(0);
        assertThat(run("run", "--listen", "127.0.0.1:0", "--upstream", "10.0.0.5", "--upstream", "10.0.0.5:21"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("names an upstream twice").doesNotContain("Exception");
    }

    @Test
    void checkConfigSummarisesThePool() throws Exception {
        Path f = Files.writeString(dir.resolve("pool.yaml"), "listeners:\n  - name: ftp\n    listen: 127.0.0.1:2121\n"
                + "    upstream: [10.0.0.5:21, 10.0.0.6:21]\n    upstream-policy: per-user\n"
                + "  - name: single\n    listen: 127.0.0.1:2122\n    upstream: 10.0.0.7:21\n");
        assertThat(run("check-config", f.toString())).isZero();
        assertThat(out.toString()).contains("listener 'ftp' (reverse): 127.0.0.1:2121 -> upstream pool 10.0.0.5:21,"
                + " 10.0.0.6:21 (per-user: the same user always reaches the same server; connected at USER; failover"
                + " at connect time, a failed server skipped for 10s)")
                .contains("listener 'single' (reverse): 127.0.0.1:2122 -> upstream 10.0.0.7:21");
    }
}
