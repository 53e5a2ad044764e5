package io.ftpgate.audit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.format.DateTimeParseException;

/**
 * Audit events as syslog messages in the format of RFC 5424 (The Syslog Protocol):
 * {@code <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG}, with the event type as MSGID, no structured
 * data, and the event's JSON object, ASCII only, as MSG. SIEMs parse that JSON; the header lets a syslog server
 * file and filter the lines without it.
 *
 * @param hostname the HOSTNAME field, or {@code -} when unknown
 * @param appName  the APP-NAME field
 * @param procId   the PROCID field (the process id)
 */
public record Rfc5424(String hostname, String appName, String procId) {

    /**
     * Facility {@code authpriv} (RFC 5424 §6.2.1, code 10): security and authorization messages. Audit events
     * are that, and syslog daemons keep this facility in files that only administrators can read.
     */
    public static final int FACILITY_AUTHPRIV = 10;
    /** Severities used (RFC 5424 §6.2.1, Table 2). */
    public static final int WARNING = 4;
    public static final int NOTICE = 5;
    public static final int INFO = 6;
    /** RFC 5424 §6: HOSTNAME has at most 255, APP-NAME 48, PROCID 128 and MSGID 32 printable US-ASCII characters. */
    static final int HOSTNAME_MAX = 255;
    static final int APP_NAME_MAX = 48;
    static final int PROCID_MAX = 128;
    static final int MSGID_MAX = 32;
    /** RFC 5424 §6.2.3: TIME-SECFRAC has at most six digits; RFC 3339 form, in UTC ("Z"). */
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 6, 6, true)
            .appendOffsetId()
            .toFormatter()
            .withZone(ZoneOffset.UTC);

    public Rfc5424 {
        hostname = field(hostname, HOSTNAME_MAX);
        appName = field(appName, APP_NAME_MAX);
        procId = field(procId, PROCID_MAX);
    }

    /** The header of this process: the given host name and application name, and this process's id. */
    public static Rfc5424 thisProcess(String hostname, String appName) {
        return new Rfc5424(hostname, appName, Long.toString(ProcessHandle.current().pid()));
    }

    /**
     * The severity of an audit event: a refusal that was enforced is a warning, one only logged in monitor mode
     * and a failed login are notices, everything else (sessions, transfers, TLS, FXP) is information.
     */
    public static int severity(AuditEvent event) {
        String type = event.event();
        if ("refused".equals(type)) {
            return Boolean.FALSE.equals(event.get("enforced")) ? NOTICE : WARNING;
        }
        if ("login".equals(type) && !"ok".equals(event.get("outcome"))) {
            return NOTICE;
        }
        return INFO;
    }

    /** The whole message for {@code event}, whose JSON form (ASCII only, one line) is {@code json}. */
    public String format(AuditEvent event, String json) {
        int pri = FACILITY_AUTHPRIV * 8 + severity(event);
        return "<" + pri + ">1 " + timestamp(event) + " " + hostname + " " + appName + " " + procId + " "
                + field(event.event(), MSGID_MAX) + " - " + json;
    }

    /** The event's own time ({@code ts}) to the microsecond, or {@code -} (NILVALUE) when it has none. */
    static String timestamp(AuditEvent event) {
        Object ts = event.get("ts");
        if (ts == null) {
            return "-";
        }
        try {
            return TIMESTAMP.format(Instant.parse(ts.toString()));
        } catch (DateTimeParseException e) {
            return "-";
        }
    }

    /** A header field: printable US-ASCII without spaces (33-126), cut to {@code max}; {@code -} when empty. */
    static String field(String value, int max) {
        if (value == null) {
            return "-";
        }
        StringBuilder b = new StringBuilder(Math.min(value.length(), max));
        for (int i = 0; i < value.length() && b.length() < max; i++) {
            char c = value.charAt(i);
            b.append(c > 32 && c < 127 ? c : '_');
        }
        return b.length() == 0 ? "-" : b.toString();
    }
}
