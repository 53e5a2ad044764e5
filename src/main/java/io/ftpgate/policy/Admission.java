package io.ftpgate.policy;

import io.ftpgate.event.Reason;
import java.net.InetAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts sessions per client address and login failures, and blocks addresses that fail too often.
 * Shared by all listeners; thread-safe (sessions of different event loops call it). The limits can be
 * replaced on reload without losing the counts.
 */
public final class Admission {

    private final Clock clock;
    private volatile Limits limits;
    // Guarded by this.
    private final Map<InetAddress, Integer> sessions = new HashMap<>();
    private final Map<InetAddress, Integer> failures = new HashMap<>();
    private final Map<InetAddress, Long> blockedUntil = new HashMap<>();
    private int total;

    public Admission(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    /** New limits for admissions from now on. */
    public void setLimits(Limits limits) {
        this.limits = limits;
    }

    /**
     * Admits a new session from {@code client} and counts it, or returns why not (nothing counted then).
     *
     * @return null when admitted, else the reason
     */
    public synchronized Reason admit(InetAddress client) {
        Long until = blockedUntil.get(client);
        if (until != null) {
            if (clock.millis() < until) {
                return Reason.CLIENT_BLOCKED;
            }
            blockedUntil.remove(client);
            failures.remove(client);
        }
        Limits l = limits;
        if (total >= l.maxSessions()) {
            return Reason.TOO_MANY_SESSIONS;
        }
        if (sessions.getOrDefault(client, 0) >= l.maxSessionsPerClient()) {
            return Reason.TOO_MANY_SESSIONS_FROM_CLIENT;
        }
        admitUnchecked(client);
        return null;
    }

    /** Counts a session that is let in although a limit said no (monitor mode). */
    public synchronized void admitUnchecked(InetAddress client) {
        total++;
        sessions.merge(client, 1, Integer::sum);
    }

    /** A session admitted earlier has ended. */
    public synchronized void release(InetAddress client) {
        total--;
        sessions.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Records a failed login; returns true when this failure blocks the address. */
    public synchronized boolean loginFailed(InetAddress client) {
        int n = failures.merge(client, 1, Integer::sum);
        Limits l = limits;
        if (n >= l.maxLoginFailures()) {
            blockedUntil.put(client, clock.millis() + l.blockTime().toMillis());
            return true;
        }
        return false;
    }

    /** A successful login clears the failure count. */
    public synchronized void loginSucceeded(InetAddress client) {
        failures.remove(client);
    }

    /** Sessions currently counted (for tests and metrics). */
    public synchronized int sessions() {
        return total;
    }
}
