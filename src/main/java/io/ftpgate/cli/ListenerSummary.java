package io.ftpgate.cli;

import io.ftpgate.config.ConfigValues;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerTls;
import io.ftpgate.tls.TlsSettings;
import io.ftpgate.config.ListenerProxy;
import io.ftpgate.proxy.ProxyHeaderReader;
import io.ftpgate.policy.Placement;
import io.ftpgate.net.PortRange;
import io.ftpgate.config.Timeouts;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.data.EphemeralPorts;
import io.ftpgate.policy.CommandProfile;
import io.ftpgate.policy.DestinationRules;
import io.ftpgate.policy.GatewayPolicy;
import io.ftpgate.policy.Limits;
import io.ftpgate.policy.ListenerPolicy;
import io.ftpgate.policy.UpstreamHealth;
import io.ftpgate.policy.UpstreamPolicy;
import io.ftpgate.policy.UserRule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
        String where = switch (l.placement()) {
            case REVERSE -> l.upstreams().size() == 1 && l.upstreamPolicy() == UpstreamPolicy.ROUND_ROBIN
                    ? "-> upstream " + l.upstream()
                    : "-> upstream pool " + join(l.upstreams()) + " (" + pool(l) + ")";
            case FORWARD -> "-> destination from USER user@host[:port]";
            case TRANSPARENT -> "-> each connection's original destination (TPROXY), from the "
                    + (l.transparentSource() == Placement.Source.CLIENT ? "client's" : "gateway's") + " address";
        };
        return "listener '" + l.name() + "' (" + placement(l) + "): " + join(l.listen()) + " " + where;
    }

    /** How a pool chooses and fails over, in words. */
    private static String pool(ListenerConfig l) {
        String how = switch (l.upstreamPolicy()) {
            case ROUND_ROBIN -> "round-robin";
            case LEAST_SESSIONS -> "least-sessions: the server with the fewest sessions";
            case PER_USER -> "per-user: the same user always reaches the same server; connected at USER";
        };
        return how + "; failover at connect time, a failed server skipped for "
                + ConfigValues.format(UpstreamHealth.DOWN_TIME);
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
        if (l.dataPath() == io.ftpgate.config.DataPathMode.KERNEL) {
            d.add("data path kernel for " + switch (l.upstreamMode()) {
                case PASSIVE -> "PASV/EPSV clients (PORT/EPRT clients are relayed: upstream mode passive)";
                case ACTIVE -> "PORT/EPRT clients (PASV/EPSV clients are relayed: upstream mode active)";
                case CLIENT -> "every client";
            } + "; TLS data and IPv4-IPv6 mixes relayed");
        }
        d.add("allow-client " + (l.allowClient().isEmpty()
                ? (l.placement() == Placement.REVERSE ? "any (default)" : "loopback and private ranges (default)")
                : join(l.allowClient())));
        ListenerPolicy p = l.listenerPolicy();
        listed(d, "deny-client", p.denyClient());
        DestinationRules r = p.destinations();
        if (l.placement().choosesDestination()) {
            d.add("allow-destination " + (l.allowDestination().isEmpty()
                    ? "any except loopback, link-local, private ranges and ftpgate's own addresses (default)"
                    : join(l.allowDestination())));
        }
        listed(d, "deny-destination", r.deny());
        listed(d, "allow-destination-hosts", r.allowHosts());
        listed(d, "deny-destination-hosts", r.denyHosts());
        if (r.ports() != null || l.placement().choosesDestination()) {
            d.add("destination-ports " + (r.ports() == null ? ports(DestinationRules.DEFAULT_PORTS) + " (default)"
                    : ports(r.ports())));
        }
        d.add(!p.anonymous() ? "anonymous off" : "anonymous on, anonymous-write " + (p.anonymousWrite() ? "on"
                : "off") + (p.anonymousWrite() || p.incoming() != null ? "" : " (default)"));
        if (p.incoming() != null) {
            d.add("anonymous-incoming " + p.incoming() + " (upload only: no list, download, rename or delete)");
        }
        commandProfiles(d, p);
        tls(d, l.tls());
        proxy(d, l);
        if (l.banner() != null) {
            d.add("banner \"" + l.banner() + "\" (the server's greeting text is not shown)");
        }
        if (l.systReply() != null) {
            d.add("syst-reply \"" + l.systReply() + "\"");
        }
        if (!p.fxp().isEmpty()) {
            d.add("fxp " + p.fxp().stream().map(f -> "client " + join(f.clients()) + " -> peer " + join(f.peers()))
                    .collect(Collectors.joining("; ")));
        }
        return d;
    }

    /** FTPS toward clients and toward the server, when on. */
    private static void tls(List<String> d, ListenerTls t) {
        if (t.client().on()) {
            d.add("client-tls " + lower(t.client()) + ", certificate " + t.certificate() + ", key " + t.key()
                    + (t.clientCa() == null ? "" : ", client certificates from " + t.clientCa())
                    + (t.requireProtP() ? ", PROT P required" : "")
                    + (t.requireDataSessionReuse() ? ", data connections must resume the control TLS session"
                            : ", data-session reuse not required"));
        }
        if (t.server().on()) {
            String verify = !t.serverVerify() ? "server certificate NOT verified"
                    : t.serverFingerprint() != null ? "server certificate pinned (SHA-256 " + t.serverFingerprint() + ")"
                    : t.serverCa() != null ? "server verified against " + t.serverCa()
                    : "server verified against the system trust store";
            d.add("server-tls " + lower(t.server()) + ", data protection " + lower(t.serverDataProtection()) + ", "
                    + verify + (t.serverClientCertificate() == null ? ""
                            : ", client certificate " + t.serverClientCertificate() + " presented to the server"));
        }
        if ((t.client().on() || t.server().on()) && !t.protocols().equals(ListenerTls.DEFAULT_PROTOCOLS)) {
            d.add("tls-protocols " + String.join(", ", t.protocols()));
        }
        if (t.client().on() || t.server().on()) {
            d.add("tls-provider " + (t.provider() == null ? TlsSettings.Provider.preferred().configName() + " (default)"
                    : t.provider().configName()));
        }
    }

    /** PROXY protocol in (control, data) and out, when on; and which data design the listener is set up for. */
    private static void proxy(List<String> d, ListenerConfig l) {
        ListenerProxy x = l.proxy();
        if (x.in().on()) {
            d.add("proxy-protocol " + x.in().text() + " from " + join(x.from()) + " (the header names the client;"
                    + " anyone else, no header, another version or none within "
                    + ConfigValues.format(ProxyHeaderReader.HEADER_TIMEOUT) + " is refused)");
        }
        if (x.data().on()) {
            d.add("data-proxy-protocol " + x.data().text() + ": client pinholes take a PROXY header from "
                    + join(x.from()) + " first and bind to the client it names (data through the balancer)");
        } else if (x.in().on()) {
            d.add(l.publicAddress() == null
                    ? "data connections: 227/229 advertise the address the client connected to (the balancer's);"
                            + " set public-address for direct data connections, or data-proxy-protocol"
                    : "data connections go straight to this instance's public address " + l.publicAddress());
        }
        if (x.server().on()) {
            d.add("server-proxy-protocol " + x.server().text() + ": ftpgate sends the server a header naming the"
                    + " client");
        }
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The profile each user gets: the rules, first match wins, then the default profile. */
    private static void commandProfiles(List<String> d, ListenerPolicy p) {
        for (int i = 0; i < p.rules().size(); i++) {
            UserRule rule = p.rules().get(i);
            List<String> who = new ArrayList<>();
            if (rule.user() != null) {
                who.add("user " + rule.user());
            }
            if (!rule.clients().isEmpty()) {
                who.add("client " + join(rule.clients()));
            }
            if (!rule.destinations().isEmpty()) {
                who.add("destination " + join(rule.destinations()));
            }
            if (rule.certificate() != null) {
                who.add("client certificate " + rule.certificate());
            }
            d.add("rule " + (i + 1) + ": " + (who.isEmpty() ? "any user" : String.join(", ", who)) + " -> profile "
                    + rule.profile());
        }
        boolean dflt = p.defaultProfile().equals(ListenerPolicy.DEFAULTS.defaultProfile());
        d.add("default-profile " + p.defaultProfile() + (p.rules().isEmpty() ? " for every user" : " when no rule"
                + " matches") + (dflt ? " (default)" : ""));
    }

    /** A profile the file defines: its verbs, sorted, and its reply when not the default one. */
    private static String profile(CommandProfile c) {
        String verbs = !c.allow().isEmpty() ? "allow " + join(new TreeSet<>(c.allow()))
                : c.deny().isEmpty() ? "allow every command" : "deny " + join(new TreeSet<>(c.deny()));
        boolean defaultReply = c.replyCode() == CommandProfile.DEFAULT_REPLY_CODE
                && c.replyText().equals(CommandProfile.DEFAULT_REPLY_TEXT);
        return "profile '" + c.name() + "': " + verbs
                + (defaultReply ? "" : "; reply \"" + c.replyCode() + " " + c.replyText() + "\"");
    }

    /** Ports as written in the file: {@code 21, 2121-2130}. */
    private static String ports(List<PortRange> ranges) {
        return ranges.stream().map(r -> r.size() == 1 ? String.valueOf(r.low()) : r.toString())
                .collect(Collectors.joining(", "));
    }

    private static void listed(List<String> d, String key, List<?> items) {
        if (!items.isEmpty()) {
            d.add(key + " " + join(items));
        }
    }

    /** The gateway-wide policy: monitor mode, limits and the profiles the file defines, one line each. */
    static List<String> gatewayPolicy(GatewayPolicy g) {
        List<String> out = new ArrayList<>();
        out.add("monitor: " + (g.monitor() ? "on (policy verdicts are logged with \"enforced\": false, not applied)"
                : "off (default)"));
        Limits m = g.limits();
        out.add("limits: max-sessions " + m.maxSessions() + ", max-sessions-per-client " + m.maxSessionsPerClient()
                + ", max-login-failures " + m.maxLoginFailures() + ", block-time "
                + ConfigValues.format(m.blockTime()));
        g.profiles().values().stream().filter(c -> !CommandProfile.BUILT_IN.containsKey(c.name()))
                .sorted(Comparator.comparing(CommandProfile::name)).forEach(c -> out.add(profile(c)));
        return out;
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
        gatewayPolicy(c.gatewayPolicy()).forEach(line -> out.add("  " + line));
        out.add("  audit log: " + auditLog(c.auditLog()));
        if (c.auditSyslog() != null) {
            out.add("  audit syslog: " + AuditOutputs.describeSyslog(c.auditSyslog()));
        }
        out.add("  timeouts: " + timeouts(c.timeouts()));
        out.add("  admin listener: " + (c.admin() == null ? "off (default)" : "http://" + c.admin().listen()
                + (c.admin().tokenFile() == null ? ", no token (loopback only)"
                        : ", token from " + c.admin().tokenFile())));
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
        return l.placement().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String join(Collection<?> items) {
        return items.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
