package io.ftpgate.config;

import io.ftpgate.config.YamlTree.Entry;
import io.ftpgate.config.YamlTree.MapNode;
import io.ftpgate.config.YamlTree.Node;
import io.ftpgate.config.YamlTree.Pos;
import io.ftpgate.config.YamlTree.Scalar;
import io.ftpgate.config.YamlTree.Seq;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads values out of a parsed configuration tree ({@link YamlTree}); every error names the file, line, column
 * and key path, so an administrator can go straight to the mistake.
 *
 * <p>A problem with one key does not end the reading: it is {@linkplain #report recorded} and the key is treated
 * as absent (a bad list item as left out), so that one run finds every problem of the file. The methods that
 * throw are for values whose absence would make the rest meaningless; their callers decide how far the damage
 * goes (one listener, one profile, one rule).
 */
class TreeReader {

    /** A read that may fail with a problem of the file. */
    interface Read<T> {
        T read() throws ConfigException;
    }

    /** The file name errors are prefixed with. */
    final String file;
    /** Every problem found so far, shared by the readers of one file. */
    private final List<ConfigException> problems;

    TreeReader(String file, List<ConfigException> problems) {
        this.file = file;
        this.problems = problems;
    }

    /** Records a problem; reading goes on. */
    final void report(ConfigException e) {
        problems.add(e);
    }

    /** How many problems have been recorded: compare before and after a part to know whether it was clean. */
    final int problemCount() {
        return problems.size();
    }

    /** The result of {@code read}, or null after recording its problem. */
    final <T> T attempt(Read<T> read) {
        try {
            return read.read();
        } catch (ConfigException e) {
            report(e);
            return null;
        }
    }

    /** The value of an optional key; null when it is absent or its problem was recorded. */
    <T> T opt(Map<String, Entry> e, String key, String path, String what, Function<String, T> parser) {
        Entry entry = e.get(key);
        return entry == null ? null : attempt(() -> value(entry.value(), child(path, key), what, parser));
    }

    /** The good items of an optional list key; null when the key is absent. */
    <T> List<T> optList(Map<String, Entry> e, String key, String path, String what, Function<String, T> parser) {
        Entry entry = e.get(key);
        return entry == null ? null : list(entry.value(), child(path, key), what, parser);
    }

    /** The good items of a list; each bad item, or a node that is no list, is recorded. */
    <T> List<T> list(Node n, String path, String what, Function<String, T> parser) {
        return items(n, path, what, parser).stream().filter(Objects::nonNull).toList();
    }

    /**
     * A list of values, with null where an item's problem was recorded (so indexes match the file); a single
     * scalar is accepted as a one-item list ({@code listen: "0.0.0.0:21"}).
     */
    <T> List<T> items(Node n, String path, String what, Function<String, T> parser) {
        List<T> out = new ArrayList<>();
        if (n instanceof Scalar) {
            out.add(attempt(() -> value(n, path, what, parser)));
        } else if (n instanceof Seq seq) {
            for (int i = 0; i < seq.items().size(); i++) {
                Node item = seq.items().get(i);
                String p = path + "[" + i + "]";
                out.add(attempt(() -> value(item, p, what, parser)));
            }
        } else {
            report(error(n.pos(), path, "expected a list of " + what + ", got " + n.kind()));
        }
        return out;
    }

    <T> T value(Node n, String path, String what, Function<String, T> parser) throws ConfigException {
        String text = scalar(n, path, what);
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException ex) {
            throw error(n.pos(), path, ex.getMessage());
        }
    }

    String scalar(Node n, String path, String what) throws ConfigException {
        if (n instanceof Scalar s && !s.isNull()) {
            return s.text();
        }
        throw error(n.pos(), path, "expected " + what + ", got " + n.kind());
    }

    /** The mapping {@code n}; throws when it is none. Each unknown key is recorded, and ignored. */
    MapNode map(Node n, String path, List<String> keys, String what) throws ConfigException {
        if (!(n instanceof MapNode m)) {
            throw error(n.pos(), path, "expected " + what + ", got " + n.kind());
        }
        for (Map.Entry<String, Entry> e : m.entries().entrySet()) {
            if (!keys.contains(e.getKey())) {
                String p = child(path, e.getKey());
                String hint = KeyHints.suggest(e.getKey(), keys);
                report(error(e.getValue().keyPos(), p, "unknown key"
                        + (hint == null ? "" : "; did you mean '" + hint + "'?")
                        + " (expected one of: " + String.join(", ", keys) + ")"));
            }
        }
        return m;
    }

    /** The key path of {@code key} under {@code path} ("" for the top level). */
    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    ConfigException error(Pos pos, String path, String message) {
        return new ConfigException(file + ":" + pos.line() + ":" + pos.column() + ": "
                + (path.isEmpty() ? "" : path + ": ") + message, pos);
    }
}
