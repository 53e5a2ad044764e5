package io.ftpgate.kernel;

import io.ftpgate.net.PortRange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The fixed part of the kernel data path: one nftables table of this instance's own, installed once at start
 * with {@code nft -f} and removed at exit. Per transfer only set elements change ({@link KernelPinholes}).
 *
 * <p>A pinhole is keyed by {@code (peer address . pinhole port)}: {@code armedN} holds it until the first new
 * connection deletes it (single use); {@code targetN} maps it to where that connection goes (the other control
 * peer's data address), {@code sourceN} to the gateway's own address on that side (the address the other peer
 * knows the gateway by). {@code pre} consumes, translates and DNATs in one rule; {@code post} SNATs;
 * {@code count} resets any connection of a pinhole beyond its first ({@code firstN}: conntrack's own count, so
 * two SYNs on two CPUs cannot both pass), counts each direction of a translated connection in {@code flowsN},
 * deletes its {@code firstN} element at its first FIN or RST (the end ftpgate waits for), and resets a connection ftpgate has cut ({@code killedN}).
 * Connections to the pinhole ranges that match no pinhole and that no relay pinhole listens for are counted in
 * {@code impostors}.
 * docs/data-paths.md ("Kernel data path") explains each rule.
 *
 * @param table the table's name, one per instance ({@link #tableName})
 * @param ranges the port ranges pinholes are taken from (every listener's client and server data ports)
 */
public record KernelRuleset(String table, List<PortRange> ranges) {

    /** The named counter of connections to the pinhole ranges that matched no pinhole. */
    static final String IMPOSTORS = "impostors";
    /** nftables identifiers: a letter, then letters, digits, '_' (nft's scanner accepts more; ftpgate needs no more). */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_]");
    /** How long {@code nft -f} may take to install or remove the table before ftpgate gives up on it. */
    private static final long NFT_TIMEOUT_SECONDS = 10;

    public KernelRuleset {
        ranges = List.copyOf(ranges);
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("not an nftables table name: " + table);
        }
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("the kernel data path needs at least one pinhole port range");
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
        String range = ranges.stream().map(r -> r.low() + "-" + r.high()).distinct()
                .collect(Collectors.joining(", ", "{ ", " }"));
        StringBuilder s = new StringBuilder();
        s.append("table inet ").append(table).append(" { }\n");
        s.append("delete table inet ").append(table).append('\n');
        s.append("table inet ").append(table).append(" {\n");
        for (String v : List.of("4", "6")) {
            String addr = v.equals("4") ? "ipv4_addr" : "ipv6_addr";
            String key = addr + " . inet_service";
            s.append("  set armed").append(v).append(" { type ").append(key).append("; flags timeout; }\n");
            s.append("  map target").append(v).append(" { type ").append(key).append(" : ").append(key)
                    .append("; }\n");
            s.append("  map source").append(v).append(" { type ").append(key).append(" : ").append(addr)
                    .append("; }\n");
            s.append("  set flows").append(v).append(" { type ").append(key).append(" . ct_dir; counter; }\n");
            s.append("  set killed").append(v).append(" { type ").append(key).append("; flags timeout; }\n");
            s.append("  set first").append(v).append(" { type ").append(key).append("; flags dynamic; }\n");
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
        // A relay pinhole listening on the port takes (and reports) its own connections: not counted here.
        String unmatched = "    ct state new fib daddr type local tcp dport " + range;
        s.append(unmatched).append(" socket transparent 0 return\n");
        s.append(unmatched).append(" socket transparent 1 return\n");
        s.append(unmatched).append(" counter name ").append(IMPOSTORS).append('\n');
        s.append("  }\n");
        s.append("  chain count {\n    type filter hook forward priority filter - 1; policy accept;\n");
        for (String ip : List.of("ip", "ip6")) {
            String v = ip.equals("ip") ? "4" : "6";
            String pinhole = "ct original " + ip + " saddr . ct original proto-dst";
            String flow = pinhole + " . ct direction";
            String ours = "    ct status dnat meta l4proto tcp ";
            // Single use, first wins: the pinhole's armed element is deleted by the first connection's own rule,
            // but the kernel does not tell two SYNs evaluated at the same instant apart (the delete does not
            // fail the rule). Counting the pinhole's connections here settles it: any beyond the first is reset
            // (and counted). Two truly simultaneous ones may both see two, and both are reset: never two.
            s.append("    ct state new ").append(ours.substring(4)).append(pinhole).append(" @source").append(v)
                    .append(" add @first").append(v).append(" { ").append(pinhole).append(" ct count over 1 }")
                    .append(" counter name ").append(IMPOSTORS).append(" reject with tcp reset\n");
            s.append(ours).append(pinhole).append(" @killed").append(v).append(" reject with tcp reset\n");
            // A lookup in a set with counters counts the packet in the element it finds: one lookup per packet.
            s.append(ours).append("tcp flags & (fin | rst) == 0 ").append(flow).append(" @flows").append(v)
                    .append('\n');
            // The first FIN or RST (either direction) deletes the pinhole's firstN element, which its connection's
            // first packet added: so "connected, and no firstN element" says the connection is ending. A late
            // packet of a connection released already finds nothing to delete, and can leave no stale mark.
            s.append(ours).append("tcp flags & (fin | rst) != 0 ").append(flow).append(" @flows").append(v)
                    .append(" delete @first").append(v).append(" { ").append(pinhole).append(" }\n");
        }
        s.append("  }\n");
        s.append("  chain post {\n    type nat hook postrouting priority srcnat - 1; policy accept;\n");
        for (String ip : List.of("ip", "ip6")) {
            s.append("    ct status dnat meta l4proto tcp snat ").append(ip).append(" to ").append(ip)
                    .append(" saddr . ct original proto-dst map @source").append(ip.equals("ip") ? "4" : "6")
                    .append('\n');
        }
        s.append("  }\n}\n");
        return s.toString();
    }

    /** The script that removes the table (at a clean exit). */
    public String removeScript() {
        return "delete table inet " + table + "\n";
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
