package io.ftpgate.it;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.audit.AuditSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** A thread-safe audit sink that keeps every event and lets a test wait for one. */
public final class RecordingAuditSink implements AuditSink {

    private final List<AuditEvent> events = new ArrayList<>();

    @Override
    public synchronized void emit(AuditEvent event) {
        events.add(event);
        notifyAll();
    }

    /** A snapshot of every event so far, in emission order. */
    public synchronized List<AuditEvent> events() {
        return List.copyOf(events);
    }

    /** Waits until an event matching {@code p} has been emitted; throws AssertionError with the log otherwise. */
    public AuditEvent awaitEvent(Predicate<AuditEvent> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                for (AuditEvent e : events) {
                    if (p.test(e)) {
                        return e;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching audit event within " + timeout + "; audit log:\n" + dump());
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Waits for a {@code refused} event with the given reason code. */
    public AuditEvent awaitRefused(String reason) throws InterruptedException {
        return awaitEvent(refused(reason), Duration.ofSeconds(10));
    }

    /** Waits for an event of the given type. */
    public AuditEvent await(String event) throws InterruptedException {
        return awaitEvent(type(event), Duration.ofSeconds(10));
    }

    public synchronized List<AuditEvent> all(Predicate<AuditEvent> p) {
        return events.stream().filter(p).collect(Collectors.toList());
    }

    public static Predicate<AuditEvent> type(String event) {
        return e -> event.equals(e.event());
    }

    public static Predicate<AuditEvent> refused(String reason) {
        return e -> "refused".equals(e.event()) && reason.equals(e.get("reason"));
    }

    public static Predicate<AuditEvent> field(String key, Object value) {
        return e -> Objects.equals(String.valueOf(e.get(key)), String.valueOf(value));
    }

    /** Every event on its own line, for assertion messages. */
    public synchronized String dump() {
        StringBuilder sb = new StringBuilder();
        for (AuditEvent e : events) {
            sb.append("  ").append(e).append('\n');
        }
        return sb.toString();
    }

    public synchronized void clear() {
        events.clear();
    }
}
