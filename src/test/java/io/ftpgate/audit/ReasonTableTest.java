package io.ftpgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.event.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/audit-log.md documents every reason code exactly as the enum defines it, so the table cannot drift. */
class ReasonTableTest {

    @Test
    void theDocumentedTableMatchesTheReasonEnum() throws Exception {
        String readme = Files.readString(Path.of("docs/audit-log.md"));
        int start = readme.indexOf("<!-- reason-table");
        int end = readme.indexOf("<!-- /reason-table -->");
        assertThat(start).isPositive();
        List<String> rows = readme.substring(start, end).lines().filter(l -> l.startsWith("| `"))
                .collect(Collectors.toList());
        List<String> expected = Arrays.stream(Reason.values())
                .map(r -> "| `" + r.code() + "` | " + r.meaning() + " | " + r.action() + " |")
                .collect(Collectors.toList());
        assertThat(rows).containsExactlyElementsOf(expected);
    }

    @Test
    void codesAreUniqueAndKebabCase() {
        List<String> codes = Arrays.stream(Reason.values()).map(Reason::code).collect(Collectors.toList());
        assertThat(codes).doesNotHaveDuplicates().allMatch(c -> c.matches("[a-z]+(-[a-z]+)*"));
    }
}
