package io.ftpgate.cli;

import io.ftpgate.config.ConfigValues;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.Placement;
import io.ftpgate.config.Timeouts;
import java.util.ArrayList;
import java.util.List;
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
                + (l.upstreamMode() != io.ftpgate.config.UpstreamMode.ACTIVE && !l.earlyServerLeg()
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
