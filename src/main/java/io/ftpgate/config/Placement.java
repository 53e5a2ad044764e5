package io.ftpgate.config;

/** Where a listener sits relative to the FTP servers it reaches. */
public enum Placement {
    /** In front of one server: every session goes to the configured upstream. */
    REVERSE,
    /** In front of clients: the destination comes from {@code USER user@host[:port]}. */
    FORWARD
}
