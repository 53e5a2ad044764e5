package io.ftpgate.config;

import io.ftpgate.net.Cidr;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.policy.AddressPolicy;
import io.ftpgate.policy.ListenerPolicy;
import io.ftpgate.policy.Placement;
import io.ftpgate.policy.UpstreamPolicy;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One listener: the addresses it accepts control connections on and everything that decides what a session
 * accepted there may do. Build one with {@link #builder(String)}; a copy with some settings changed with
 * {@link #toBuilder()}.
 *
 * @param name              a label used in logs and audit events
 * @param listen            control addresses to bind (at least one)
 * @param upstreams         the servers for {@link Placement#REVERSE} (a pool when more than one); empty means
 *                          {@link Placement#FORWARD}
 * @param upstreamPolicy    how a session chooses among {@code upstreams}; default round-robin
 * @param publicAddress     address literal advertised to clients in 227/229 replies; {@code null} means the
 *                          local address of that client's control connection
 * @param clientDataPorts   range for pinholes the client connects to (client PASV/EPSV); unprivileged
 * @param serverDataPorts   range for pinholes the server connects to (upstream active mode); unprivileged
 * @param upstreamMode      how the server-side data leg is made
 * @param allowClient       client address blocks allowed to connect; empty = placement default
 * @param allowDestination  forward only: destination address blocks allowed; empty = placement default
 * @param listenerPolicy    deny-client, anonymous access and user rules
 * @param earlyServerLeg    open the server's data leg (upstream PASV + connect) as soon as the client's
 *                          PASV/EPSV/PORT/EPRT is answered, rather than after the transfer command
 * @param banner            the text of the gateway's 220 greeting, replacing the server's (which names its
 *                          software and version to anyone); null relays the server's
 * @param systReply         the text of the 215 answer to SYST, replacing the server's; null relays the server's
 * @param tls               FTPS toward clients and toward the server
 * @param transparentSource {@link Placement#TRANSPARENT}: the address ftpgate connects to the server from;
 *                          {@code null} for the other placements
 * @param proxy             PROXY protocol in (control and data) and toward the server
 * @param dataPath          which path carries data connections: the relay, or the kernel where it can
 */
public record ListenerConfig(
        String name,
        List<HostAndPort> listen,
        List<HostAndPort> upstreams,
        UpstreamPolicy upstreamPolicy,
        String publicAddress,
        PortRange clientDataPorts,
        PortRange serverDataPorts,
        UpstreamMode upstreamMode,
        List<Cidr> allowClient,
        List<Cidr> allowDestination,
        ListenerPolicy listenerPolicy,
        boolean earlyServerLeg,
        String banner,
        String systReply,
        ListenerTls tls,
        Placement.Source transparentSource,
        ListenerProxy proxy,
        DataPathMode dataPath) {

    /*
     * The default ranges lie above Linux's default ephemeral range (net.ipv4.ip_local_port_range, 32768-60999),
     * so the kernel never hands one of their ports to an outgoing connection that a pinhole then cannot bind
     * (see EphemeralPorts; ftpgate warns when a configured range overlaps the running kernel's range).
     */
    /** Default range for client-facing pinholes. */
    public static final PortRange DEFAULT_CLIENT_DATA_PORTS = new PortRange(61000, 61999);
    /** Default range for server-facing pinholes. */
    public static final PortRange DEFAULT_SERVER_DATA_PORTS = new PortRange(62000, 62999);

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        listen = List.copyOf(listen);
        if (listen.isEmpty()) {
            throw new IllegalArgumentException("listener '" + name + "' has no listen address");
        }
        upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
        if (upstreams.stream().distinct().count() != upstreams.size()) {
            throw new IllegalArgumentException("listener '" + name + "' names an upstream twice: " + upstreams);
        }
        upstreamPolicy = upstreamPolicy == null ? UpstreamPolicy.ROUND_ROBIN : upstreamPolicy;
        clientDataPorts = clientDataPorts == null ? DEFAULT_CLIENT_DATA_PORTS : clientDataPorts;
        serverDataPorts = serverDataPorts == null ? DEFAULT_SERVER_DATA_PORTS : serverDataPorts;
        for (PortRange r : List.of(clientDataPorts, serverDataPorts)) {
            if (!r.isUnprivileged()) {
                throw new IllegalArgumentException(PortRange.UNPRIVILEGED_RULE + ", got " + r);
            }
        }
        upstreamMode = upstreamMode == null ? UpstreamMode.PASSIVE : upstreamMode;
        allowClient = allowClient == null ? List.of() : List.copyOf(allowClient);
        allowDestination = allowDestination == null ? List.of() : List.copyOf(allowDestination);
        listenerPolicy = listenerPolicy == null ? ListenerPolicy.DEFAULTS : listenerPolicy;
        tls = tls == null ? ListenerTls.OFF : tls;
        if (transparentSource != null && !upstreams.isEmpty()) {
            throw new IllegalArgumentException("listener '" + name + "': placement transparent takes the server from"
                    + " each connection's original destination; remove upstream " + upstreams.get(0));
        }
        proxy = proxy == null ? ListenerProxy.OFF : proxy;
        dataPath = dataPath == null ? DataPathMode.RELAY : dataPath;
        if (dataPath == DataPathMode.KERNEL && transparentSource != null) {
            throw new IllegalArgumentException("listener '" + name + "': data-path kernel does not work with placement"
                    + " transparent (the client's connections are not addressed to the gateway); use data-path relay");
        }
    }

    /** A builder with every setting at its default (early server leg on); {@code listen} must be given. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder holding this listener's settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder(name).listen(listen).upstreams(upstreams).upstreamPolicy(upstreamPolicy)
                .publicAddress(publicAddress)
                .clientDataPorts(clientDataPorts).serverDataPorts(serverDataPorts).upstreamMode(upstreamMode)
                .allowClient(allowClient).allowDestination(allowDestination).listenerPolicy(listenerPolicy)
                .earlyServerLeg(earlyServerLeg).banner(banner).systReply(systReply).tls(tls)
                .transparent(transparentSource).proxy(proxy).dataPath(dataPath);
    }

    /** The first (or only) upstream server, or null for forward and transparent placement. */
    public HostAndPort upstream() {
        return upstreams.isEmpty() ? null : upstreams.get(0);
    }

    /** Transparent when a transparent source is set, reverse when an upstream is configured, forward otherwise. */
    public Placement placement() {
        if (transparentSource != null) {
            return Placement.TRANSPARENT;
        }
        return upstream() == null ? Placement.FORWARD : Placement.REVERSE;
    }

    /**
     * The address policy of this listener: allow-client, allow-destination and deny-destination with the
     * placement's defaults.
     *
     * @param ownListeners every control address this gateway listens on (never a destination: loop guard)
     */
    public AddressPolicy addressPolicy(Set<InetSocketAddress> ownListeners) {
        return new AddressPolicy(placement(), allowClient, allowDestination,
                listenerPolicy.destinations().deny(), ownListeners);
    }

    /** Collects the settings of a {@link ListenerConfig}; {@code null} means the default everywhere. */
    public static final class Builder {
        private final String name;
        private List<HostAndPort> listen = List.of();
        private List<HostAndPort> upstreams;
        private UpstreamPolicy upstreamPolicy;
        private String publicAddress;
        private PortRange clientDataPorts;
        private PortRange serverDataPorts;
        private UpstreamMode upstreamMode;
        private List<Cidr> allowClient;
        private List<Cidr> allowDestination;
        private ListenerPolicy listenerPolicy;
        private boolean earlyServerLeg = true;
        private String banner;
        private String systReply;
        private ListenerTls tls;
        private Placement.Source transparentSource;
        private DataPathMode dataPath;
        private ListenerProxy proxy;

        private Builder(String name) {
            this.name = name;
        }

        /** Control addresses to bind. */
        public Builder listen(List<HostAndPort> v) {
            listen = v;
            return this;
        }

        /** One control address to bind. */
        public Builder listen(HostAndPort v) {
            return listen(List.of(v));
        }

        /** The one server of a reverse listener; null for forward placement. */
        public Builder upstream(HostAndPort v) {
            return upstreams(v == null ? null : List.of(v));
        }

        /** The servers of a reverse listener (a pool when more than one); null or empty for forward placement. */
        public Builder upstreams(List<HostAndPort> v) {
            upstreams = v;
            return this;
        }

        /** How a session chooses among the upstreams (default round-robin). */
        public Builder upstreamPolicy(UpstreamPolicy v) {
            upstreamPolicy = v;
            return this;
        }

        /** The address advertised in 227 replies. */
        public Builder publicAddress(String v) {
            publicAddress = v;
            return this;
        }

        /** Pinhole range toward clients. */
        public Builder clientDataPorts(PortRange v) {
            clientDataPorts = v;
            return this;
        }

        /** Pinhole range toward servers. */
        public Builder serverDataPorts(PortRange v) {
            serverDataPorts = v;
            return this;
        }

        /** How the server-side data leg is made. */
        public Builder upstreamMode(UpstreamMode v) {
            upstreamMode = v;
            return this;
        }

        /** Client blocks allowed to connect. */
        public Builder allowClient(List<Cidr> v) {
            allowClient = v;
            return this;
        }

        /** Destination blocks allowed (forward placement). */
        public Builder allowDestination(List<Cidr> v) {
            allowDestination = v;
            return this;
        }

        /** Deny-client, anonymous access, user rules, destinations, incoming area, FXP. */
        public Builder listenerPolicy(ListenerPolicy v) {
            listenerPolicy = v;
            return this;
        }

        /** Whether the server's data leg is opened as the client's PASV/EPSV/PORT/EPRT is answered. */
        public Builder earlyServerLeg(boolean v) {
            earlyServerLeg = v;
            return this;
        }

        /** The 220 greeting text clients see instead of the server's; null relays the server's. */
        public Builder banner(String v) {
            banner = v;
            return this;
        }

        /** The 215 SYST text clients see instead of the server's; null relays the server's. */
        public Builder systReply(String v) {
            systReply = v;
            return this;
        }

        /** FTPS toward clients and the server. */
        public Builder tls(ListenerTls v) {
            tls = v;
            return this;
        }

        /** Transparent placement connecting from {@code source}; null for reverse or forward placement. */
        public Builder transparent(Placement.Source source) {
            transparentSource = source;
            return this;
        }

        /** PROXY protocol in (control and data) and toward the server. */
        public Builder proxy(ListenerProxy v) {
            proxy = v;
            return this;
        }

        /** Which path carries data connections. */
        public Builder dataPath(DataPathMode v) {
            dataPath = v;
            return this;
        }

        /** The listener; throws {@link IllegalArgumentException} when a setting is invalid. */
        public ListenerConfig build() {
            return new ListenerConfig(name, listen, upstreams, upstreamPolicy, publicAddress, clientDataPorts,
                    serverDataPorts, upstreamMode, allowClient, allowDestination, listenerPolicy, earlyServerLeg, banner,
                    systReply, tls, transparentSource, proxy, dataPath);
        }
    }
}
