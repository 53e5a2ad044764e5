package io.ftpgate.audit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Audit events in the systemd journal's native protocol (systemd "Native Journal Protocol"): one datagram of
 * {@code FIELD=value} lines. MESSAGE is the event's JSON; PRIORITY and SYSLOG_FACILITY are those of the syslog
 * copy ({@link Rfc5424}); the FTPGATE_ fields make {@code journalctl FTPGATE_EVENT=refused} or
 * {@code FTPGATE_REASON=bounce} work without parsing the JSON.
 */
public final class JournalFields {

    /** Audit fields copied into journal fields of their own, upper-cased with an FTPGATE_ prefix. */
    static final String[] INDEXED = {"event", "session", "client", "reason", "user", "destination"};

    private final String identifier;

    /** Messages tagged with SYSLOG_IDENTIFIER {@code identifier} (what {@code journalctl -t} selects). */
    public JournalFields(String identifier) {
        this.identifier = identifier;
    }

    /** The datagram for {@code event}, whose JSON form is {@code json}. */
    public byte[] encode(AuditEvent event, String json) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("MESSAGE", json);
        fields.put("PRIORITY", Integer.toString(Rfc5424.severity(event)));
        fields.put("SYSLOG_FACILITY", Integer.toString(Rfc5424.FACILITY_AUTHPRIV));
        fields.put("SYSLOG_IDENTIFIER", identifier);
        for (String key : INDEXED) {
            Object v = event.get(key);
            if (v != null) {
                fields.put("FTPGATE_" + key.toUpperCase(java.util.Locale.ROOT), v.toString());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length() + 256);
        fields.forEach((k, v) -> field(out, k, v));
        return out.toByteArray();
    }

    /**
     * One field: {@code KEY=value\n}, or, when the value holds a newline (a user name could), the binary form
     * {@code KEY\n}, the value's length as 64-bit little-endian, the value, {@code \n}.
     */
    static void field(ByteArrayOutputStream out, String key, String value) {
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(k);
        if (value.indexOf('\n') < 0) {
            out.write('=');
            out.writeBytes(v);
        } else {
            out.write('\n');
            out.writeBytes(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(v.length).array());
            out.writeBytes(v);
        }
        out.write('\n');
    }
}
