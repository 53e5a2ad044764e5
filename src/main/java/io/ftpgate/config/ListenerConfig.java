package io.ftpgate.config;

import io.ftpgate.policy.Cidr;
import io.ftpgate.policy.ListenerPolicy;
import java.util.List;
import java.util.Objects;

/**
 * One listener: the addresses it accepts control connections on and everything that decides what a session
 * accepted there may do.
 *
 * @param name              a label used in logs and audit events
 * @param listen            control addresses to bind (at least one)
 * @param upstream          the server for {@link Placement#REVERSE}; {@code null} means {@link Placement#FORWARD}
 * @param publicAddress     address literal advertised to clients in 227/229 replies; {@code null} means the
 *                          local address of that client's control connection
 * @param clientDataPorts   range for pinholes the client connects to (client PASV/EPSV)
 * @param serverDataPorts   range for pinholes the server connects to (upstream active mode)
 * @param upstreamMode      how the server-side data leg is made
 * @param allowClient       client address blocks allowed to connect; empty = placement default
 * @param allowDestination  forward only: destination address blocks allowed; empty = placement default
 * @param policy            deny-client, anonymous access and user rules
 * @param earlyServerLeg    open the server's data leg (upstream PASV + connect) as soon as the client's
 *                          PASV/EPSV/PORT/EPRT is answered, rather than after the transfer command
 */
public record ListenerConfig(
        String name,
        List<HostAndPort> listen,
        HostAndPort upstream,
        String publicAddress,
        PortRange clientDataPorts,
        PortRange serverDataPorts,
        UpstreamMode upstreamMode,
        List<Cidr> allowClient,
        List<Cidr> allowDestination,
        ListenerPolicy policy,
        boolean earlyServerLeg) {

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
        clientDataPorts = clientDataPorts == null ? DEFAULT_CLIENT_DATA_PORTS : clientDataPorts;
        serverDataPorts = serverDataPorts == null ? DEFAULT_SERVER_DATA_PORTS : serverDataPorts;
        upstreamMode = upstreamMode == null ? UpstreamMode.PASSIVE : upstreamMode;
        allowClient = allowClient == null ? List.of() : List.copyOf(allowClient);
        allowDestination = allowDestination == null ? List.of() : List.copyOf(allowDestination);
        policy = policy == null ? ListenerPolicy.DEFAULTS : policy;
    }

    /** A listener with the early server leg on (the default). */
    public ListenerConfig(String name, List<HostAndPort> listen, HostAndPort upstream, String publicAddress,
            PortRange clientDataPorts, PortRange serverDataPorts, UpstreamMode upstreamMode, List<Cidr> allowClient,
            List<Cidr> allowDestination, ListenerPolicy policy) {
        this(name, listen, upstream, publicAddress, clientDataPorts, serverDataPorts, upstreamMode, allowClient,
                allowDestination, policy, true);
    }

    /** A listener with the default session policy. */
    public ListenerConfig(String name, List<HostAndPort> listen, HostAndPort upstream, String publicAddress,
            PortRange clientDataPorts, PortRange serverDataPorts, UpstreamMode upstreamMode, List<Cidr> allowClient,
            List<Cidr> allowDestination) {
        this(name, listen, upstream, publicAddress, clientDataPorts, serverDataPorts, upstreamMode, allowClient,
                allowDestination, ListenerPolicy.DEFAULTS);
    }

    /** Reverse when an upstream is configured, forward otherwise. */
    public Placement placement() {
        return upstream == null ? Placement.FORWARD : Placement.REVERSE;
    }
}
