package io.ftpgate.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGHUP, the conventional "reload your configuration" signal of Unix daemons (and what
 * {@code systemctl reload} sends with {@code ExecReload=/bin/kill -HUP $MAINPID}).
 */
final class ReloadSignal {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);

    private ReloadSignal() {
    }

    /** Installs {@code action} for SIGHUP; logs and carries on where the platform has no such signal. */
    static void install(Runnable action) {
        boolean installed = Signals.handle("HUP", () -> {
            LOG.info("SIGHUP received: reloading the configuration");
            action.run();
        });
        if (!installed) {
            LOG.warn("SIGHUP reload is not available on this platform");
        }
    }
}
