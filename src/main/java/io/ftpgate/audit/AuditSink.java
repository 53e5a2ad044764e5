package io.ftpgate.audit;

import java.util.List;

/**
 * Receives audit events. Implementations must be fast, thread-safe and never throw: they are called from
 * event-loop threads.
 */
public interface AuditSink extends AutoCloseable {

    /** A sink that drops everything. */
    AuditSink NONE = event -> { };

    /** Records one event. */
    void emit(AuditEvent event);

    /**
     * Opens the sink's file again by its name, for log rotation (SIGHUP); true when done or when the sink has no
     * file (the default), false when the file could not be reopened and writing goes on to the old one.
     */
    default boolean reopen() {
        return true;
    }

    /** One sink that passes every event, reopen and close on to each of {@code sinks}, in order. */
    static AuditSink all(List<AuditSink> sinks) {
        return sinks.size() == 1 ? sinks.get(0) : new AllSinks(sinks);
    }

    /** Flushes and releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
