package io.ftpgate.control;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A session's spare passive server leg: opened early for the next transfer ({@link DataBroker}), or given back
 * by a transfer that never sent its command on it, and dropped when the session's spare-leg time runs out.
 * Runs on the session's event loop.
 */
final class SpareServerLeg {

    private final Session s;
    private ServerPassiveLeg spare;
    private ScheduledFuture<?> expiry;

    SpareServerLeg(Session s) {
        this.s = s;
    }

    /** Keeps {@code leg} as the spare until the spare-leg time runs out. */
    void keep(ServerPassiveLeg leg) {
        spare = leg;
        expiry = s.loop().schedule(() -> {
            if (spare == leg) {
                discard();
            }
        }, s.ctx().timeouts().spareLeg().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True while there is a spare that can still carry a transfer. */
    boolean alive() {
        return spare != null && spare.alive();
    }

    /** The spare without taking it (to wait for its answer), or null. */
    ServerPassiveLeg peek() {
        return spare;
    }

    /** Hands the spare to a transfer: null when there is none still alive (a dead one is dropped). */
    ServerPassiveLeg take() {
        if (spare != null && !spare.alive()) {
            discard();
        }
        ServerPassiveLeg l = spare;
        spare = null;
        cancelExpiry();
        return l;
    }

    /**
     * A transfer gives back a server leg that never carried its command (the transfer failed on the client's
     * side first): closing it could make the server answer a command nobody sent (see
     * {@link ServerPassiveLeg}), so it waits for the next transfer instead.
     */
    void giveBack(ServerPassiveLeg leg) {
        if (spare == null && !s.isClosed() && leg.alive()) {
            keep(leg);
        } else {
            leg.discard();
        }
    }

    /** Drops the spare, if any. */
    void discard() {
        cancelExpiry();
        if (spare != null) {
            spare.discard();
            spare = null;
        }
    }

    private void cancelExpiry() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }
}
