package io.ftpgate.cli;

import io.ftpgate.config.ConfigValues;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.policy.Placement;
import io.ftpgate.net.PortRange;
import io.ftpgate.config.Timeouts;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.data.EphemeralPorts;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Human-readable description of an effective configuration, for {@code check-config} and the startup log.
 * Defaults are spelled out, so an administrator sees what the gateway will really do.
 */
final class ListenerSummary {

    private ListenerSummary() {
    }

    /** The headline of a listener: name, placement, addresses and where sessions go. */
    static String headline(ListenerConfig l) {
        String where = l.placement() == Placement.REVERSE
                ? "-> upstream " + l.upstream()
                : "-> destination from USER user@host[:port]";
        return "listener '" + l.name() + "' (" + placement(l) + "): " + join(l.listen()) + " " + where;
    }

    /** Everything else about a listener, one item per entry. */
    static List<String> details(ListenerConfig l) {
        List<String> d = new ArrayList<>();
        d.add("public address " + (l.publicAddress() == null
                ? "= local address of each control connection (default)" : l.publicAddress()));
        d.add("client data ports " + l.clientDataPorts());
        d.add("server data ports " + l.serverDataPorts());
        d.add("upstream mode " + ConfigValues.name(l.upstreamMode())
                + (l.upstreamMode() != UpstreamMode.ACTIVE && !l.earlyServerLeg()
                        ? " (early server leg off)" : ""));
        d.add("allow-client " + (l.allowClient().isEmpty()
                ? (l.placement() == Placement.REVERSE ? "any (default)" : "loopback and private ranges (default)")
                : join(l.allowClient())));
        if (l.placement() == Placement.FORWARD) {
            d.add("allow-destination " + (l.allowDestination().isEmpty()
                    ? "any except loopback, link-local, private ranges and ftpgate's own addresses (default)"
                    : join(l.allowDestination())));
        }
        return d;
    }

    /** One log line per listener. */
    static String oneLine(ListenerConfig l) {
        return headline(l) + "; " + String.join("; ", details(l));
    }

    /** The multi-line summary printed by {@code check-config}, indented under the "FILE: OK" line. */
    static List<String> summary(GatewayConfig c) {
        List<String> out = new ArrayList<>();
        for (ListenerConfig l : c.listeners()) {
            out.add("  " + headline(l));
            details(l).forEach(d -> out.add("      " + d));
        }
        out.add("  audit log: " + auditLog(c.auditLog()));
        out.add("  timeouts: " + timeouts(c.timeouts()));
        return out;
    }

    /** {@link #ephemeralWarning(GatewayConfig, EphemeralPorts)} against this machine's kernel, if it has one. */
    static Optional<String> ephemeralWarning(GatewayConfig c) {
        return EphemeralPorts.read(EphemeralPorts.PROC_IPV4).flatMap(kernel -> ephemeralWarning(c, kernel));
    }

    /**
     * A warning when pinhole ranges in use lie inside the kernel's ephemeral port range and are not reserved
     * (see {@link EphemeralPorts} for why), with the {@code sysctl} that fixes it; empty when nothing overlaps.
     * Server data ports count only for listeners that can send PORT/EPRT upstream.
     */
    static Optional<String> ephemeralWarning(GatewayConfig c, EphemeralPorts kernel) {
        List<String> exposed = new ArrayList<>();
        Set<PortRange> ranges = new LinkedHashSet<>();
        for (ListenerConfig l : c.listeners()) {
            exposedRange(kernel, l, "client data ports", l.clientDataPorts(), exposed, ranges);
            if (l.upstreamMode() != UpstreamMode.PASSIVE) {
                exposedRange(kernel, l, "server data ports", l.serverDataPorts(), exposed, ranges);
            }
        }
        if (exposed.isEmpty()) {
            return Optional.empty();
        }
        String reserved = kernel.reservedWith(ranges);
        return Optional.of("pinhole ports inside the kernel's ephemeral port range " + kernel.ephemeral().low() + "-"
                + kernel.ephemeral().high() + " (net.ipv4.ip_local_port_range): " + String.join(", ", exposed)
                + ". Outgoing connections take their local ports from that range, so a pinhole can find its port"
                + " taken and the range runs short sooner under load. Either move the ranges outside it, or keep"
                + " the kernel from choosing them (as root, in ftpgate's network namespace): sysctl -w"
                + " net.ipv4.ip_local_reserved_ports=" + reserved + " (and put it in /etc/sysctl.d/ to keep it)");
    }

    private static void exposedRange(EphemeralPorts kernel, ListenerConfig l, String what, PortRange range,
            List<String> exposed, Set<PortRange> ranges) {
        int n = kernel.exposed(range);
        if (n > 0) {
            exposed.add("listener '" + l.name() + "' " + what + " " + range + " (" + n + " of " + range.size()
                    + " ports not reserved)");
            ranges.add(range);
        }
    }

    static String auditLog(String target) {
        return target == null ? "none" : "-".equals(target) ? "stdout" : target;
    }

    static String timeouts(Timeouts t) {
        return "pinhole " + ConfigValues.format(t.pinhole()) + ", connect " + ConfigValues.format(t.connect())
                + ", control-idle " + ConfigValues.format(t.controlIdle()) + ", login "
                + ConfigValues.format(t.login()) + ", data-idle " + ConfigValues.format(t.dataIdle());
    }

    private static String placement(ListenerConfig l) {
        return l.placement() == Placement.REVERSE ? "reverse" : "forward";
    }

    private static String join(List<?> items) {
        return items.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
