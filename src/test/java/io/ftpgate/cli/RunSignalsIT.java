package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ftpgate run} as a real child process, driven by real signals (issue 11): SIGTERM and SIGINT end it
 * with exit code 0 (as {@code run --help} promises; the JVM's default was 143), and SIGHUP reopens the audit
 * log, so {@code mv audit.jsonl audit.jsonl.1; kill -HUP PID} rotates it without losing or repeating events.
 */
class RunSignalsIT {

    /** A JVM start on a loaded 2-core machine; generous, it only bounds a failure. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Short: a signal sent the moment "listening on" appears must find the handlers in place. */
    private static final Duration POLL = Duration.ofMillis(2);
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("admin listener on http://127\\.0\\.0\\.1:(\\d+)");
    private static final int SESSIONS_BEFORE = 5;
    private static final int SESSIONS_AFTER = 5;
    /** How long sessions run on each side of the SIGHUP. */
    private static final long TRAFFIC_MILLIS = 200;

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
                "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:" + upstreamPort, "--audit-log", audit.toString(),
                "--admin-listen", "127.0.0.1:0");
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
        assertThat(AuditFiles.read(audit)).as("the session still open was closed and recorded on the way out")
                .anyMatch(e -> "session-close".equals(e.get("event")) && "gateway-shutdown".equals(e.get("reason")));
    }

    @Test
    void sigintExitsZero() throws Exception {
        signal("INT");
        assertExitCode(0);
        assertThat(out()).contains("SIGINT received", "stopped");
    }

    /** SIGHUP the moment "listening on" appears: left to the JVM it would end the process (exit code 129). */
    @Test
    void sighupRightAfterStartReloadsAndKeepsServing() throws Exception {
        signal("HUP");
        awaitOutput(Pattern.compile("SIGHUP received"), STOP_TIMEOUT);
        session();
        gateway.destroy();
        assertExitCode(0);
    }

    /** The reload a SIGHUP makes is counted in the admin listener's metrics. */
    @Test
    void sighupCountsTheReloadInTheMetrics() throws Exception {
        int admin = Integer.parseInt(awaitOutput(ADMIN, START_TIMEOUT).group(1));
        signal("HUP");
        awaitOutput(Pattern.compile("configuration reloaded"), STOP_TIMEOUT);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics"))
                .timeout(STOP_TIMEOUT).build();
        // Counted just after the reload logs its line: scrape until it shows (bounded).
        long end = System.nanoTime() + STOP_TIMEOUT.toNanos();
        String metrics = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
        while (!metrics.contains("outcome=\"ok\"} 1.0") && System.nanoTime() < end) {
            Thread.sleep(POLL.toMillis());
            metrics = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
        }
        assertThat(metrics).contains("ftpgate_config_reloads_total{outcome=\"ok\"} 1.0",
                "ftpgate_config_reloads_total{outcome=\"rejected\"} 0.0");
        gateway.destroy();
        assertExitCode(0);
    }

    @Test
    void sighupReopensTheAuditLogWithoutLosingOrRepeatingEvents() throws Exception {
        List<Integer> before = sessions(SESSIONS_BEFORE);
        awaitEvents(audit, 2 * SESSIONS_BEFORE);  // session-open and session-close of each
        Path rotated = dir.resolve("audit.jsonl.1");
        Files.move(audit, rotated);

        // Sessions keep coming while the log is rotated: each must be recorded once, in one file or the other.
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> trafficFailure = new AtomicReference<>();
        List<Integer> during = Collections.synchronizedList(new ArrayList<>());
        Thread traffic = new Thread(() -> {
            try {
                while (running.get()) {
                    during.add(session());
                }
            } catch (IOException | RuntimeException | AssertionError e) {
                trafficFailure.set(e);
            }
        }, "traffic");
        traffic.start();
        Thread.sleep(TRAFFIC_MILLIS);
        signal("HUP");
        awaitOutput(Pattern.compile("audit log reopened"), STOP_TIMEOUT);
        assertThat(audit).as("a new audit log under the configured name").exists();
        Thread.sleep(TRAFFIC_MILLIS);
        running.set(false);
        traffic.join();
        assertThat(trafficFailure.get()).as("sessions during the rotation").isNull();
        List<Integer> after = sessions(SESSIONS_AFTER);

        gateway.destroy();
        assertExitCode(0);
        List<Map<String, Object>> old = AuditFiles.read(rotated);
        List<Map<String, Object>> fresh = AuditFiles.read(audit);
        assertThat(clients(old, "session-open")).as("sessions before the rotation, in the moved file")
                .containsAll(before);
        assertThat(clients(fresh, "session-open")).as("sessions after SIGHUP, in the new file").containsAll(after);
        List<Map<String, Object>> all = new ArrayList<>(old);
        all.addAll(fresh);
        int total = before.size() + during.size() + after.size();
        for (String type : List.of("session-open", "session-close")) {
            List<Object> ids = all.stream().filter(e -> type.equals(e.get("event"))).map(e -> e.get("session"))
                    .toList();
            assertThat(ids).as("%s events across both files (%d sessions)", type, total).hasSize(total)
                    .doesNotHaveDuplicates();
        }
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

    private List<Integer> sessions(int n) throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ports.add(session());
        }
        return ports;
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

    private void awaitEvents(Path file, int n) throws Exception {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readAllLines(file).size() >= n) {
                return;
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new AssertionError(n + " audit events expected in " + file + ":\n" + Files.readString(file));
    }

    /** The client ports of the events of one type ("client" is "127.0.0.1:port"). */
    private static List<Integer> clients(List<Map<String, Object>> events, String type) {
        return events.stream().filter(e -> type.equals(e.get("event")))
                .map(e -> String.valueOf(e.get("client")))
                .map(c -> Integer.parseInt(c.substring(c.lastIndexOf(':') + 1))).toList();
    }
}
