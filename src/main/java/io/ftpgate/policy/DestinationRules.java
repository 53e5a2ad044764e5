package io.ftpgate.policy;

import io.ftpgate.net.Cidr;
import io.ftpgate.net.PortRange;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Forward placement: which destinations a client may name in {@code USER user@host[:port]}, beyond the
 * address blocks of {@link AddressPolicy}.
 *
 * <p>Names are checked as typed, before any lookup; the resolved address is then checked separately, so a
 * permitted name that resolves into a denied block is still refused.
 *
 * @param deny        address blocks never reached, whatever allow-destination says
 * @param allowHosts  host-name globs; when not empty, the name must match one
 * @param denyHosts   host-name globs refused
 * @param ports       destination ports allowed
 */
public record DestinationRules(List<Cidr> deny, List<String> allowHosts, List<String> denyHosts,
        List<PortRange> ports) {

    /**
     * Ports allowed by default: the FTP control port and the unprivileged range. An FTP gateway that let
     * clients open a control connection to port 25 or 80 would relay their "FTP commands" to SMTP or HTTP.
     */
    public static final List<PortRange> DEFAULT_PORTS = List.of(new PortRange(21, 21), new PortRange(1024, 65535));

    /** No extra denials; ports 21 and 1024-65535. */
    public static final DestinationRules DEFAULTS = new DestinationRules(List.of(), List.of(), List.of(), null);

    public DestinationRules {
        deny = deny == null ? List.of() : List.copyOf(deny);
        allowHosts = allowHosts == null ? List.of() : List.copyOf(allowHosts);
        denyHosts = denyHosts == null ? List.of() : List.copyOf(denyHosts);
        ports = ports == null ? null : List.copyOf(ports);
    }

    /** Why the name and port as typed are refused, or null when they pass. */
    public String refuseName(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (!allowHosts.isEmpty() && allowHosts.stream().noneMatch(g -> glob(g).matcher(h).matches())) {
            return "host " + host + " is not in allow-destination-hosts";
        }
        if (denyHosts.stream().anyMatch(g -> glob(g).matcher(h).matches())) {
            return "host " + host + " is in deny-destination-hosts";
        }
        return refusePort(port);
    }

    /**
     * Why {@code port} is refused, or null when it is allowed. Transparent placement checks only this (and the
     * address blocks): its destination is an address from the connection, there is no name to match.
     */
    public String refusePort(int port) {
        boolean portOk = (ports == null ? DEFAULT_PORTS : ports).stream().anyMatch(r -> r.contains(port));
        return portOk ? null : "port " + port + " is not an allowed destination port";
    }

    private static Pattern glob(String g) {
        return UserRule.glob(g.toLowerCase(Locale.ROOT));
    }
}
