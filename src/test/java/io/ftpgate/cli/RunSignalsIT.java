package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ftpgate run} as a real child process, driven by real signals (issue 11): SIGTERM and SIGINT end it
 * with exit code 0 (as {@code run --help} promises; the JVM's default was 143).
 */
class RunSignalsIT {

    /** A JVM start on a loaded 2-core machine; generous, it only bounds a failure. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    private final DemoUpstream upstream = new DemoUpstream();
    private Path audit;
    private Path output;
    private Process gateway;
    private int port;

    @BeforeEach
    void start() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        int upstreamPort = upstream.start(root, true, "127.0.0.1");
        audit = dir.resolve("audit.jsonl");
        output = dir.resolve("ftpgate.out");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run",
                "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:" + upstreamPort, "--audit-log", audit.toString());
        gateway = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        Matcher m = awaitOutput(LISTENING, START_TIMEOUT);
        port = Integer.parseInt(m.group(1));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway.isAlive()) {
            gateway.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        upstream.stop();
    }

    @Test
    void sigtermAfterServingExitsZero() throws Exception {
        session();
        try (Socket open = new Socket("127.0.0.1", port)) {
            open.setSoTimeout(10_000);
            assertThat(readLine(open.getInputStream())).startsWith("220");
            gateway.destroy();  // SIGTERM on Linux, as systemctl stop sends it
            assertExitCode(0);
        }
        assertThat(out()).contains("SIGTERM received", "stopped").doesNotContain("\tat ");
        assertThat(events(audit)).as("the session still open was closed and recorded on the way out")
                .anyMatch(e -> "session-close".equals(e.get("event")) && "gateway-shutdown".equals(e.get("reason")));
    }

    @Test
    void sigintExitsZero() throws Exception {
        signal("INT");
        assertExitCode(0);
        assertThat(out()).contains("SIGINT received", "stopped");
    }

    /** One FTP session through the gateway: greeting, QUIT, close. Returns the client's port, as audited. */
    private int session() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            String greeting = readLine(in);
            assertThat(greeting).startsWith("220");
            s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            while (in.read() >= 0) {
                // 221, then the gateway closes
            }
            return s.getLocalPort();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            sb.append((char) c);
        }
        return sb.toString().strip();
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(gateway.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s", name).isTrue();
    }

    private void assertExitCode(int expected) throws Exception {
        assertThat(gateway.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exited; output:%n%s", out())
                .isTrue();
        assertThat(gateway.exitValue()).as("exit code; output:%n%s", out()).isEqualTo(expected);
    }

    private String out() throws IOException {
        return Files.readString(output);
    }

    private Matcher awaitOutput(Pattern p, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = p.matcher(out());
            if (m.find()) {
                return m;
            }
            if (!gateway.isAlive()) {
                break;
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new AssertionError("no '" + p + "' in the output of ftpgate run:\n" + out());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> events(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            events.add(json.readValue(line, Map.class));
        }
        return events;
    }
}
