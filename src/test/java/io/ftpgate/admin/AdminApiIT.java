package io.ftpgate.admin;

import static io.ftpgate.it.RecordingAuditSink.field;
import static io.ftpgate.it.RecordingAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftpgate.audit.AuditEvent;
import io.ftpgate.control.Gateway;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live view's JSON API, its event stream, ending a session, and who may use them: a real gateway in front
 * of Apache MINA FtpServer, Commons Net as the FTP client, the JDK's HTTP client toward the admin listener.
 */
class AdminApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path root;

    private static JsonNode session(AdminFixture f, String user) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            for (JsonNode s : JSON.readTree(f.get("/api/sessions").body()).path("sessions")) {
                if (user.equals(s.path("user").asText())) {
                    return s;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no session of " + user + " in " + f.get("/api/sessions").body());
    }

    @Test
    void aSessionIsListedWithoutItsPasswordAndEndedByAPost() throws Exception {
        try (AdminFixture f = new AdminFixture(root, null, 54100)) {
            FTPClient c = new FTPClient();
            c.setDefaultTimeout(10_000);
            c.connect(f.ftp().getAddress(), f.ftp().getPort());
            assertThat(c.login("anonymous", AdminFixture.SECRET)).isTrue();
            JsonNode s = session(f, "anonymous");
            assertThat(s.path("listener").asText()).isEqualTo("it");
            assertThat(s.path("state").asText()).isEqualTo("logged-in");
            assertThat(s.path("client").asText()).startsWith("127.0.0.1:");
            assertThat(s.path("destination").asText()).isEqualTo("127.0.0.1:" + f.upstream.port());
            String id = s.path("id").asText();
            assertThat(f.get("/api/sessions").body()).doesNotContain(AdminFixture.SECRET);

            // A POST without the CSRF header (what a form on another site could send) is refused and changes nothing.
            HttpResponse<String> forged = f.post("/api/sessions/" + id + "/end", "");
            assertThat(forged.statusCode()).isEqualTo(403);
            f.gw.audit.awaitRefused("admin-forbidden");
            assertThat(c.sendNoOp()).isTrue();
            HttpResponse<String> crossSite = f.post("/api/sessions/" + id + "/end", "", AdminAccess.CSRF_HEADER, "1",
                    "Origin", "http://attacker.example");
            assertThat(crossSite.statusCode()).isEqualTo(403);
            assertThat(c.sendNoOp()).isTrue();

            HttpResponse<String> ended = f.post("/api/sessions/" + id + "/end", "", AdminAccess.CSRF_HEADER, "1");
            assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
            AuditEvent close = f.gw.audit.awaitEvent(type("session-close").and(field("session", id)), WAIT);
            assertThat(close.get("reason")).isEqualTo(Gateway.ADMIN_ENDED);
            // The client was told why before the connection closed.
            assertThatThrownBy(c::noop).isInstanceOf(FTPConnectionClosedException.class);
            assertThat(c.getReplyString()).startsWith("421 Session ended by the administrator.");
            assertThat(f.post("/api/sessions/" + id + "/end", "", AdminAccess.CSRF_HEADER, "1").statusCode())
                    .isEqualTo(404);
            c.disconnect();
        }
    }

    @Test
    void theEventStreamCarriesTheSessionEvents() throws Exception {
        try (AdminFixture f = new AdminFixture(root, null, 54200)) {
            HttpResponse<InputStream> stream = f.http.send(HttpRequest.newBuilder(URI.create(f.base()
                    + "/api/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
            FTPClient c = new FTPClient();
            c.connect(f.ftp().getAddress(), f.ftp().getPort());
            assertThat(c.login("anonymous", AdminFixture.SECRET)).isTrue();
            c.logout();
            c.disconnect();
            List<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                    if (line.equals("event: closed")) {
                        lines.add(r.readLine());
                        break;
                    }
                }
            }
            assertThat(lines).contains("event: opened", "event: upstream-connected", "event: login", "event: closed");
            String login = lines.get(lines.indexOf("event: login") + 1);
            assertThat(login).startsWith("data: {\"type\":\"login\"").contains("\"user\":\"anonymous\"",
                    "\"outcome\":\"ok\"");
            assertThat(String.join("\n", lines)).doesNotContain(AdminFixture.SECRET);
        }
    }

    @Test
    void aForeignHostNameIsRefusedOnATokenlessListener() throws Exception {
        try (AdminFixture f = new AdminFixture(root, null, 54300)) {
            // DNS rebinding: a page of attacker.example whose name now resolves to 127.0.0.1.
            assertThat(f.rawStatus("GET /api/sessions", "attacker.example:" + f.admin.address().getPort()))
                    .isEqualTo(403);
            AuditEvent refused = f.gw.audit.awaitRefused("admin-forbidden");
            assertThat(refused.get("input")).isEqualTo("GET /api/sessions");
            assertThat(f.rawStatus("GET /api/sessions", "localhost:1")).isEqualTo(200);
            assertThat(f.rawStatus("GET /api/sessions", "[::1]:1")).isEqualTo(200);
        }
    }

    @Test
    void withATokenEveryRequestNeedsIt(@TempDir Path etc) throws Exception {
        String token = "0123456789abcdef0123456789abcdef";
        Path file = Files.writeString(etc.resolve("admin-token"), token + "\n");
        try (AdminFixture f = new AdminFixture(root, file.toString(), 54400)) {
            assertThat(f.get("/metrics").statusCode()).isEqualTo(401);
            AuditEvent refused = f.gw.audit.awaitRefused("admin-unauthorized");
            assertThat(refused.get("input")).isEqualTo("GET /metrics");
            assertThat(refused.get("reply")).isEqualTo(401);
            assertThat(f.get("/metrics", "Authorization", "Bearer wrong-token-wrong-token").statusCode())
                    .isEqualTo(401);
            assertThat(f.get("/metrics", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
            assertThat(f.get("/api/sessions", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);

            // A browser: the page answers with the login form; the right token sets an HttpOnly cookie.
            HttpResponse<String> page = f.get("/");
            assertThat(page.statusCode()).isEqualTo(401);
            assertThat(page.body()).contains("name=\"token\"").doesNotContain(token);
            assertThat(f.post("/login", "token=nope", "Content-Type", "application/x-www-form-urlencoded")
                    .statusCode()).isEqualTo(401);
            HttpResponse<String> login = f.post("/login", "token=" + token, "Content-Type",
                    "application/x-www-form-urlencoded");
            assertThat(login.statusCode()).isEqualTo(303);
            String cookie = login.headers().firstValue("set-cookie").orElseThrow();
            assertThat(cookie).containsIgnoringCase("HttpOnly").contains("SameSite=Strict");
            String pair = cookie.substring(0, cookie.indexOf(';'));
            HttpResponse<String> live = f.get("/", "Cookie", pair);
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).contains("ftpgate", "/live.js");
            // With a token, any Host will do (the token, not the name, is the proof).
            assertThat(f.rawStatus("GET /api/sessions", "gateway.example:9121", "Cookie: " + pair)).isEqualTo(200);
        }
    }
}
