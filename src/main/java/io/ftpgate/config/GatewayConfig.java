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
 * @param auditSyslog where a copy of the audit events goes: {@code journal}, a local socket path, a syslog server
 *                  {@code HOST:PORT} (UDP), or {@code null} for none (see {@link ConfigValues#auditSyslog})
 * @param admin     the admin listener (metrics, live view), or {@code null} when it is off (the default)
 */
public record GatewayConfig(List<ListenerConfig> listeners, Timeouts timeouts, String auditLog,
        GatewayPolicy gatewayPolicy, String auditSyslog, AdminConfig admin) {

    /** A configuration without a syslog copy of the audit log and without an admin listener. */
    public GatewayConfig(List<ListenerConfig> listeners, Timeouts timeouts, String auditLog,
            GatewayPolicy gatewayPolicy) {
        this(listeners, timeouts, auditLog, gatewayPolicy, null, null);
    }

    /** The same configuration with another admin listener (null: off). */
    public GatewayConfig withAdmin(AdminConfig a) {
        return new GatewayConfig(listeners, timeouts, auditLog, gatewayPolicy, auditSyslog, a);
    }

    /** A configuration with the default policy settings. */
    public GatewayConfig(List<ListenerConfig> listeners, Timeouts timeouts, String auditLog) {
        this(listeners, timeouts, auditLog, GatewayPolicy.DEFAULTS, null, null);
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

    /**
     * The client and server data port ranges of the listeners with {@code data-path: kernel}, in listener
     * order: what the kernel path's table is installed for. Empty when no listener uses it.
     */
    public static List<io.ftpgate.net.PortRange> kernelDataPorts(List<ListenerConfig> listeners) {
        List<io.ftpgate.net.PortRange> ranges = new java.util.ArrayList<>();
        for (ListenerConfig l : listeners) {
            if (l.dataPath() == DataPathMode.KERNEL) {
                ranges.add(l.clientDataPorts());
                ranges.add(l.serverDataPorts());
            }
        }
        return ranges;
    }
}
