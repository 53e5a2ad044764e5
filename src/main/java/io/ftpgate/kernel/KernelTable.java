package io.ftpgate.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The kernel data path's lifetime in one network namespace: {@link #install} checks what the path needs,
 * installs the instance's table (replacing one a crashed instance left) and opens the netlink socket;
 * {@link #close} closes the socket and removes the table. Everything runs in the calling thread's network
 * namespace (the gateway's own, in production).
 */
public final class KernelTable implements AutoCloseable {

    /** The sysctls that must be 1: the translated connections are forwarded, not delivered. */
    private static final Path IPV4_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
    private static final Path IPV6_FORWARD = Path.of("/proc/sys/net/ipv6/conf/all/forwarding");

    private final List<String> nft;
    private final KernelRuleset ruleset;
    private final NetlinkSocket socket;
    private final KernelPinholes pinholes;
    private final boolean ipv6;
    private boolean closed;

    private KernelTable(List<String> nft, KernelRuleset ruleset, NetlinkSocket socket, boolean ipv6) {
        this.nft = nft;
        this.ruleset = ruleset;
        this.socket = socket;
        this.ipv6 = ipv6;
        this.pinholes = new KernelPinholes(socket, ruleset.table());
    }

    /**
     * Checks IPv4 forwarding, installs the table with {@code nft} (normally {@code List.of("nft")}) and opens
     * the netlink socket. A {@link NetlinkException} with one line says what is missing; nothing is left
     * installed then. IPv6 forwarding is optional: without it IPv6 transfers stay on the relay ({@link #ipv6}).
     */
    public static KernelTable install(List<String> nft, KernelRuleset ruleset, Duration receiveTimeout) {
        requireOn(IPV4_FORWARD, "net.ipv4.ip_forward");
        boolean ipv6 = forwardingOn(true);
        KernelRuleset.apply(nft, ruleset.installScript());
        try {
            return new KernelTable(nft, ruleset, NetlinkSocket.open(receiveTimeout), ipv6);
        } catch (NetlinkException e) {
            KernelRuleset.apply(nft, ruleset.removeScript());
            throw e;
        }
    }

    /** True when IPv6 forwarding is on, so IPv6 transfers may take the kernel path. */
    public boolean ipv6() {
        return ipv6;
    }

    /** The table's name. */
    public String name() {
        return ruleset.table();
    }

    /** Arms and releases this instance's pinholes. */
    public KernelPinholes pinholes() {
        return pinholes;
    }

    /** Closes the socket and removes the table (a clean exit). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            socket.close();
            KernelRuleset.apply(nft, ruleset.removeScript());
        }
    }

    /** Whether this namespace forwards IPv4 (or, with {@code ipv6}, IPv6): what the path needs, read here. */
    public static boolean forwardingOn(boolean ipv6) {
        try {
            return "1".equals(Files.readString(ipv6 ? IPV6_FORWARD : IPV4_FORWARD, StandardCharsets.US_ASCII)
                    .strip());
        } catch (IOException e) {
            return false; // no IPv6 in this kernel
        }
    }

    private static void requireOn(Path sysctl, String name) {
        String value;
        try {
            value = Files.readString(sysctl, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new NetlinkException("cannot read " + sysctl + ": " + e.getMessage());
        }
        if (!"1".equals(value)) {
            throw new NetlinkException(name + " is " + value + ": the kernel data path forwards each data connection,"
                    + " so it needs " + name + "=1");
        }
    }
}
