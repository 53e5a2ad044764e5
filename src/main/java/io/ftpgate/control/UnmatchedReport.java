package io.ftpgate.control;

import io.ftpgate.data.TranslatingPath;
import io.ftpgate.event.EventBus;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what the kernel data path refused on its own: connections to the pinhole ranges that matched no
 * pinhole. ftpgate never sees them (the kernel resets them), so every {@link #INTERVAL_SECONDS} it reads the
 * path's count and, when it is not zero, records one {@code kernel-unmatched} refusal with the number.
 */
final class UnmatchedReport {

    private static final Logger LOG = LoggerFactory.getLogger(UnmatchedReport.class);
    /** How often the count is read: an attempt shows in the audit log within this many seconds. */
    static final long INTERVAL_SECONDS = 10;

    private final TranslatingPath path;
    private final EventBus events;
    private final ScheduledFuture<?> task;

    UnmatchedReport(TranslatingPath path, EventBus events, EventExecutor executor) {
        this.path = path;
        this.events = events;
        this.task = executor.scheduleWithFixedDelay(this::report, INTERVAL_SECONDS, INTERVAL_SECONDS,
                TimeUnit.SECONDS);
    }

    /** Reads the count once now (also at stop, so nothing counted goes unreported). */
    void report() {
        long n;
        try {
            n = path.unmatched();
        } catch (TranslatingPath.TranslationException e) {
            LOG.warn("cannot read the {} data path's unmatched connections: {}", path.name(), e.getMessage());
            return;
        }
        if (n > 0) {
            // Not one session's: the record has a fresh id of its own and no client.
            events.publish(new SessionEvent.Refused(new SessionEvent.Origin(
                    "kernel-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16), null),
                    Reason.KERNEL_UNMATCHED, null, n + " connection" + (n == 1 ? "" : "s") + " in the last "
                    + INTERVAL_SECONDS + " s", null, true, null, null));
        }
    }

    void stop() {
        task.cancel(false);
        report();
    }
}
