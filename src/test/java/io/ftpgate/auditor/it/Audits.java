package io.ftpgate.auditor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.auditor.AuditException;
import io.ftpgate.auditor.AuditOptions;
import io.ftpgate.auditor.AuditReport;
import io.ftpgate.auditor.Auditor;
import io.ftpgate.auditor.Finding;
import io.ftpgate.auditor.Severity;
import io.ftpgate.auditor.TextReport;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Runs the auditor against a loopback server and asserts verdicts, showing the whole report on failure. */
final class Audits {

    /** The impostor and bounce target: a second loopback address, reachable on Linux without setup. */
    static final String THIRD_PARTY = "127.0.0.2";
    /** Short enough to keep the suite fast, long enough for a loaded CI machine on loopback. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private Audits() {
    }

    /** Anonymous audit of 127.0.0.1:port. */
    static AuditReport anonymous(int port) throws AuditException {
        return audit(AuditOptions.anonymous("127.0.0.1", port));
    }

    /** Audit with the given options, third party 127.0.0.2 and {@link #TIMEOUT}. */
    static AuditReport audit(AuditOptions options) throws AuditException {
        try {
            return Auditor.audit(options.withThirdParty(InetAddress.getByName(THIRD_PARTY)).withTimeout(TIMEOUT));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Audit with the given options as they are, but with {@link #TIMEOUT}. */
    static AuditReport auditAsIs(AuditOptions options) throws AuditException {
        return Auditor.audit(options.withTimeout(TIMEOUT));
    }

    /**
     * Asserts every expectation, each {@code "check severity verdict-prefix"} such as
     * {@code "bounce-port high category 1"}, and the exit code.
     */
    static void assertVerdicts(AuditReport report, int exitCode, List<String> expectations) {
        for (String e : expectations) {
            String[] parts = e.split(" ", 3);
            assertVerdict(report, parts[0], Severity.valueOf(parts[1].toUpperCase(Locale.ROOT)), parts[2]);
        }
        assertThat(report.exitCode()).as("exit code of%n%s", TextReport.render(report, false)).isEqualTo(exitCode);
    }

    /** Asserts the finding of {@code check} has {@code severity} and a verdict starting with {@code verdict}. */
    static Finding assertVerdict(AuditReport report, String check, Severity severity, String verdict) {
        String shown = TextReport.render(report, false);
        assertThat(report.finding(check)).as("finding %s in%n%s", check, shown).isPresent();
        Finding f = report.finding(check).orElseThrow();
        assertThat(f.verdict()).as("verdict of %s in%n%s", check, shown).startsWith(verdict);
        assertThat(f.severity()).as("severity of %s in%n%s", check, shown).isEqualTo(severity);
        return f;
    }
}
