package io.ftpgate.policy;

import io.ftpgate.net.Cidr;
import io.ftpgate.net.SocketAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which clients may use a listener and, in forward placement, which destinations they may reach.
 *
 * <p>Defaults follow the principle of least surprise for a firewall: a reverse listener serves anyone (it
 * fronts a public server); a forward listener serves only loopback and private clients (an open FTP relay on
 * the internet would be an attack tool) and reaches only public destinations, never loopback, link-local,
 * private, multicast or the gateway's own addresses (the CERT "bypassing packet filters" path).
 */
public final class AddressPolicy {

    /** RFC 1122 loopback, RFC 1918 private, RFC 6598 shared (CGN), RFC 4193 unique-local, RFC 4291 loopback. */
    public static final List<Cidr> PRIVATE_CLIENTS = blocks("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12",
            "192.168.0.0/16", "100.64.0.0/10", "::1/128", "fc00::/7");

    /** Never a forward destination by default: RFC 6890 special-purpose blocks that are not the internet. */
    public static final List<Cidr> NON_PUBLIC = blocks("0.0.0.0/8", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12",
            "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "192.0.0.0/24", "198.18.0.0/15",
            "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
            // Translation prefixes can wrap any IPv4 address, private ones included (RFC 6052, RFC 3056).
            "64:ff9b::/96", "2002::/16");

    private final List<Cidr> allowClient;
    private final List<Cidr> allowDestination;
    private final boolean defaultDestinations;
    private final Set<InetAddress> ownAddresses;
    private final Set<InetSocketAddress> ownListeners;
    private final List<Cidr> denyDestination;

    /**
     * Builds the address policy of one listener.
     *
     * @param placement        the listener's placement (decides the defaults)
     * @param allowClient      client blocks allowed; empty = the placement's default
     * @param allowDestination destination blocks allowed (forward); empty = public addresses only
     * @param denyDestination  destination blocks always refused
     * @param ownListeners     every control address this gateway listens on (never a destination: loop guard)
     */
    public AddressPolicy(Placement placement, List<Cidr> allowClient, List<Cidr> allowDestination,
            List<Cidr> denyDestination, Set<InetSocketAddress> ownListeners) {
        // Transparent placement chooses destinations per session like forward placement, so it has its defaults.
        boolean forward = placement.choosesDestination();
        if (!allowClient.isEmpty()) {
            this.allowClient = List.copyOf(allowClient);
        } else {
            this.allowClient = forward ? PRIVATE_CLIENTS : blocks("0.0.0.0/0", "::/0");
        }
        this.defaultDestinations = allowDestination.isEmpty();
        this.denyDestination = List.copyOf(denyDestination);
        this.allowDestination = List.copyOf(allowDestination);
        this.ownAddresses = localAddresses();
        this.ownListeners = ownListeners.stream()
                .map(SocketAddresses::canonical)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** True when a client from {@code address} may open a session. */
    public boolean clientAllowed(InetAddress address) {
        return Cidr.anyContains(allowClient, address);
    }

    /**
     * True when a forward session may connect to {@code address:port}. With no {@code allow-destination}
     * configured, only public addresses that are not the gateway's own; with a list, exactly that list. A
     * gateway listener is never a destination, so a session cannot loop through the gateway itself.
     */
    public boolean destinationAllowed(InetAddress address, int port) {
        InetAddress a = Cidr.canonical(address);
        if (ownListeners.contains(new InetSocketAddress(a, port))
                || (a.isAnyLocalAddress())) {
            return false;
        }
        for (InetSocketAddress own : ownListeners) {
            if (own.getPort() == port && own.getAddress().isAnyLocalAddress() && ownAddresses.contains(a)) {
                return false;
            }
        }
        if (Cidr.anyContains(denyDestination, a)) {
            return false;
        }
        if (defaultDestinations) {
            return !Cidr.anyContains(NON_PUBLIC, a) && !ownAddresses.contains(a);
        }
        return Cidr.anyContains(allowDestination, a);
    }

    private static Set<InetAddress> localAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    out.add(Cidr.canonical(a));
                }
            }
        } catch (SocketException e) {
            // Without the interface list the loopback and private defaults still exclude the usual cases.
        }
        return Set.copyOf(out);
    }

    private static List<Cidr> blocks(String... texts) {
        List<Cidr> out = new ArrayList<>();
        for (String t : texts) {
            out.add(Cidr.parse(t));
        }
        return List.copyOf(out);
    }
}
