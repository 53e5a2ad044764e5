package io.ftpgate.policy;

/**
 * Where a listener sits relative to the FTP servers it reaches. It lives with the policy because it decides
 * the policy's defaults: who may connect, and which destinations a session may reach ({@link AddressPolicy}).
 */
public enum Placement {
    /** In front of one server: every session goes to the configured upstream. */
    REVERSE,
    /** In front of clients: the destination comes from {@code USER user@host[:port]}. */
    FORWARD
}
