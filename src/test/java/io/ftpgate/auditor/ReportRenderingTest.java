package io.ftpgate.auditor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportRenderingTest {

    @Test
    void exitCodes() {
        assertThat(SampleReports.report(Severity.OK, Severity.MEDIUM, Severity.LOW).exitCode()).isEqualTo(0);
        assertThat(SampleReports.report(Severity.OK, Severity.HIGH).exitCode()).isEqualTo(1);
        assertThat(new AuditReport("h:21", "anonymous", null, List.of(), "login refused").exitCode()).isEqualTo(2);
    }

    @Test
    void tableThenDetailsThenSummary() {
        String text = TextReport.render(SampleReports.report(Severity.HIGH, Severity.OK), false);
        assertThat(text).startsWith("ftpgate audit of 127.0.0.1:2121 as anonymous, third party 127.0.0.2\n\n"
                + "SEVERITY  CHECK    VERDICT\n"
                + "high      check-0  verdict of check-0\n"
                + "ok        check-1  verdict of check-1\n");
        assertThat(text).contains("[high] check-0: Title of check-0\n"
                + "  verdict   verdict of check-0\n"
                + "  sent      PORT 127,0,0,2,156,65\n"
                + "  reply     200 PORT command successful.\n"
                + "  observed  server connected from 127.0.0.1:20 to 127.0.0.2:40001\n"
                + "  meaning   A meaning long enough");
        assertThat(text).contains("  fix       The fix.\n");
        assertThat(text).endsWith("Summary: 1 high, 0 medium, 0 low, 0 info, 1 ok; exit code 1 (high findings)\n");
        assertThat(text.lines()).allMatch(l -> l.length() <= TextReport.WIDTH);
        assertThat(text).doesNotContain("\u001b[");
    }

    @Test
    void coloursOnlyWhenWanted() {
        String text = TextReport.render(SampleReports.report(Severity.HIGH, Severity.OK), true);
        assertThat(text).contains("\u001b[1;31mhigh    \u001b[0m").contains("\u001b[32mok      \u001b[0m");
        assertThat(TextReport.colourWanted(true, null)).isTrue();
        assertThat(TextReport.colourWanted(true, "")).isTrue();
        assertThat(TextReport.colourWanted(true, "1")).isFalse();
        assertThat(TextReport.colourWanted(false, null)).isFalse();
    }

    @Test
    void jsonHasTheSameFields() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(JsonReport.render(SampleReports.report(Severity.HIGH,
                Severity.OK)));
        assertThat(doc.get("target").asText()).isEqualTo("127.0.0.1:2121");
        assertThat(doc.get("user").asText()).isEqualTo("anonymous");
        assertThat(doc.get("third-party").asText()).isEqualTo("127.0.0.2");
        assertThat(doc.get("exit-code").asInt()).isEqualTo(1);
        assertThat(doc.get("summary").toString()).isEqualTo("{\"high\":1,\"medium\":0,\"low\":0,\"info\":0,\"ok\":1}");
        assertThat(doc.has("incomplete")).isFalse();
        JsonNode f = doc.get("findings").get(0);
        assertThat(f.get("check").asText()).isEqualTo("check-0");
        assertThat(f.get("severity").asText()).isEqualTo("high");
        assertThat(f.get("verdict").asText()).isEqualTo("verdict of check-0");
        assertThat(f.get("evidence").get(0).toString())
                .isEqualTo("{\"sent\":\"PORT 127,0,0,2,156,65\",\"reply\":\"200 PORT command successful.\"}");
        assertThat(f.get("evidence").get(1).get("observed").asText()).startsWith("server connected");
        assertThat(f.get("meaning").asText()).startsWith("A meaning");
        assertThat(f.get("fix").asText()).isEqualTo("The fix.");
    }

    @Test
    void incompleteReportSaysWhy() {
        AuditReport r = new AuditReport("h:21", "bob", null, List.of(), "login as bob refused: 530 Login incorrect.");
        assertThat(TextReport.render(r, false)).contains("as bob, no third-party address")
                .contains("exit code 2 (incomplete: login as bob refused: 530 Login incorrect.)");
        assertThat(JsonReport.render(r)).contains("\"incomplete\" : \"login as bob refused");
    }
}
