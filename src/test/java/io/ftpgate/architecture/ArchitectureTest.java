package io.ftpgate.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Holds the code to the import table of docs/architecture.md: every reference from one ftpgate package to
 * another (import or fully-qualified name) must be allowed there, every package must be listed, the allowed
 * graph must have no cycle, and no main source file may grow past {@link #MAX_LINES}.
 */
class ArchitectureTest {

    /** The project's size limit for a source file (DEVELOPERS.md: "no file over ~400 lines"). */
    static final int MAX_LINES = 400;

    private static final Path MAIN = Path.of("src/main/java/io/ftpgate");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.ftpgate\\.([a-z]+)\\.[A-Za-z]");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z]+)` \\|[^|]*\\| (.*) \\|$");

    /** package → packages it may import, from docs/architecture.md. */
    static Map<String, Set<String>> allowed() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("docs/architecture.md"), StandardCharsets.UTF_8);
        Map<String, Set<String>> out = new LinkedHashMap<>();
        boolean in = false;
        for (String l : lines) {
            if (l.startsWith("<!-- imports:")) {
                in = true;
            } else if (l.startsWith("<!-- /imports")) {
                in = false;
            } else if (in) {
                Matcher m = ROW.matcher(l);
                if (m.matches()) {
                    Set<String> deps = new TreeSet<>();
                    Matcher d = Pattern.compile("`([a-z]+)`").matcher(m.group(2));
                    while (d.find()) {
                        deps.add(d.group(1));
                    }
                    out.put(m.group(1), deps);
                }
            }
        }
        return out;
    }

    /** package → packages its main sources reference. */
    static Map<String, Set<String>> actual() throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(f).getName(0).toString();
                Set<String> deps = out.computeIfAbsent(pkg, k -> new TreeSet<>());
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String code = line.trim();
                    if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) {
                        continue; // Javadoc may name any class
                    }
                    Matcher m = REFERENCE.matcher(code);
                    while (m.find()) {
                        if (!m.group(1).equals(pkg)) {
                            deps.add(m.group(1));
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyPackageIsListedAndImportsOnlyWhatTheTableAllows() throws IOException {
        Map<String, Set<String>> allowed = allowed();
        Map<String, Set<String>> actual = actual();
        assertThat(allowed.keySet()).as("packages in docs/architecture.md").containsExactlyInAnyOrderElementsOf(
                actual.keySet());
        List<String> violations = new ArrayList<>();
        actual.forEach((pkg, deps) -> deps.stream().filter(d -> !allowed.get(pkg).contains(d))
                .forEach(d -> violations.add(pkg + " -> " + d)));
        assertThat(violations).as("imports not allowed by docs/architecture.md").isEmpty();
    }

    @Test
    void theAllowedGraphHasNoCycle() throws IOException {
        Map<String, Set<String>> allowed = allowed();
        Set<String> done = new HashSet<>();
        for (String p : allowed.keySet()) {
            assertThat(cycleFrom(p, allowed, new ArrayList<>(), done)).as("cycle").isNull();
        }
    }

    private static String cycleFrom(String p, Map<String, Set<String>> g, List<String> path, Set<String> done) {
        if (path.contains(p)) {
            return String.join(" -> ", path) + " -> " + p;
        }
        if (!done.add(p)) {
            return null;
        }
        path.add(p);
        for (String d : g.getOrDefault(p, Set.of())) {
            String c = cycleFrom(d, g, path, done);
            if (c != null) {
                return c;
            }
        }
        path.remove(path.size() - 1);
        return null;
    }

    @Test
    void noMainSourceFileIsOverTheSizeLimit() throws IOException {
        List<String> big = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                long n = Files.readAllLines(f, StandardCharsets.UTF_8).size();
                if (n > MAX_LINES) {
                    big.add(f + ": " + n);
                }
            }
        }
        assertThat(big).isEmpty();
    }
}
