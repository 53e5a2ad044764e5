package io.ftpgate.audit;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One audit record: an ordered set of fields that becomes one JSON line. Every event carries {@code ts},
 * {@code event}, {@code session} and {@code client}; the rest depends on the event type.
 */
public final class AuditEvent {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    private AuditEvent(String event, String session, String client) {
        fields.put("ts", Instant.now().toString());
        fields.put("event", event);
        fields.put("session", session);
        fields.put("client", client);
    }

    /** Starts an event of the given type for a session. */
    public static AuditEvent of(String event, String session, String client) {
        return new AuditEvent(event, session, client);
    }

    /** Adds a field; {@code null} values are omitted. Returns {@code this}. */
    public AuditEvent with(String key, Object value) {
        if (value != null) {
            fields.put(key, value);
        }
        return this;
    }

    /** The event type, e.g. {@code refused}. */
    public String event() {
        return (String) fields.get("event");
    }

    /** A field value, or {@code null}. */
    public Object get(String key) {
        return fields.get(key);
    }

    /** All fields, in emission order. */
    public Map<String, Object> fields() {
        return Collections.unmodifiableMap(fields);
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
