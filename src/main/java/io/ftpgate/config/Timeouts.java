package io.ftpgate.config;

import java.time.Duration;

/**
 * Every timer the gateway runs, with secure defaults.
 *
 * @param pinhole         how long a data pinhole waits for its one expected connection
 * @param connect         upper bound on any outward TCP connect (upstream control, data legs)
 * @param controlIdle     a control connection with no complete command for this long is closed with 421
 * @param login           a session not logged in after this long is closed with 421
 * @param dataIdle        a data relay moving no byte for this long is aborted
 */
public record Timeouts(Duration pinhole, Duration connect, Duration controlIdle, Duration login, Duration dataIdle) {

    /** Defaults: pinhole 30 s, connect 30 s, control idle 900 s, login 60 s, data idle 300 s. */
    public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(30),
            Duration.ofSeconds(900), Duration.ofSeconds(60), Duration.ofSeconds(300));

    public Timeouts {
        for (Duration d : new Duration[] {pinhole, connect, controlIdle, login, dataIdle}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive durations");
            }
        }
    }

    /** Returns a copy with the pinhole timeout replaced. */
    public Timeouts withPinhole(Duration d) {
        return new Timeouts(d, connect, controlIdle, login, dataIdle);
    }
}
