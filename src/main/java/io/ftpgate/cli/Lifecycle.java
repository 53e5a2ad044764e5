package io.ftpgate.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Things to stop, in reverse order of start, either on SIGTERM/SIGINT or right away when a later start step
 * fails. Each step is guarded so one failing close never skips the others, and the whole sequence runs at most
 * once.
 */
final class Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    /** A close step that may throw anything. */
    interface Step {
        void run() throws Exception;
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private final Deque<String> names = new ArrayDeque<>();
    /** Counted down by SIGTERM, SIGINT or the JVM's shutdown hook: the waiting thread then stops everything. */
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private boolean signalsHandled;
    private boolean stopped;
    private boolean clean = true;

    /** Registers {@code step} to run before every step registered earlier. */
    synchronized void onStop(String name, Step step) {
        steps.push(step);
        names.push(name);
    }

    /**
     * Runs every registered step once, newest first. A second caller waits until the first has finished, so
     * no one sees "stopped" while the audit log is still being flushed. Returns false when a step failed.
     */
    synchronized boolean stop() {
        if (!stopped) {
            stopped = true;
            while (!steps.isEmpty()) {
                Step s = steps.pop();
                String name = names.pop();
                try {
                    s.run();
                } catch (Exception e) {
                    clean = false;
                    LOG.warn("stopping {}: {}", name, e.toString());
                }
            }
        }
        return clean;
    }

    /**
     * From now on SIGTERM and SIGINT ask {@link #awaitTermination} to stop, instead of the JVM's own handling,
     * which would exit 143 (130 for Ctrl-C) whatever the shutdown hooks do. Call it once everything has
     * started and before saying so: a signal sent as soon as the process reports "listening" must find the
     * handlers in place. The shutdown hook stays for every other way the JVM may end (and for a JVM where the
     * handlers cannot be installed, which then exits 143 as before). Only the first call does anything.
     */
    synchronized void handleStopSignals() {
        if (signalsHandled) {
            return;
        }
        signalsHandled = true;
        for (String signal : new String[] {"TERM", "INT"}) {
            if (!Signals.handle(signal, () -> {
                LOG.info("SIG{} received", signal);
                stopRequested.countDown();
            })) {
                LOG.warn("SIG{} cannot be handled here; stopping by it will end with exit code 128+signal", signal);
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutDown, "ftpgate-shutdown"));
    }

    /**
     * Blocks until SIGTERM or SIGINT (installing the handlers if {@link #handleStopSignals} was not called),
     * stops everything on the calling thread and returns true when every step stopped cleanly; the caller then
     * returns exit code 0, as {@code run --help} promises and as systemd expects of a unit it stopped. The
     * blocked thread is never interrupted, so Ctrl-C prints no stack trace.
     */
    boolean awaitTermination() {
        handleStopSignals();
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return shutDown();
    }

    /** Stops everything once, logged; later calls wait for it and return the same answer. */
    private synchronized boolean shutDown() {
        stopRequested.countDown();
        if (stopped) {
            return clean;
        }
        LOG.info("shutting down");
        boolean ok = stop();
        LOG.info(ok ? "stopped" : "stopped, with errors (see above)");
        return ok;
    }
}
