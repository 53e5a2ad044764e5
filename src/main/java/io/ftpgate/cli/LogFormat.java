package io.ftpgate.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.PropertyDefinerBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pattern of ftpgate's log lines on stderr (logback.xml defines {@code LOG_PATTERN} with this class): with a
 * time of day on a terminal or in a file, and, when stderr is the systemd journal, with a syslog priority
 * prefix ({@code <4>}) instead. The journal stamps each line with its own time, so a second timestamp would only
 * repeat it, and it reads the prefix as the entry's PRIORITY (systemd.exec(5), SyslogLevelPrefix=), so
 * {@code journalctl -p warning} selects ftpgate's warnings.
 */
public final class LogFormat extends PropertyDefinerBase {

    /** On a terminal or in a file. */
    static final String PLAIN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";
    /** In the journal: {@code syslogPriority} is {@link Priority}, declared in logback.xml. */
    static final String JOURNAL = "<%syslogPriority>%-5level %logger{0} - %msg%n";
    /** systemd sets it to the device and inode of the stream it connects stdout/stderr to (systemd.exec(5)). */
    static final String JOURNAL_STREAM = "JOURNAL_STREAM";
    private static final Path STDERR = Path.of("/proc/self/fd/2");

    @Override
    public String getPropertyValue() {
        return journal(System.getenv(JOURNAL_STREAM), stderrId()) ? JOURNAL : PLAIN;
    }

    /**
     * Whether stderr is the journal's stream: {@code journalStream} ({@code DEVICE:INODE}) names the file that
     * stderr is ({@code stderrId}, the same form, or null when it cannot be read). A child whose stderr was
     * redirected inherits the variable but not the stream, hence the comparison; when stderr cannot be examined
     * the variable alone decides.
     */
    static boolean journal(String journalStream, String stderrId) {
        if (journalStream == null || journalStream.isBlank()) {
            return false;
        }
        return stderrId == null || journalStream.trim().equals(stderrId);
    }

    /** {@code DEVICE:INODE} of this process's stderr (Linux), or null. */
    static String stderrId() {
        try {
            Object dev = Files.getAttribute(STDERR, "unix:dev");
            Object ino = Files.getAttribute(STDERR, "unix:ino");
            return dev + ":" + ino;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * {@code %syslogPriority}: the syslog severity of a log level (RFC 5424 §6.2.1): ERROR 3, WARN 4, INFO 6,
     * DEBUG and TRACE 7.
     */
    public static final class Priority extends ClassicConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return Integer.toString(severity(event.getLevel()));
        }

        static int severity(Level level) {
            if (level.isGreaterOrEqual(Level.ERROR)) {
                return 3;
            } else if (level.isGreaterOrEqual(Level.WARN)) {
                return 4;
            } else if (level.isGreaterOrEqual(Level.INFO)) {
                return 6;
            }
            return 7;
        }
    }
}
