package io.ftpgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftpgate.config.AdminConfig;
import io.ftpgate.config.ConfigException;
import io.ftpgate.config.ConfigLoader;
import io.ftpgate.net.HostAndPort;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ftpgate status}: what the live view shows, as tables in the terminal, read from a running gateway's
 * {@code /api/sessions}.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Prints a running gateway's sessions, open pinholes and last refusals, read from its admin"
                + " listener (/api/sessions).",
            "Give the admin address with --admin, or the configuration file with --config."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed", "1:the admin listener cannot be reached or refused the request",
            "2:usage or configuration error"})
final class StatusCommand implements Callable<Integer> {

    /** How long to wait for the admin listener: it answers from memory, so a slow answer means trouble. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Refusals printed: the newest ones (the live view keeps more). */
    static final int REFUSALS_SHOWN = 10;

    @Spec
    private CommandSpec spec;

    @Option(names = "--admin", paramLabel = "HOST:PORT", converter = AdminOptions.Listen.class,
            description = "The admin listener, e.g. 127.0.0.1:9121.")
    private HostAndPort admin;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "The admin token, when it needs one.")
    private String tokenFile;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Take the admin listener and its token file from this configuration.")
    private Path config;

    @Override
    public Integer call() throws ConfigException, Main.StartupException {
        AdminConfig fromFile = config == null ? null : ConfigLoader.load(config).admin();
        HostAndPort target = admin != null ? admin : fromFile == null ? null : fromFile.listen();
        if (target == null) {
            throw new ParameterException(spec.commandLine(), config == null ? "give --admin HOST:PORT or --config"
                    + " FILE" : config + " has no admin listener (admin.listen); give --admin HOST:PORT");
        }
        String tokenPath = tokenFile != null ? tokenFile : fromFile == null ? null : fromFile.tokenFile();
        JsonNode snap = fetch(target, tokenPath);
        PrintWriter out = spec.commandLine().getOut();
        print(snap, out);
        out.flush();
        return Main.OK;
    }

    private static JsonNode fetch(HostAndPort target, String tokenPath) throws Main.StartupException {
        String host = connectHost(target.host());
        URI uri = URI.create("http://" + new HostAndPort(host, target.port()) + "/api/sessions");
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET();
        if (tokenPath != null) {
            try {
                String token = Files.readString(Path.of(tokenPath), StandardCharsets.UTF_8).lines().findFirst()
                        .orElse("").trim();
                req.header("Authorization", "Bearer " + token);
            } catch (IOException | RuntimeException e) {
                throw new Main.StartupException("cannot read admin token file '" + tokenPath + "': "
                        + e.getMessage());
            }
        }
        HttpResponse<String> res;
        try {
            res = HttpClient.newBuilder().connectTimeout(TIMEOUT).build().send(req.build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Main.StartupException("cannot reach the admin listener at " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Main.StartupException("interrupted");
        }
        if (res.statusCode() != 200) {
            throw new Main.StartupException("the admin listener at " + uri + " answered " + res.statusCode()
                    + (res.statusCode() == 401 ? " (give the admin token with --admin-token-file)" : ""));
        }
        try {
            return new ObjectMapper().readTree(res.body());
        } catch (IOException e) {
            throw new Main.StartupException("the admin listener at " + uri + " sent no JSON: " + e.getMessage());
        }
    }

    /** A wildcard listen address is reached through loopback. */
    private static String connectHost(String host) {
        return switch (host) {
            case "0.0.0.0", "localhost" -> "127.0.0.1";
            case "::", "[::]" -> "::1";
            default -> host;
        };
    }

    /** The tables, in the order of the live view. */
    static void print(JsonNode snap, PrintWriter out) {
        JsonNode t = snap.path("totals");
        out.printf("sessions now %d; since start: %d sessions, %d transfers, %s, %d refusals%n",
                snap.path("sessions").size(), t.path("sessions").asLong(), t.path("transfers").asLong(),
                bytes(t.path("bytes").asLong()), t.path("refusals").asLong());
        out.println();
        List<String[]> rows = new ArrayList<>();
        for (JsonNode s : snap.path("sessions")) {
            rows.add(new String[] {s.path("id").asText(), s.path("listener").asText(), s.path("client").asText(),
                text(s, "user"), text(s, "destination"), tls(s), s.path("state").asText(),
                s.path("transfers").asText(), bytes(s.path("bytesFromClient").asLong()),
                bytes(s.path("bytesFromServer").asLong()), age(s.path("ageSeconds").asLong())});
        }
        Table.print(out, new String[] {"SESSION", "LISTENER", "CLIENT", "USER", "DESTINATION", "TLS", "STATE",
            "TRANSFERS", "UP", "DOWN", "AGE"}, rows, "no sessions");
        out.println();
        rows = new ArrayList<>();
        for (JsonNode p : snap.path("pinholes")) {
            rows.add(new String[] {p.path("session").asText(), p.path("side").asText(), p.path("port").asText(),
                "client".equals(p.path("side").asText()) ? p.path("client").asText() : "server"});
        }
        Table.print(out, new String[] {"PINHOLE OF", "SIDE", "PORT", "PEER"}, rows, "no open pinholes");
        out.println();
        rows = new ArrayList<>();
        for (JsonNode r : snap.path("refusals")) {
            if (rows.size() == REFUSALS_SHOWN) {
                break;
            }
            rows.add(new String[] {r.path("client").asText(), r.path("reason").asText(), text(r, "input"),
                text(r, "reply")});
        }
        Table.print(out, new String[] {"REFUSED CLIENT", "REASON", "INPUT", "REPLY"}, rows, "no refusals");
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? "-" : v.asText();
    }

    /** As the page shows it: {@code client TLSv1.3, server TLSv1.2}, or {@code -} in clear. */
    private static String tls(JsonNode s) {
        List<String> sides = new ArrayList<>();
        for (String side : List.of("client", "server")) {
            String v = text(s, "tls" + Character.toUpperCase(side.charAt(0)) + side.substring(1));
            if (!v.equals("-")) {
                sides.add(side + " " + v);
            }
        }
        return sides.isEmpty() ? "-" : String.join(", ", sides);
    }

    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? n + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[i]);
    }

    static String age(long seconds) {
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        return (h > 0 ? h + "h" : "") + (h > 0 || m > 0 ? m + "m" : "") + s + "s";
    }

    /** Plain text tables: columns as wide as their widest cell. */
    static final class Table {
        private Table() {
        }

        static void print(PrintWriter out, String[] head, List<String[]> rows, String empty) {
            int[] w = new int[head.length];
            for (int i = 0; i < head.length; i++) {
                w[i] = head[i].length();
            }
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    w[i] = Math.max(w[i], r[i].length());
                }
            }
            line(out, head, w);
            if (rows.isEmpty()) {
                out.println("(" + empty + ")");
            }
            for (String[] r : rows) {
                line(out, r, w);
            }
        }

        private static void line(PrintWriter out, String[] cells, int[] w) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                sb.append(i == cells.length - 1 ? cells[i] : String.format("%-" + w[i] + "s  ", cells[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
