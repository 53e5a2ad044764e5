package io.ftpgate.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Commands for the namespace ITs (transparent placement, kernel data path): run one to its end, inside a
 * network namespace ({@code ip netns exec}) or not, or start a long-running one with its output in a file;
 * ftpgate itself as a command on this JVM's class path; polling for the world's readiness. Standard error of
 * a finished command goes through a file in {@code dir}, so a command writing much to both never blocks.
 */
public final class NetnsProcesses {

    /** How long {@link #waitFor} polls before it fails. */
    public static final long WAIT_MS = 20_000;

    private final Path dir;

    public NetnsProcesses(Path dir) {
        this.dir = dir;
    }

    /** A finished command: exit code (-1: killed after its time), standard output (bytes and text), standard error. */
    public record Proc(int exit, byte[] bytes, String out, String err) {
    }

    /** A readiness condition. */
    public interface Check {
        boolean ok() throws Exception;
    }

    /** Runs {@code command} in {@code namespace} for at most {@code seconds}. */
    public Proc ns(int seconds, String namespace, String... command) throws Exception {
        return run(seconds, inNamespace(namespace, List.of(command)).toArray(String[]::new));
    }

    /** Starts {@code command} in {@code namespace}, standard output and error to {@code log}. */
    public Process start(String namespace, Path log, String... command) throws IOException {
        return new ProcessBuilder(inNamespace(namespace, List.of(command))).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /** Runs {@code command} (no namespace) for at most {@code seconds}; its standard input is closed. */
    public Proc run(int seconds, String... command) throws Exception {
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new Proc(p.isAlive() ? -1 : p.exitValue(), out, new String(out, StandardCharsets.UTF_8),
                Files.readString(err));
    }

    /** {@code ftpgate ARGS} as a command: this JVM's java with the test class path. */
    public static List<String> ftpgate(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "io.ftpgate.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code ip netns exec NAMESPACE COMMAND...}. */
    public static List<String> inNamespace(String namespace, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/ip", "netns", "exec", namespace));
        cmd.addAll(command);
        return cmd;
    }

    /** Polls {@code check} until true; a condition of the world's readiness, never a speed assertion. */
    public static void waitFor(Check check, String what) throws Exception {
        waitFor(check, what, WAIT_MS);
    }

    /** As {@link #waitFor(Check, String)}, for at most {@code millis}: a bound the feature itself promises. */
    public static void waitFor(Check check, String what, long millis) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!check.ok()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** The file or bytes' SHA-256, in hex. */
    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes {@code tree} and everything below it (test scratch folders). */
    public static void deleteTree(Path tree) throws IOException {
        if (tree != null) {
            try (var files = Files.walk(tree)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
