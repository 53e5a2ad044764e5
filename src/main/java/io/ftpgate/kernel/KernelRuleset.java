package io.ftpgate.kernel;

import io.ftpgate.net.PortRange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The fixed part of the kernel data path: one nftables table of this instance's own, installed once at start
 * with {@code nft -f} and removed at exit. Per transfer only set elements change ({@link KernelPinholes}).
 *
 * <p>A pinhole is two elements keyed by {@code (peer address . pinhole port)}: one in {@code armed4}/{@code
 * armed6}, which the first new connection deletes (single use), and one in {@code target4}/{@code target6},
 * which maps it to where that connection goes (the other control peer's data address). The rule in
 * {@code pre} does both in one step and DNATs; {@code post} SNATs the translated connection to the gateway's
 * address on the far side, found from the gateway address the peer connected to; connections to the pinhole
 * range that match no element are counted in {@code impostors}. docs/data-paths.md ("Kernel data path")
 * explains each rule.
 *
 * @param table the table's name, one per instance ({@link #tableName})
 * @param pinholes the port range pinholes are taken from
 * @param sides the gateway's address pairs: a connection to one side's address leaves from the other's
 */
public record KernelRuleset(String table, PortRange pinholes, List<Sides> sides) {

    /** The named counter of connections to the pinhole range that matched no pinhole. */
    static final String IMPOSTORS = "impostors";
    /** nftables identifiers: a letter, then letters, digits, '_' (nft's scanner accepts more; ftpgate needs no more). */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_]");
    /**
     * How long a connection's counters outlive its last packet when ftpgate does not remove them (it reads and
     * removes them when the transfer ends): longer than any data-idle timeout, so a slow transfer keeps its own.
     */
    private static final String FLOW_TIMEOUT = "1h";
    /** How long {@code nft -f} may take to install or remove the table before ftpgate gives up on it. */
    private static final long NFT_TIMEOUT_SECONDS = 10;

    /**
     * The gateway's own addresses on the two sides of one listener, of one family.
     *
     * @param clientSide where clients reach the gateway (and active-mode data connections leave toward clients)
     * @param serverSide where the gateway reaches the server from
     */
    public record Sides(InetAddress clientSide, InetAddress serverSide) {
        public Sides {
            if (clientSide.getClass() != serverSide.getClass()) {
                throw new IllegalArgumentException("the kernel data path does not translate between IPv4 and IPv6: "
                        + clientSide.getHostAddress() + " and " + serverSide.getHostAddress());
            }
        }
    }

    public KernelRuleset {
        Objects.requireNonNull(pinholes, "pinholes");
        sides = List.copyOf(sides);
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("not an nftables table name: " + table);
        }
    }

    /** The table name for an instance: {@code ftpgate_} and the instance name with anything unsafe as '_'. */
    public static String tableName(String instance) {
        return "ftpgate_" + UNSAFE.matcher(instance).replaceAll("_");
    }

    /**
     * The script that installs the table: it first declares and deletes the table, so a table a crashed
     * instance left is removed in the same transaction, and the host's other tables are never touched.
     */
    public String installScript() {
        String range = pinholes.low() + "-" + pinholes.high();
        StringBuilder s = new StringBuilder();
        s.append("table inet ").append(table).append(" { }\n");
        s.append("delete table inet ").append(table).append('\n');
        s.append("table inet ").append(table).append(" {\n");
        for (String v : List.of("4", "6")) {
            String type = v.equals("4") ? "ipv4_addr" : "ipv6_addr";
            s.append("  set armed").append(v).append(" { type ").append(type)
                    .append(" . inet_service; flags timeout; }\n");
            s.append("  map target").append(v).append(" { type ").append(type).append(" . inet_service : ")
                    .append(type).append(" . inet_service; flags timeout; }\n");
        }
        for (String v : List.of("4", "6")) {
            String type = v.equals("4") ? "ipv4_addr" : "ipv6_addr";
            s.append("  set flows").append(v).append(" { type ").append(type)
                    .append(" . inet_service . ct_dir; flags dynamic, timeout; timeout ").append(FLOW_TIMEOUT)
                    .append("; counter; }\n");
        }
        s.append("  counter ").append(IMPOSTORS).append(" { }\n");
        s.append("  chain pre {\n    type nat hook prerouting priority dstnat - 1; policy accept;\n");
        for (String ip : List.of("ip", "ip6")) {
            String v = ip.equals("ip") ? "4" : "6";
            String key = ip + " saddr . tcp dport";
            s.append("    ct state new ").append(key).append(" @armed").append(v).append(" delete @armed").append(v)
                    .append(" { ").append(key).append(" } dnat ").append(ip).append(" to ").append(key)
                    .append(" map @target").append(v).append('\n');
        }
        s.append("    ct state new fib daddr type local tcp dport ").append(range)
                .append(" counter name ").append(IMPOSTORS).append('\n');
        s.append("  }\n");
        s.append("  chain count {\n    type filter hook forward priority filter - 1; policy accept;\n");
        for (String ip : List.of("ip", "ip6")) {
            s.append("    ct status dnat meta l4proto tcp ct original proto-dst ").append(range).append(" update @flows")
                    .append(ip.equals("ip") ? "4" : "6").append(" { ct original ").append(ip)
                    .append(" saddr . ct original proto-dst . ct direction }\n");
        }
        s.append("  }\n");
        s.append("  chain post {\n    type nat hook postrouting priority srcnat - 1; policy accept;\n");
        for (Sides pair : sides) {
            snat(s, range, pair.clientSide(), pair.serverSide());
            if (!pair.clientSide().equals(pair.serverSide())) {
                snat(s, range, pair.serverSide(), pair.clientSide());
            }
        }
        s.append("  }\n}\n");
        return s.toString();
    }

    /** The script that removes the table (at a clean exit). */
    public String removeScript() {
        return "delete table inet " + table + "\n";
    }

    private static void snat(StringBuilder s, String range, InetAddress arrivedAt, InetAddress leaveFrom) {
        String ip = arrivedAt instanceof Inet4Address ? "ip" : "ip6";
        s.append("    ct status dnat meta l4proto tcp ct original proto-dst ").append(range)
                .append(" ct original ").append(ip).append(" daddr ").append(arrivedAt.getHostAddress())
                .append(" snat ").append(ip).append(" to ").append(leaveFrom.getHostAddress()).append('\n');
    }

    /**
     * Runs {@code script} through {@code nft -f -}; {@code command} is how to call nft (normally just
     * {@code nft}; tests prefix {@code ip netns exec NS}). A failure is one line with nft's own message.
     */
    public static void apply(List<String> command, String script) {
        Process p;
        try {
            p = new ProcessBuilder(concat(command)).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new NetlinkException("cannot run " + String.join(" ", command) + ": " + e.getMessage()
                    + " (the kernel data path needs the nftables package)");
        }
        try (OutputStream in = p.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // nft ended before reading it all: its exit status and output below say why.
        }
        try {
            if (!p.waitFor(NFT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new NetlinkException("nft -f did not finish within " + NFT_TIMEOUT_SECONDS + " s");
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                String error = output.lines().filter(l -> l.contains("Error")).findFirst()
                        .orElse(output.isEmpty() ? "no output" : output.lines().findFirst().orElseThrow());
                throw new NetlinkException("nft -f failed (exit " + p.exitValue() + "): " + error
                        + (error.contains("Operation not permitted") ? "; " + Errno.NEEDS_NET_ADMIN : ""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new NetlinkException("interrupted while nft -f ran");
        } catch (IOException e) {
            throw new NetlinkException("cannot read nft's output: " + e.getMessage());
        }
    }

    private static List<String> concat(List<String> command) {
        return Stream.concat(command.stream(), Stream.of("-f", "-")).toList();
    }
}
