package io.ftpgate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * ftpgate under test, as a separate process (so its RSS and file descriptors are its own): started from the
 * shaded jar, observed through /proc (Linux only, like the rest of the benchmark world).
 */
final class GatewayProcess implements AutoCloseable {

    final Process process;
    final InetSocketAddress listen;
    final int[] clientPorts;
    final int[] serverPorts;
    private final Path log;

    private GatewayProcess(Process process, InetSocketAddress listen, int[] clientPorts, int[] serverPorts, Path log) {
        this.process = process;
        this.listen = listen;
        this.clientPorts = clientPorts;
        this.serverPorts = serverPorts;
        this.log = log;
    }

    /**
     * Starts {@code java JVMOPTS -jar JAR run ...} in reverse placement in front of {@code upstream}, with
     * {@code --upstream-mode client} so the server side mixes modes as the clients do.
     */
    static GatewayProcess start(String jar, List<String> jvmOptions, InetSocketAddress listen,
            InetSocketAddress upstream, int[] clientPorts, int[] serverPorts) throws IOException, InterruptedException {
        // A configuration file, because the session limits (default 10,000 in all, 50 per client address) have
        // no flags, and every load-tool session comes from one address.
        Path config = Files.createTempFile("ftpgate-load-", ".yaml");
        Files.writeString(config, String.join("\n",
                "limits: { max-sessions: 1000000, max-sessions-per-client: 1000000 }",
                "listeners:",
                "  - name: load",
                "    listen: \"" + listen.getAddress().getHostAddress() + ":" + listen.getPort() + "\"",
                "    upstream: \"" + upstream.getAddress().getHostAddress() + ":" + upstream.getPort() + "\"",
                "    upstream-mode: client",
                "    client-data-ports: " + clientPorts[0] + "-" + clientPorts[1],
                "    server-data-ports: " + serverPorts[0] + "-" + serverPorts[1], ""));
        config.toFile().deleteOnExit();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar, "run", "--config", config.toString()));
        Path log = Files.createTempFile("ftpgate-load-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GatewayProcess g = new GatewayProcess(p, listen, clientPorts, serverPorts, log);
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket()) {
                s.connect(listen, 200);
                // A probe connection is a session; read its greeting so it ends cleanly.
                s.setSoTimeout(5000);
                InputStream in = s.getInputStream();
                while (in.read() != '\n') {
                    // greeting
                }
                s.getOutputStream().write("QUIT\r\n".getBytes());
                return g;
            } catch (IOException e) {
                if (!p.isAlive()) {
                    throw new IOException("ftpgate exited: " + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
        throw new IOException("ftpgate did not listen on " + listen);
    }

    long pid() {
        return process.pid();
    }

    /** Resident set size in KiB (VmRSS). */
    long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Open file descriptors. */
    int fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            return (int) s.count();
        }
    }

    /** Threads. */
    int threads() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
            return (int) s.count();
        }
    }

    /** The gateway's own listening sockets on a data port (pinholes still open). */
    List<Integer> openPinholes() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            s.forEach(fd -> {
                try {
                    String t = Files.readSymbolicLink(fd).toString();
                    if (t.startsWith("socket:[")) {
                        inodes.add(t.substring(8, t.length() - 1));
                    }
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            });
        }
        List<Integer> open = new ArrayList<>();
        for (String table : new String[] {"tcp", "tcp6"}) {
            Path p = Path.of("/proc", Long.toString(pid()), "net", table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !f[3].equals("0A") || !inodes.contains(f[9])) {
                    continue; // not LISTEN, or not ours
                }
                int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                if (in(port, clientPorts) || in(port, serverPorts)) {
                    open.add(port);
                }
            }
        }
        return open;
    }

    private static boolean in(int port, int[] range) {
        return port >= range[0] && port <= range[1];
    }

    String logTail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
    }
}
