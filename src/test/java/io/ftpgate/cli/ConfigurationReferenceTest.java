package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/configuration.md is the administrators' reference: every key the loader accepts is listed there, in the
 * table of its section, and nothing else; every flag of {@code run} is in the flag table. A key added to the
 * code without a line in the reference (or a line left behind) fails here.
 */
class ConfigurationReferenceTest {

    private static final Path REFERENCE = Path.of("docs/configuration.md");
    /** The first cell of a table row: a back-quoted key or flag. */
    private static final Pattern FIRST_CELL = Pattern.compile("^\\| `([^`]+)`");

    @Test
    void everyKeyIsDocumentedInItsSectionAndNothingElse() throws IOException {
        String doc = Files.readString(REFERENCE);
        for (Map.Entry<String, List<String>> section : ConfigLoader.keysBySection().entrySet()) {
            assertThat(table(doc, "keys: " + section.getKey())).as("docs/configuration.md, keys of " + section.getKey())
                    .containsExactlyInAnyOrderElementsOf(section.getValue());
        }
    }

    @Test
    void everyRunFlagIsDocumented() throws IOException {
        Set<String> flags = new LinkedHashSet<>();
        for (OptionSpec o : new CommandLine(new RunCommand()).getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp()) {
                flags.add(o.longestName());
            }
        }
        List<String> documented = table(Files.readString(REFERENCE), "flags: run").stream()
                .map(f -> f.replace("--[no-]", "--").split(" ")[0]).toList();
        assertThat(documented).as("docs/configuration.md, run flags").containsExactlyInAnyOrderElementsOf(flags);
    }

    /** The first-column names of the table between {@code <!-- marker -->} and its closing comment. */
    private static List<String> table(String doc, String marker) {
        int start = doc.indexOf("<!-- " + marker + " -->");
        assertThat(start).as("marker '" + marker + "' in docs/configuration.md").isNotNegative();
        int end = doc.indexOf("<!-- /" + marker.split(":")[0] + " -->", start);
        List<String> names = new ArrayList<>();
        for (String line : doc.substring(start, end).split("\n")) {
            Matcher m = FIRST_CELL.matcher(line);
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
