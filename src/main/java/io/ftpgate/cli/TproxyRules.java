package io.ftpgate.cli;

import io.ftpgate.config.ListenerConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.policy.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The host setup transparent placement needs on a Linux router, as the kernel's TPROXY documentation
 * (Documentation/networking/tproxy.rst) lays it out: an nftables table that marks the packets to hand to
 * ftpgate, and a policy route that delivers marked packets locally.
 *
 * <ul>
 *   <li>{@code tcp dport 21 tproxy to LISTEN} diverts new control connections to any server to the listener;
 *       the accepted socket's local address is the original destination, which is how ftpgate learns the
 *       server.</li>
 *   <li>{@code socket transparent 1} on the client-data-ports range diverts a client's data connection to the
 *       pinhole ftpgate bound (IP_TRANSPARENT) on the server's address and that port: clients such as curl
 *       connect to the control connection's address whatever the 227 says, and here that is the server's.
 *       Only an armed pinhole matches; anything else in the range is routed as before.</li>
 *   <li>with {@code transparent-source: client}, the same on the server-data-ports range: a server in active
 *       mode connects to the client's address, where ftpgate's server-side pinhole waits.</li>
 *   <li>{@code ct state established socket transparent 1}: the return packets of connections ftpgate holds
 *       under a foreign address (toward the client from the server's address; toward the server from the
 *       client's).</li>
 * </ul>
 * Pure text: nothing here touches the host (see {@link TproxyHostCheck}).
 */
final class TproxyRules {

    /** The packet mark of diverted packets; 0x21 for FTP's port 21, any value unused on the router will do. */
    static final String MARK = "0x21";
    /** The routing table that delivers marked packets locally. */
    static final int TABLE = 121;
    /** The nftables table ftpgate's rules live in. */
    static final String NFT_TABLE = "ftpgate";
    /** The FTP control port intercepted by default (RFC 959 §5.4 / IANA). */
    static final int FTP_PORT = 21;

    private TproxyRules() {
    }

    /** The transparent listeners of {@code listeners} (empty when there is none). */
    static List<ListenerConfig> transparent(List<ListenerConfig> listeners) {
        return listeners.stream().filter(l -> l.placement() == Placement.TRANSPARENT).toList();
    }

    /** The families ("ip", "ip6") the transparent listeners listen on. */
    static List<String> families(List<ListenerConfig> listeners) {
        List<String> out = new ArrayList<>();
        for (String family : List.of("ip", "ip6")) {
            if (transparent(listeners).stream().flatMap(l -> l.listen().stream())
                    .anyMatch(hp -> family(hp).contains(family))) {
                out.add(family);
            }
        }
        return out;
    }

    /** The nft script (for {@code nft -f}) and the policy-routing commands, with comments. */
    static String render(List<ListenerConfig> listeners, List<Integer> ftpPorts) {
        List<ListenerConfig> tl = transparent(listeners);
        StringBuilder b = new StringBuilder();
        b.append("# ftpgate transparent placement: nftables TPROXY (load with: nft -f FILE) and policy routing.\n");
        b.append("# Needs a kernel with nft_tproxy and nft_socket, and ftpgate running with CAP_NET_ADMIN.\n");
        for (String family : families(listeners)) {
            b.append("table ").append(family).append(' ').append(NFT_TABLE).append(" {\n");
            b.append("\tchain divert {\n");
            b.append("\t\ttype filter hook prerouting priority mangle; policy accept;\n");
            b.append("\t\t# return packets of connections ftpgate holds under the server's or the client's address\n");
            b.append("\t\tmeta l4proto tcp ct state established,related socket transparent 1 meta mark set ")
                    .append(MARK).append(" accept\n");
            for (ListenerConfig l : tl) {
                List<HostAndPort> here = l.listen().stream().filter(hp -> family(hp).contains(family)).toList();
                if (here.isEmpty()) {
                    continue;
                }
                b.append("\t\t# listener '").append(l.name()).append("': data connections to its pinholes on the")
                        .append(" server's address (client-data-ports)\n");
                pinholes(b, l.clientDataPorts());
                if (l.transparentSource() == Placement.Source.CLIENT) {
                    b.append("\t\t# listener '").append(l.name()).append("': an active server's data connections")
                            .append(" to the client's address (server-data-ports)\n");
                    pinholes(b, l.serverDataPorts());
                }
                b.append("\t\t# listener '").append(l.name()).append("': new FTP control connections, any server\n");
                b.append("\t\ttcp dport ").append(ports(ftpPorts)).append(" tproxy to ")
                        .append(target(here.get(0), family)).append(" meta mark set ").append(MARK)
                        .append(" accept\n");
            }
            b.append("\t}\n}\n");
        }
        for (String family : families(listeners)) {
            String ip = "ip6".equals(family) ? "ip -6" : "ip";
            b.append(ip).append(" rule add fwmark ").append(MARK).append(" lookup ").append(TABLE).append('\n');
            b.append(ip).append(" route add local ").append("ip6".equals(family) ? "::/0" : "0.0.0.0/0")
                    .append(" dev lo table ").append(TABLE).append('\n');
        }
        return b.toString();
    }

    private static void pinholes(StringBuilder b, PortRange range) {
        b.append("\t\ttcp dport ").append(range.low()).append('-').append(range.high())
                .append(" socket transparent 1 meta mark set ").append(MARK).append(" accept\n");
    }

    /** {@code tproxy to} operand: the port alone for a wildcard listener, else address and port. */
    private static String target(HostAndPort hp, String family) {
        String host = hp.host();
        if ("0.0.0.0".equals(host) || "::".equals(host)) {
            return ":" + hp.port();
        }
        return hp.toString(); // [v6]:port or v4:port; the family follows the host, see family()
    }

    /** The families a listen address receives: "[::]" is dual-stack on Linux by default. */
    private static List<String> family(HostAndPort hp) {
        if ("::".equals(hp.host())) {
            return List.of("ip", "ip6");
        }
        return List.of(hp.host().indexOf(':') >= 0 ? "ip6" : "ip");
    }

    private static String ports(List<Integer> ports) {
        if (ports.size() == 1) {
            return String.valueOf(ports.get(0));
        }
        return "{ " + ports.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " }";
    }
}
