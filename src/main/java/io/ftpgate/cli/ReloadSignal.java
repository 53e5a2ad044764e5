package io.ftpgate.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGHUP, the conventional "reload your configuration and reopen your log files" signal of
 * Unix daemons (what {@code systemctl reload} sends with {@code ExecReload=/bin/kill -HUP $MAINPID}, and what
 * a logrotate {@code postrotate} script sends).
 */
final class ReloadSignal {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);

    private ReloadSignal() {
    }

    /** Installs {@code action} for SIGHUP; logs and carries on where the platform has no such signal. */
    static void install(Runnable action) {
        boolean installed = Signals.handle("HUP", () -> {
            LOG.info("SIGHUP received: reopening the audit log and reloading the configuration");
            action.run();
        });
        if (!installed) {
            LOG.warn("SIGHUP reload is not available on this platform");
        }
    }
}
