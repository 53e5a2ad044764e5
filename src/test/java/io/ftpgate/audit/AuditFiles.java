package io.ftpgate.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads an audit log file as the tests see it: every line must be one complete JSON object. */
public final class AuditFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditFiles() {
    }

    /** The events of {@code file}, in order; fails on a line that is not a whole JSON object. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> read(Path file) throws IOException {
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            events.add(JSON.readValue(line, Map.class));
        }
        return events;
    }
}
