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
import java.util.function.Function;

/**
 * Reads values out of a parsed configuration tree ({@link YamlTree}); every error names the file, line, column
 * and key path, so an administrator can go straight to the mistake.
 */
class TreeReader {

    /** The file name errors are prefixed with. */
    final String file;

    TreeReader(String file) {
        this.file = file;
    }

    <T> T opt(Map<String, Entry> e, String key, String path, String what, Function<String, T> parser)
            throws ConfigException {
        Entry entry = e.get(key);
        return entry == null ? null : value(entry.value(), path + "." + key, what, parser);
    }

    /** A list of values; a single scalar is accepted as a one-item list ({@code listen: "0.0.0.0:21"}). */
    <T> List<T> list(Node n, String path, String what, Function<String, T> parser)
            throws ConfigException {
        if (n instanceof Scalar) {
            return List.of(value(n, path, what, parser));
        }
        if (!(n instanceof Seq seq)) {
            throw error(n.pos(), path, "expected a list of " + what + ", got " + n.kind());
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < seq.items().size(); i++) {
            out.add(value(seq.items().get(i), path + "[" + i + "]", what, parser));
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

    MapNode map(Node n, String path, List<String> keys, String what) throws ConfigException {
        if (!(n instanceof MapNode m)) {
            throw error(n.pos(), path, "expected " + what + ", got " + n.kind());
        }
        for (Map.Entry<String, Entry> e : m.entries().entrySet()) {
            if (!keys.contains(e.getKey())) {
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                String hint = KeyHints.suggest(e.getKey(), keys);
                throw error(e.getValue().keyPos(), p, "unknown key"
                        + (hint == null ? "" : "; did you mean '" + hint + "'?")
                        + " (expected one of: " + String.join(", ", keys) + ")");
            }
        }
        return m;
    }

    ConfigException error(Pos pos, String path, String message) {
        return new ConfigException(file + ":" + pos.line() + ":" + pos.column() + ": "
                + (path.isEmpty() ? "" : path + ": ") + message);
    }
}
