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
 * @param spareLeg        a spare (early) server data leg that no transfer has taken for this long is closed.
 *                        Clients send their transfer command within milliseconds of PASV/EPSV, and servers time
 *                        out idle data connections (pyftpdlib ends the whole session after 300 s); a transfer
 *                        that comes later simply opens a fresh leg. Not a YAML key: tests shorten it.
 */
public record Timeouts(Duration pinhole, Duration connect, Duration controlIdle, Duration login, Duration dataIdle,
        Duration spareLeg) {

    /** The spare server leg's limit (see {@link #spareLeg}). */
    public static final Duration DEFAULT_SPARE_LEG = Duration.ofSeconds(20);

    /** Defaults: pinhole 30 s, connect 30 s, control idle 900 s, login 60 s, data idle 300 s, spare leg 20 s. */
    public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(30),
            Duration.ofSeconds(900), Duration.ofSeconds(60), Duration.ofSeconds(300));

    public Timeouts {
        for (Duration d : new Duration[] {pinhole, connect, controlIdle, login, dataIdle, spareLeg}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive durations");
            }
        }
    }

    /** The five configurable timers, with the spare-leg limit at its default. */
    public Timeouts(Duration pinhole, Duration connect, Duration controlIdle, Duration login, Duration dataIdle) {
        this(pinhole, connect, controlIdle, login, dataIdle, DEFAULT_SPARE_LEG);
    }

    /** Returns a copy with the pinhole timeout replaced. */
    public Timeouts withPinhole(Duration d) {
        return new Timeouts(d, connect, controlIdle, login, dataIdle, spareLeg);
    }

    /** Returns a copy with the spare-leg limit replaced. */
    public Timeouts withSpareLeg(Duration d) {
        return new Timeouts(pinhole, connect, controlIdle, login, dataIdle, d);
    }
}
