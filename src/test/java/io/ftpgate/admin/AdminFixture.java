package io.ftpgate.admin;

import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.control.Gateway;
import io.ftpgate.it.GatewayFixture;
import io.ftpgate.net.HostAndPort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real gateway in front of the demo's Apache MINA FtpServer, with an admin listener on the same event bus as
 * its recording audit log, and plain HTTP (the JDK's client) to talk to the admin listener.
 */
public final class AdminFixture implements AutoCloseable {

    /** A password that must never show up on the admin listener. */
    public static final String SECRET = "pw-must-never-show-42";
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

    public final DemoUpstream upstream = new DemoUpstream();
    public final GatewayFixture gw;
    public final AdminServer admin;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

    /** {@code tokenFile}: null for a tokenless loopback admin listener. */
    public AdminFixture(Path root, String tokenFile, int clientDataLow) throws Exception {
        Files.createDirectories(root.resolve(DemoUpstream.UPLOAD_DIR));
        int port = upstream.start(root, true, "127.0.0.1");
        AtomicReference<Gateway> running = new AtomicReference<>();
        AtomicReference<AdminServer> started = new AtomicReference<>();
        gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", port).dataPorts(clientDataLow,
                clientDataLow + 1000).beforeStart(bus -> {
                    try {
                        started.set(AdminServer.start(new HostAndPort("127.0.0.1", 0), tokenFile, bus,
                                id -> running.get().endSession(id), "test"));
                    } catch (AdminStartException e) {
                        throw new IllegalStateException(e);
                    }
                }).start();
        running.set(gw.gateway);
        admin = started.get();
    }

    public InetSocketAddress ftp() {
        return gw.address();
    }

    public String base() {
        return "http://127.0.0.1:" + admin.address().getPort();
    }

    HttpResponse<String> get(String path, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).GET(), headers);
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(base() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)), headers);
    }

    private HttpResponse<String> send(HttpRequest.Builder b, String... headers) {
        b.timeout(HTTP_TIMEOUT);
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The status code of {@code requestLine} sent with {@code Host: host} and {@code headers} over a plain socket
     * (the JDK's client will not send a Host of our choosing).
     */
    int rawStatus(String requestLine, String host, String... headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", admin.address().getPort())) {
            s.setSoTimeout((int) HTTP_TIMEOUT.toMillis());
            StringBuilder req = new StringBuilder(requestLine).append(" HTTP/1.1\r\nHost: ").append(host)
                    .append("\r\nConnection: close\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    /** Every sample of a {@code /metrics} text, keyed as printed: {@code name{label="v",...}}. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    /** The sum of every sample of metric {@code name} (all label values). */
    static double sum(Map<String, Double> samples, String name) {
        return samples.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    @Override
    public void close() {
        try {
            gw.close();
        } finally {
            admin.close();
            upstream.stop();
        }
    }
}
