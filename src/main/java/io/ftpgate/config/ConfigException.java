package io.ftpgate.config;

/**
 * A configuration could not be used. The message is complete and meant for an administrator: it names the
 * file, line and column, the key path (or the command-line flag) and what was expected, e.g.
 * {@code ftpgate.yaml:7:15: listeners[0].client-data-ports: expected a port range LO-HI such as 50000-50999,
 * got '50000'}.
 */
public final class ConfigException extends Exception {

    public ConfigException(String message) {
        super(message);
    }
}
