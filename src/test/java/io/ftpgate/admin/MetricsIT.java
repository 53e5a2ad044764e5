package io.ftpgate.admin;

import static io.ftpgate.it.RecordingAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.it.Bytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} against the audit log: transfers (both passive and active, up and down), a failed login and
 * refusals go through a real gateway in front of Apache MINA FtpServer with Commons Net as the client; the
 * counters scraped over HTTP must equal what the audit lines of the same run say.
 */
class MetricsIT {

    private static final int SIZE = 300_000;

    @TempDir
    Path root;

    private static FTPClient login(AdminFixture f, String user, String password) throws Exception {
        FTPClient c = new FTPClient();
        c.setDefaultTimeout(10_000);
        c.connect(f.ftp().getAddress(), f.ftp().getPort());
        c.login(user, password);
        c.setFileType(FTP.BINARY_FILE_TYPE);
        return c;
    }

    private static byte[] retrieve(FTPClient c, String path) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(c.retrieveFile(path, out)).as(c.getReplyString()).isTrue();
        return out.toByteArray();
    }

    @Test
    void countersEqualTheAuditLines() throws Exception {
        byte[] data = Bytes.random(15, SIZE);
        Files.writeString(root.resolve("readme.txt"), "read me\n");
        try (AdminFixture f = new AdminFixture(root, null, 54000)) {
            FTPClient demo = login(f, DemoUpstream.DEMO_USER, DemoUpstream.DEMO_PASSWORD);
            demo.enterLocalPassiveMode();
            assertThat(demo.storeFile("/upload/a.bin", new ByteArrayInputStream(data))).isTrue();
            assertThat(Bytes.sha256(retrieve(demo, "/upload/a.bin"))).isEqualTo(Bytes.sha256(data));
            assertThat(demo.listFiles("/upload")).extracting(x -> x.getName()).contains("a.bin");
            demo.enterLocalActiveMode();
            assertThat(Bytes.sha256(retrieve(demo, "/upload/a.bin"))).isEqualTo(Bytes.sha256(data));
            // Refusals: a bounce attempt (PORT naming another address) and a verb ftpgate does not relay.
            assertThat(demo.sendCommand("PORT", "127,0,0,2,195,80")).isEqualTo(501);
            assertThat(demo.sendCommand("XYZZ")).isEqualTo(502);
            demo.logout();
            demo.disconnect();

            FTPClient anonymous = login(f, "anonymous", AdminFixture.SECRET);
            anonymous.enterLocalPassiveMode();
            assertThat(new String(retrieve(anonymous, "/readme.txt"), StandardCharsets.US_ASCII))
                    .isEqualTo("read me\n");
            anonymous.logout();
            anonymous.disconnect();

            FTPClient wrong = new FTPClient();
            wrong.connect(f.ftp().getAddress(), f.ftp().getPort());
            assertThat(wrong.login(DemoUpstream.DEMO_USER, "not-the-password")).isFalse();
            wrong.logout();
            wrong.disconnect();

            Map<String, Double> m = scrapeWhenClosed(f, 3);
            List<AuditEvent> audit = f.gw.audit.events();

            assertThat(m.get("ftpgate_sessions_total{listener=\"it\"}"))
                    .isEqualTo(count(audit, "session-open"));
            countBy(audit, "session-close", e -> "ftpgate_sessions_closed_total{listener=\"it\",reason=\""
                    + e.get("reason") + "\"}").forEach((series, n) -> assertThat(m.get(series)).as(series)
                    .isEqualTo(n));
            assertThat(AdminFixture.sum(m, "ftpgate_sessions_closed_total")).isEqualTo(3);
            countBy(audit, "login", e -> "ftpgate_logins_total{outcome=\"" + e.get("outcome") + "\"}")
                    .forEach((series, n) -> assertThat(m.get(series)).as(series).isEqualTo(n));
            assertThat(m.get("ftpgate_logins_total{outcome=\"failed\"}")).isEqualTo(1);

            Map<String, Double> transfers = countBy(audit, "transfer", e -> "ftpgate_transfers_total{client_mode=\""
                    + lower(e.get("client-mode")) + "\",data_path=\"relay\",direction=\""
                    + GatewayMetrics.direction((String) e.get("command")) + "\",outcome=\"" + e.get("outcome")
                    + "\",server_mode=\"" + lower(e.get("server-mode")) + "\"}");
            transfers.forEach((series, n) -> assertThat(m.get(series)).as(series).isEqualTo(n));
            assertThat(AdminFixture.sum(m, "ftpgate_transfers_total")).isEqualTo(count(audit, "transfer"))
                    .isEqualTo(5); // STOR, RETR, LIST, RETR (active), RETR (anonymous)
            assertThat(transfers).containsKey("ftpgate_transfers_total{client_mode=\"port\",data_path=\"relay\","
                    + "direction=\"download\",outcome=\"ok\",server_mode=\"pasv\"}");
            double auditBytes = audit.stream().filter(type("transfer"))
                    .mapToDouble(e -> ((Number) e.get("bytes")).doubleValue()).sum();
            assertThat(AdminFixture.sum(m, "ftpgate_transfer_bytes_total")).isEqualTo(auditBytes);
            assertThat(m.get("ftpgate_transfer_bytes_total{from=\"client\"}")).isEqualTo(SIZE);

            countBy(audit, "refused", e -> "ftpgate_refusals_total{enforced=\"true\",reason=\"" + e.get("reason")
                    + "\"}").forEach((series, n) -> assertThat(m.get(series)).as(series).isEqualTo(n));
            assertThat(m).containsEntry("ftpgate_refusals_total{enforced=\"true\",reason=\"port-foreign-address\"}",
                    1.0).containsEntry("ftpgate_refusals_total{enforced=\"true\",reason=\"command-unknown\"}", 1.0);

            // Not audited, but from the same events: every session connected upstream, every transfer flowed.
            assertThat(m.get("ftpgate_upstream_connect_seconds_count{listener=\"it\"}")).isEqualTo(3);
            assertThat(m.get("ftpgate_transfer_setup_seconds_count")).isEqualTo(5);
            assertThat(m.get("ftpgate_pinholes_armed_total{side=\"client\"}")).isEqualTo(4); // the passive ones
            assertThat(m).containsEntry("ftpgate_pinholes_open{side=\"client\"}", 0.0)
                    .containsEntry("ftpgate_pinholes_open{side=\"server\"}", 0.0);
            assertThat(AdminFixture.sum(m, "ftpgate_sessions_active")).isZero();
            assertThat(m).containsKey("ftpgate_build_info{java_version=\"" + System.getProperty("java.version")
                    + "\",version=\"test\"}").containsKey("jvm_threads_current");
        }
    }

    /** Scrapes until the admin listener has counted {@code sessions} closed sessions (it runs beside the audit). */
    private static Map<String, Double> scrapeWhenClosed(AdminFixture f, int sessions) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            HttpResponse<String> res = f.get("/metrics");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("content-type")).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("text/plain; version=0.0.4"));
            assertThat(res.body()).doesNotContain(AdminFixture.SECRET);
            Map<String, Double> m = AdminFixture.samples(res.body());
            if (AdminFixture.sum(m, "ftpgate_sessions_closed_total") >= sessions || System.nanoTime() > end) {
                return m;
            }
            Thread.sleep(20);
        }
    }

    private static double count(List<AuditEvent> audit, String event) {
        return audit.stream().filter(type(event)).count();
    }

    private static Map<String, Double> countBy(List<AuditEvent> audit, String event,
            java.util.function.Function<AuditEvent, String> series) {
        return audit.stream().filter(type(event)).collect(Collectors.groupingBy(series, TreeMap::new,
                Collectors.summingDouble(e -> 1)));
    }

    private static String lower(Object mode) {
        return String.valueOf(mode).toLowerCase(Locale.ROOT);
    }
}
