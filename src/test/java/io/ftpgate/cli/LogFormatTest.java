package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;

/** Log lines for a terminal and for the systemd journal (no second timestamp; a priority prefix instead). */
class LogFormatTest {

    @Test
    void theJournalFormatIsUsedOnlyWhenStderrIsTheStreamJournalStreamNames() {
        assertThat(LogFormat.journal(null, "8:1234")).isFalse();
        assertThat(LogFormat.journal("", "8:1234")).isFalse();
        assertThat(LogFormat.journal("8:1234", "8:1234")).isTrue();
        // Inherited by a child whose stderr was redirected: not the journal's stream.
        assertThat(LogFormat.journal("8:1234", "8:99")).isFalse();
        // stderr cannot be examined (not Linux): the variable alone decides.
        assertThat(LogFormat.journal("8:1234", null)).isTrue();
    }

    @Test
    void theJournalPatternHasAPriorityPrefixAndNoTimeOfDay() {
        assertThat(LogFormat.JOURNAL).startsWith("<%syslogPriority>").doesNotContain("%d");
        assertThat(LogFormat.PLAIN).startsWith("%d{HH:mm:ss.SSS} ");
    }

    @Test
    void levelsMapToSyslogSeverities() {
        assertThat(LogFormat.Priority.severity(Level.ERROR)).isEqualTo(3);
        assertThat(LogFormat.Priority.severity(Level.WARN)).isEqualTo(4);
        assertThat(LogFormat.Priority.severity(Level.INFO)).isEqualTo(6);
        assertThat(LogFormat.Priority.severity(Level.DEBUG)).isEqualTo(7);
        assertThat(LogFormat.Priority.severity(Level.TRACE)).isEqualTo(7);
    }

    @Test
    void thisProcessStderrHasAnIdentityOnLinux() {
        String id = LogFormat.stderrId();
        if (id != null) {
            assertThat(id).matches("\\d+:\\d+");
        }
    }
}
