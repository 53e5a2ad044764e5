package io.ftpgate.config;

import io.ftpgate.config.YamlTree.Pos;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration could not be used. The message is complete and meant for an administrator: it names the
 * file, line and column, the key path (or the command-line flag) and what was expected, e.g.
 * {@code ftpgate.yaml:7:15: listeners[0].client-data-ports: expected a port range LO-HI such as 50000-50999,
 * got '50000'}. A file with several problems gives one such line for each, in file order, joined by newlines.
 */
public final class ConfigException extends Exception {

    /** Orders problems as they stand in the file. */
    static final Comparator<ConfigException> FILE_ORDER = Comparator
            .comparingInt((ConfigException e) -> e.pos == null ? 0 : e.pos.line())
            .thenComparingInt(e -> e.pos == null ? 0 : e.pos.column());

    /** Where in the file the problem is, when it is in the file; null otherwise. */
    final transient Pos pos;

    public ConfigException(String message) {
        this(message, null);
    }

    ConfigException(String message, Pos pos) {
        super(message);
        this.pos = pos;
    }

    /** One exception for all of {@code problems} (at least one), each on its own line, in file order. */
    static ConfigException all(List<ConfigException> problems) {
        if (problems.size() == 1) {
            return problems.get(0);
        }
        return new ConfigException(problems.stream().sorted(FILE_ORDER).map(Throwable::getMessage)
                .collect(Collectors.joining("\n")));
    }
}
