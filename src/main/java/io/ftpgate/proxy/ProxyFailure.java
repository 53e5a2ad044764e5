package io.ftpgate.proxy;

/** Why a connection that had to start with a PROXY protocol header was ended before it did. */
public enum ProxyFailure {
    /** The connection's peer is not in {@code proxy-protocol-from}: whatever it sends is not believed. */
    UNTRUSTED,
    /** The first bytes are not a PROXY header (neither {@code PROXY } nor the v2 signature). */
    MISSING,
    /** The bytes start like a PROXY header but do not parse as one (or exceed the spec's length). */
    MALFORMED,
    /** A valid header of the version the listener does not accept (v1 where v2 is configured, or back). */
    WRONG_VERSION,
    /** No complete header arrived within {@link ProxyHeaderReader#HEADER_TIMEOUT}. */
    TIMEOUT
}
