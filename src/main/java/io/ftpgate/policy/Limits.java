package io.ftpgate.policy;

import java.time.Duration;

/**
 * Process-wide admission limits.
 *
 * @param maxSessions           sessions at once, all listeners together
 * @param maxSessionsPerClient  sessions at once from one client address
 * @param maxLoginFailures      failed logins from one address before it is blocked
 * @param blockTime             how long a blocked address stays blocked
 */
public record Limits(int maxSessions, int maxSessionsPerClient, int maxLoginFailures, Duration blockTime) {

    /**
     * Defaults: 10,000 sessions, 50 per client address (a NAT of an office shares one address), 5 login
     * failures then a 10-minute block (vsftpd and pyftpdlib disconnect after 3 failures per session; a block
     * across sessions is what stops password guessing from reconnecting clients).
     */
    public static final Limits DEFAULTS = new Limits(10_000, 50, 5, Duration.ofMinutes(10));

    public Limits {
        if (maxSessions < 1 || maxSessionsPerClient < 1 || maxLoginFailures < 1) {
            throw new IllegalArgumentException("limits must be at least 1");
        }
        if (blockTime == null || blockTime.isNegative()) {
            throw new IllegalArgumentException("block-time must be a positive duration");
        }
    }
}
