package io.ftpgate.audit;

/**
 * Receives audit events. Implementations must be fast, thread-safe and never throw: they are called from
 * event-loop threads.
 */
public interface AuditSink extends AutoCloseable {

    /** A sink that drops everything. */
    AuditSink NONE = event -> { };

    /** Records one event. */
    void emit(AuditEvent event);

    /** Flushes and releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
