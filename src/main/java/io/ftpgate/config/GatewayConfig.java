package io.ftpgate.config;

import io.ftpgate.policy.PolicySettings;
import java.util.List;

/**
 * The whole, validated configuration of one ftpgate process. Immutable; a reload builds a new one.
 *
 * @param listeners one or more listeners, each with its own placement
 * @param timeouts  timers shared by all listeners
 * @param auditLog  where audit JSON lines go: a file path, {@code "-"} for stdout, or {@code null} for none
 * @param policy    monitor mode, admission limits and command profiles
 */
public record GatewayConfig(List<ListenerConfig> listeners, Timeouts timeouts, String auditLog,
        PolicySettings policy) {

    /** A configuration with the default policy settings. */
    public GatewayConfig(List<ListenerConfig> listeners, Timeouts timeouts, String auditLog) {
        this(listeners, timeouts, auditLog, PolicySettings.DEFAULTS);
    }


    public GatewayConfig {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("at least one listener is required");
        }
        timeouts = timeouts == null ? Timeouts.DEFAULTS : timeouts;
        policy = policy == null ? PolicySettings.DEFAULTS : policy;
        for (ListenerConfig l : listeners) {
            try {
                l.policy().checkProfiles(policy.profiles());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("listener '" + l.name() + "': " + e.getMessage());
            }
        }
    }
}
