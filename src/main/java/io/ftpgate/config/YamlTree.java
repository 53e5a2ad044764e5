package io.ftpgate.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads one YAML document into a small tree whose every node remembers its line and column.
 *
 * <p>Why not Jackson data binding: cross-field rules (e.g. {@code allow-destination} on a reverse listener)
 * are checked after the whole listener is read, and their errors must still point at the offending key.
 * Keeping positions in the tree makes every error, early or late, equally precise. Scalars are kept as the
 * text the administrator wrote, so {@code 21:30} or {@code 0700} are never reinterpreted by YAML 1.1 rules.
 */
final class YamlTree {

    private YamlTree() {
    }

    /** A 1-based position in the file. */
    record Pos(int line, int column) {
        static Pos of(JsonLocation l) {
            return l == null ? new Pos(0, 0) : new Pos(l.getLineNr(), l.getColumnNr());
        }
    }

    /** A parsed node. */
    sealed interface Node permits Scalar, Seq, MapNode {
        Pos pos();

        /** Short description of the node kind for "expected X, got Y" messages. */
        String kind();
    }

    /** A scalar; {@code isNull} for {@code ~}, {@code null} or an empty value. */
    record Scalar(String text, boolean isNull, Pos pos) implements Node {
        @Override
        public String kind() {
            return isNull ? "no value" : "'" + text + "'";
        }
    }

    /** A sequence. */
    record Seq(List<Node> items, Pos pos) implements Node {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** One mapping entry: where its key is written and its value. */
    record Entry(Pos keyPos, Node value) {
    }

    /** A mapping, in file order. */
    record MapNode(Map<String, Entry> entries, Pos pos) implements Node {
        @Override
        public String kind() {
            return "a mapping";
        }
    }

    /** A syntax-level problem: position, key path if known ("" otherwise) and a one-line explanation. */
    static final class SyntaxException extends Exception {
        final Pos pos;
        final String path;

        SyntaxException(Pos pos, String path, String message) {
            super(message);
            this.pos = pos;
            this.path = path;
        }
    }

    private static final YAMLFactory FACTORY = new YAMLFactory();

    /**
     * Parses {@code text}; returns {@code null} for a document with no content at all. A duplicate key does not
     * end the parse: it goes to {@code duplicates} and its first value is kept.
     */
    static Node parse(String text, Consumer<SyntaxException> duplicates) throws SyntaxException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            Node root = read(p, first, "", duplicates);
            JsonToken more = p.nextToken();
            if (more != null) {
                throw new SyntaxException(Pos.of(p.currentTokenLocation()), "",
                        "only one YAML document is allowed (remove the second '---' section)");
            }
            return root instanceof Scalar s && s.isNull() ? null : root;
        } catch (JsonProcessingException e) {
            throw syntax(e);
        } catch (IOException e) {
            // Reading from a String: only parser-level failures can end up here.
            throw new SyntaxException(new Pos(0, 0), "", "cannot parse YAML: " + firstLine(e.getMessage()));
        }
    }

    private static Node read(JsonParser p, JsonToken t, String path, Consumer<SyntaxException> duplicates)
            throws IOException, SyntaxException {
        Pos pos = Pos.of(p.currentTokenLocation());
        if (p instanceof YAMLParser y && y.isCurrentAlias()) {
            throw new SyntaxException(pos, path, "YAML aliases (*name) are not supported; write the value out");
        }
        switch (t) {
            case START_OBJECT: {
                Map<String, Entry> entries = new LinkedHashMap<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String key = p.currentName();
                    Pos keyPos = Pos.of(p.currentTokenLocation());
                    String keyPath = path.isEmpty() ? key : path + "." + key;
                    Node value = read(p, p.nextToken(), keyPath, duplicates);
                    Entry first = entries.putIfAbsent(key, new Entry(keyPos, value));
                    if (first != null) {
                        duplicates.accept(new SyntaxException(keyPos, keyPath, "duplicate key '" + key
                                + "' (first given at line " + first.keyPos().line() + ")"));
                    }
                }
                return new MapNode(entries, pos);
            }
            case START_ARRAY: {
                List<Node> items = new ArrayList<>();
                for (JsonToken i = p.nextToken(); i != JsonToken.END_ARRAY; i = p.nextToken()) {
                    items.add(read(p, i, path + "[" + items.size() + "]", duplicates));
                }
                return new Seq(items, pos);
            }
            case VALUE_NULL:
                return new Scalar("", true, pos);
            default:
                return new Scalar(p.getText(), false, pos);
        }
    }

    /**
     * Turns a parser exception into one line. SnakeYAML's own exception (the cause) carries the precise
     * problem text and mark; Jackson's message is multi-line with an ASCII-art caret, unfit for a log line.
     */
    private static SyntaxException syntax(JsonProcessingException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
                String problem = m.getProblem() == null ? firstLine(m.getMessage()) : m.getProblem();
                if (m.getContext() != null) {
                    problem = m.getContext() + ": " + problem;
                }
                return new SyntaxException(new Pos(m.getProblemMark().getLine() + 1,
                        m.getProblemMark().getColumn() + 1), "", "YAML syntax error: " + oneLine(problem));
            }
        }
        return new SyntaxException(Pos.of(e.getLocation()), "",
                "YAML syntax error: " + firstLine(e.getOriginalMessage()));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
