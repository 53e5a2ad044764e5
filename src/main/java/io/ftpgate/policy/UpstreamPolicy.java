package io.ftpgate.policy;

import java.util.Locale;

/**
 * How a reverse listener with several upstream servers chooses one for a session (see {@link UpstreamPool}).
 * The names are those written in configuration and in the audit log.
 */
public enum UpstreamPolicy {
    /** Each new session goes to the next server in turn. */
    ROUND_ROBIN,
    /** Each new session goes to the server with the fewest sessions through this gateway. */
    LEAST_SESSIONS,
    /**
     * The same user always reaches the same server (ProFTPD mod_proxy's {@code PerUser}): the gateway greets
     * the client itself and connects once USER names the user.
     */
    PER_USER;

    /** The name as written: {@code round-robin}, {@code least-sessions}, {@code per-user}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The policy named {@code text} (as {@link #text()} writes it); throws with the accepted names. */
    public static UpstreamPolicy parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (UpstreamPolicy p : values()) {
            if (p.text().equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("expected one of round-robin, least-sessions, per-user, got '" + text + "'");
    }
}
