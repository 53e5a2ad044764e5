package io.ftpgate.auditor;

import java.util.List;

/** Small hand-made reports for the renderer tests. */
final class SampleReports {

    private SampleReports() {
    }

    static Finding finding(String check, Severity severity) {
        return new Finding(check, "Title of " + check, "verdict of " + check, severity,
                List.of(Evidence.exchange("PORT 127,0,0,2,156,65", "200 PORT command successful."),
                        Evidence.observed("server connected from 127.0.0.1:20 to 127.0.0.2:40001")),
                "A meaning long enough to be wrapped: " + "word ".repeat(40).trim() + ".",
                severity == Severity.OK ? "" : "The fix.");
    }

    static AuditReport report(Severity... severities) {
        List<Finding> findings = new java.util.ArrayList<>();
        for (int i = 0; i < severities.length; i++) {
            findings.add(finding("check-" + i, severities[i]));
        }
        return new AuditReport("127.0.0.1:2121", "anonymous", "127.0.0.2", findings, null);
    }
}
