package io.ftpgate.config;

import java.util.List;

/**
 * The whole, validated configuration of one ftpgate process. Immutable; a reload builds a new one.
 *
 * @param listeners one or more listeners, each with its own placement
 * @param timeouts  timers shared by all listeners
 * @param auditLog  where audit JSON lines go: a file path, {@code "-"} for stdout, or {@code null} for none
 */
public record GatewayConfig(List<ListenerConfig> listeners, Timeouts timeouts, String auditLog) {

    public GatewayConfig {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("at least one listener is required");
        }
        timeouts = timeouts == null ? Timeouts.DEFAULTS : timeouts;
    }
}
