package io.ftpgate.policy;

/**
 * Where a listener sits relative to the FTP servers it reaches. It lives with the policy because it decides
 * the policy's defaults: who may connect, and which destinations a session may reach ({@link AddressPolicy}).
 */
public enum Placement {
    /** In front of one server: every session goes to the configured upstream. */
    REVERSE,
    /** In front of clients: the destination comes from {@code USER user@host[:port]}. */
    FORWARD,
    /**
     * In the routed path: the router diverts FTP connections to any destination to ftpgate (nftables TPROXY)
     * and the destination is the connection's original destination. Clients log in as they would directly;
     * the forward destination policy applies (address blocks and ports; there is no host name to match).
     */
    TRANSPARENT;

    /** True when the destination is chosen per session (forward, transparent), so the destination policy applies. */
    public boolean choosesDestination() {
        return this != REVERSE;
    }

    /**
     * Which address ftpgate connects to a transparent session's server from. The default is its own, so the
     * server's replies come back by ordinary routing; {@link #CLIENT} keeps the client's address (full
     * transparency: the server's logs and access rules see the real client) and needs the server's return
     * path to run through this router, where the nftables {@code socket transparent} rule hands it to
     * ftpgate.
     */
    public enum Source {
        /** ftpgate's own address on the server side (the default). */
        GATEWAY,
        /** The client's address, with IP_TRANSPARENT on the outgoing sockets, data legs included. */
        CLIENT
    }
}
