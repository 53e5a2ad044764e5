package io.ftpgate.auditor.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real FTP server run as a child process (pyftpdlib, vsftpd) on 127.0.0.1, stopped on close. Used by the
 * auditor's tests and by the gateway's (io.ftpgate.it, io.ftpgate.it.ftps), which also check for real FTPS
 * clients (lftp) with {@link #require}.
 *
 * <p>A server that is not installed is reported with what to install. CI installs both and sets
 * {@value #REQUIRE_PEERS}=1, which turns a missing server into a failure, so CI can never pass by skipping.
 * Elsewhere (the README's fresh machine with only a JDK and Maven) those tests are skipped with the reason.
 */
public final class ExternalServer implements AutoCloseable {

    /** How long a server may take to start listening. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Process process;
    private final int port;

    private ExternalServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public int port() {
        return port;
    }

    /** Environment variable that makes a missing peer server a failure instead of a skip (set by .ci/run). */
    public static final String REQUIRE_PEERS = "FTPGATE_REQUIRE_PEERS";

    /** Stops the test unless {@code executable} exists, naming the Debian package to install. */
    public static void require(Path executable, String debianPackage) {
        if (!Files.isExecutable(executable)) {
            missing(executable + " not found: install it with 'apt-get install -y " + debianPackage + "' (.ci/run"
                    + " does this in CI)");
        }
    }

    /** Fails (in CI, with {@value #REQUIRE_PEERS}=1) or skips the current test, with the reason. */
    public static void missing(String reason) {
        if ("1".equals(System.getenv(REQUIRE_PEERS))) {
            fail(reason);
        }
        org.junit.jupiter.api.Assumptions.abort(reason + "; skipped (set " + REQUIRE_PEERS + "=1 to fail instead)");
    }

    /** A TCP port that was free a moment ago, for servers that cannot be told to pick one (vsftpd). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts {@code command}, with its output in {@code log}, and waits until 127.0.0.1:{@code port} accepts a
     * connection; fails with the log when it exits or does not listen in time.
     */
    public static ExternalServer start(List<String> command, int port, Path log) throws Exception {
        Process p = spawn(command, log);
        return awaitListening(p, port, command.get(0), log);
    }

    /**
     * Starts {@code command}, which prints the port it listens on as its first line of output (or a line
     * starting {@code MISSING} when a dependency is absent, failing with {@code missingHint}).
     */
    public static ExternalServer startPrintingPort(List<String> command, Path log, String missingHint) throws Exception {
        Process p = spawn(command, log);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String out = Files.readString(log);
            int nl = out.indexOf('\n');
            if (nl > 0) {
                String first = out.substring(0, nl).trim();
                if (first.matches("[0-9]{1,5}")) {
                    return awaitListening(p, Integer.parseInt(first), command.get(0), log);
                }
                p.destroyForcibly();
                if (first.startsWith("MISSING")) {
                    missing(missingHint + " (" + first + ")");
                }
                fail("unexpected output: " + out);
            }
            exitedEarly(p, command.get(0), log);
            Thread.sleep(POLL.toMillis());
        }
        p.destroyForcibly();
        return fail(command + " printed no port within " + START_TIMEOUT + ": " + Files.readString(log));
    }

    private static Process spawn(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static ExternalServer awaitListening(Process p, int port, String name, Path log) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            exitedEarly(p, name, log);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), (int) POLL.toMillis());
                return new ExternalServer(p, port);
            } catch (IOException e) {
                Thread.sleep(POLL.toMillis());
            }
        }
        p.destroyForcibly();
        return fail(name + " did not listen on 127.0.0.1:" + port + " within " + START_TIMEOUT + ": "
                + Files.readString(log));
    }

    private static void exitedEarly(Process p, String name, Path log) throws IOException {
        if (!p.isAlive()) {
            fail(name + " exited with " + p.exitValue() + ": " + Files.readString(log));
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
