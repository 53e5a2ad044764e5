package io.ftpgate.config;

/**
 * How the gateway opens the server-side leg of each data connection.
 *
 * <p>The client-side leg always uses whatever the client asked for (PORT/EPRT or PASV/EPSV); this only
 * chooses the mode towards the server, so an active-only client can use a passive-only server and vice versa.
 */
public enum UpstreamMode {
    /** The gateway sends PASV/EPSV and connects to the server: the gateway only ever connects outward. */
    PASSIVE,
    /** The gateway listens on a pinhole and sends PORT/EPRT naming itself; the server connects in. */
    ACTIVE,
    /** Mirror the client: PORT/EPRT from the client means active upstream, PASV/EPSV means passive. */
    CLIENT
}
