package io.ftpgate.config;

import io.ftpgate.policy.GatewayPolicy;
import java.util.List;

/**
 * The whole, validated configuration of one ftpgate process. Immutable; a reload builds a new one.
 *
 * @param listeners one or more listeners, each with its own placement
 * @param timeouts  timers shared by all listeners
 * @param auditLog  where audit JSON lines go: a file path, {@code "-"} for stdout, or {@code null} for none
 * @param gatewayPolicy monitor mode, admission limits and command profiles
 * @param admin     the admin listener (metrics, live view), or {@code null} when it is off (the default)
 */
public record GatewayConfig(List<ListenerConfig> listeners, Timeouts timeouts, String auditLog,
        GatewayPolicy gatewayPolicy, AdminConfig admin) {

    /** A configuration without an admin listener. */
    public GatewayConfig(List<ListenerConfig> listeners, Timeouts timeouts, String auditLog,
            GatewayPolicy gatewayPolicy) {
        this(listeners, timeouts, auditLog, gatewayPolicy, null);
    }

    /** The same configuration with another admin listener (null: off). */
    public GatewayConfig withAdmin(AdminConfig a) {
        return new GatewayConfig(listeners, timeouts, auditLog, gatewayPolicy, a);
    }

    /** A configuration with the default policy settings. */
    public GatewayConfig(List<ListenerConfig> listeners, Timeouts timeouts, String auditLog) {
        this(listeners, timeouts, auditLog, GatewayPolicy.DEFAULTS);
    }


    public GatewayConfig {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("at least one listener is required");
        }
        timeouts = timeouts == null ? Timeouts.DEFAULTS : timeouts;
        gatewayPolicy = gatewayPolicy == null ? GatewayPolicy.DEFAULTS : gatewayPolicy;
        for (ListenerConfig l : listeners) {
            try {
                l.listenerPolicy().checkProfiles(gatewayPolicy.profiles());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("listener '" + l.name() + "': " + e.getMessage());
            }
        }
    }
}
