package io.ftpgate.auditor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * {@code ftpgate audit --json}: the report as one JSON document with the same fields as the table.
 * <pre>
 * {"target":"127.0.0.1:2121","user":"anonymous","third-party":"127.0.0.2","exit-code":1,
 *  "summary":{"high":2,"medium":2,"low":3,"info":2,"ok":4},
 *  "findings":[{"check":"bounce-port","title":"...","verdict":"category 1: connected to the third party",
 *               "severity":"high","evidence":[{"sent":"PORT 127,0,0,2,156,65","reply":"200 ..."}, ...],
 *               "meaning":"...","fix":"..."}, ...]}
 * </pre>
 */
public final class JsonReport {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    /** The report as an indented JSON document (no trailing newline). */
    public static String render(AuditReport report) {
        try {
            return MAPPER.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            // Records of strings, lists and enums always serialise; this would be a programming error.
            throw new IllegalStateException("cannot serialise the audit report", e);
        }
    }
}
