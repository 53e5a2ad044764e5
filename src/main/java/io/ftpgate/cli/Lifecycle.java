package io.ftpgate.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Things to stop, in reverse order of start, either on SIGTERM/SIGINT (from a shutdown hook) or right away
 * when a later start step fails. Each step is guarded so one failing close never skips the others, and the
 * whole sequence runs at most once.
 */
final class Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    /** A close step that may throw anything. */
    interface Step {
        void run() throws Exception;
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private final Deque<String> names = new ArrayDeque<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    /** Registers {@code step} to run before every step registered earlier. */
    synchronized void onStop(String name, Step step) {
        steps.push(step);
        names.push(name);
    }

    /** Runs every registered step once, newest first. */
    void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            while (!steps.isEmpty()) {
                Step s = steps.pop();
                String name = names.pop();
                try {
                    s.run();
                } catch (Exception e) {
                    LOG.warn("stopping {}: {}", name, e.toString());
                }
            }
        }
        done.countDown();
    }

    /**
     * Blocks until the process is asked to terminate, then stops everything. The JVM runs shutdown hooks on
     * SIGTERM and SIGINT; doing the cleanup there (not in a signal handler) needs no internal API, and the
     * blocked thread is never interrupted, so Ctrl-C prints no stack trace.
     */
    void awaitTermination() {
        Thread hook = new Thread(() -> {
            LOG.info("shutting down");
            stop();
            LOG.info("stopped");
        }, "ftpgate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
        }
    }
}
