package io.ftpgate.event;

/**
 * Stable reason codes carried by {@code refused} (and some {@code session-close}) audit events.
 *
 * <p>The codes are an interface: administrators alert on them, so a code is never renamed or reused. The
 * README documents each one with its default action.
 */
public enum Reason {
    // Control-channel framing (always enforced).
    LINE_TOO_LONG("line-too-long", "a command or reply line exceeded the line cap", "500 and close"),
    NUL_BYTE("nul-byte", "a NUL byte in a command or reply line", "500 and close"),
    BARE_CR("bare-cr", "a CR not followed by LF", "500 and close"),
    REPLY_MALFORMED("reply-malformed", "the server sent a line that is not an FTP reply", "421 and close"),
    REPLY_TOO_LONG("reply-too-long", "a multi-line reply exceeded the reply cap", "421 and close"),
    PROTOCOL_CONFUSION("protocol-confusion",
            "the client spoke another protocol on the control port: HTTP, SSH or TLS (e.g. implicit FTPS)", "close"),
    COMMAND_SYNTAX("command-syntax", "a line that is not an FTP command (verb of 1-4 letters)", "500"),
    COMMAND_UNKNOWN("command-unknown", "a verb ftpgate does not know, so does not relay", "502"),
    NOT_LOGGED_IN("not-logged-in", "a command that needs a login was sent before one", "530"),
    TOO_MANY_ERRORS("too-many-errors", "too many refused commands in one session", "421 and close"),
    // Data-channel negotiation (always enforced).
    PORT_SYNTAX("port-syntax", "a PORT/EPRT argument that is malformed or out of range", "501"),
    PORT_FOREIGN_ADDRESS("port-foreign-address", "PORT/EPRT names an address other than the client's (bounce)",
            "501"),
    PORT_PRIVILEGED("port-privileged", "PORT/EPRT names a port below 1024", "501"),
    PORT_FAMILY("port-family", "EPRT/EPSV names an address family other than the control connection's", "522"),
    EPSV_ALL("epsv-all", "PORT/EPRT/PASV after EPSV ALL (RFC 2428 section 4)", "501"),
    LONG_ADDRESS_UNSUPPORTED("long-address-unsupported", "LPRT/LPSV (RFC 1639) are not supported", "502"),
    PASV_FOREIGN_ADDRESS("pasv-foreign-address", "the server's 227/229 named an address other than its own; "
            + "ftpgate connected to the server's control address instead", "recorded, transfer continues"),
    PASV_PRIVILEGED_PORT("pasv-privileged-port", "the server's 227/229 named a port below 1024", "425"),
    PASV_SYNTAX("pasv-syntax", "the server's 227/229 reply could not be parsed", "425"),
    UNEXPECTED_PASV_REPLY("unexpected-pasv-reply", "a 227/228/229 reply to a command ftpgate did not send as "
            + "PASV/EPSV; it is withheld", "451"),
    NO_DATA_CONNECTION("no-data-connection", "a transfer command without PORT/EPRT/PASV/EPSV first", "425"),
    DATA_PEER_MISMATCH("data-peer-mismatch", "a connection to a pinhole from an unexpected address; the pinhole "
            + "keeps waiting for the real peer", "close that connection"),
    PINHOLE_EXPIRED("pinhole-expired", "the expected peer did not connect to a pinhole in time", "425"),
    PINHOLE_EXHAUSTED("pinhole-exhausted", "no port of the data port range is free for this peer: on every port a"
            + " pinhole for the same address is pending (or one with FXP exceptions), or the port is in use", "425"),
    DATA_CONNECT_FAILED("data-connect-failed", "ftpgate could not connect a data leg", "425"),
    KERNEL_PATH_FAILED("kernel-path-failed", "data-path kernel: the kernel refused or did not answer the netlink"
            + " transaction that arms a pinhole; nothing was armed", "425"),
    KERNEL_UNMATCHED("kernel-unmatched", "data-path kernel: connections to the pinhole ranges that matched no"
            + " pinhole and no relay listener (another address, a second or late connection, a scan), counted by"
            + " the kernel and reported per interval", "reset by the kernel"),
    DATA_PROTECTION_CHANGED("data-protection-changed", "PROT P after a PASV/EPSV answered for the kernel path:"
            + " that data connection would bypass ftpgate's TLS; send PASV or EPSV again", "425"),
    TLS_UNSUPPORTED("tls-unsupported", "AUTH on a listener without client-tls: ftpgate does not offer TLS there",
            "502"),
    TLS_REQUIRED("tls-required", "USER or PASS before AUTH TLS on a listener with client-tls required", "530"),
    TLS_PROT_REQUIRED("tls-prot-required", "PROT C, or a transfer without PROT P, on a listener with"
            + " require-prot-p (RFC 4217 section 9)", "534 to PROT C, 521 to the transfer"),
    TLS_CLEARTEXT_INJECTION("tls-cleartext-injection", "a line that arrived in clear after AUTH TLS and before the"
            + " handshake (STARTTLS command injection, CVE-2011-0411); from the server: after its 234", "discarded"),
    CCC_REFUSED("ccc-refused", "CCC: ftpgate must keep reading the control channel", "533"),
    TLS_HANDSHAKE_FAILED("tls-handshake-failed", "a TLS handshake with the client or the server failed or timed"
            + " out, or the peer ended TLS with a fatal alert (under TLS 1.3 a server refusing ftpgate's client"
            + " certificate does so just after the handshake)", "close (the client gets 421 when the server side failed); 425 on a data connection"),
    TLS_DATA_SESSION_NOT_REUSED("tls-data-session-not-reused", "a client's TLS data connection did not resume its"
            + " control connection's TLS session (require-data-session-reuse)", "425"),
    SERVER_TLS_REFUSED("server-tls-refused", "the server refused AUTH TLS, PBSZ or PROT that the listener requires",
            "421 and close; 425 for a transfer"),
    // PROXY protocol (behind a balancer; always enforced): the connection ends before any FTP is spoken.
    PROXY_UNTRUSTED("proxy-untrusted", "a connection to a PROXY listener or pinhole from outside"
            + " proxy-protocol-from: its header would not be believed", "close"),
    PROXY_HEADER_MISSING("proxy-header-missing", "a connection to a PROXY listener or pinhole that does not start"
            + " with a PROXY header (or closed before one was complete)", "close"),
    PROXY_HEADER_MALFORMED("proxy-header-malformed", "a PROXY header that does not parse, is too long, or names"
            + " no TCP connection", "close"),
    PROXY_VERSION("proxy-version", "a PROXY header of the version the listener does not accept (v1 where v2 is"
            + " configured, or back)", "close"),
    PROXY_HEADER_TIMEOUT("proxy-header-timeout", "no complete PROXY header within 3 s of the connection"
            + " (ProxyHeaderReader.HEADER_TIMEOUT)", "close"),
    // Access control.
    CLIENT_NOT_ALLOWED("client-not-allowed", "the client address is outside the listener's allowed blocks",
            "close (421)"),
    DESTINATION_NOT_ALLOWED("destination-not-allowed", "forward: the destination resolves to a denied address;"
            + " transparent: the connection's original destination (address or port) is denied",
            "530; transparent: 421 and close"),
    DESTINATION_INVALID("destination-invalid", "forward: USER without a usable user@host[:port]", "530"),
    UPSTREAM_UNREACHABLE("upstream-unreachable", "the server could not be reached (an upstream pool: none of its"
            + " servers)", "421 and close (forward: 530, the client may name another server)"),
    UPSTREAM_FAILOVER("upstream-failover", "an upstream pool's server refused the connection, hung up or said"
            + " nothing before greeting, or greeted with other than 220; it is marked down for a while (input names"
            + " it and why)",
            "recorded, the next server is tried"),
    // Policy (not enforced in monitor mode).
    CLIENT_DENIED("client-denied", "the client address is in the listener's deny-client blocks", "close (421)"),
    CLIENT_BLOCKED("client-blocked", "the client address is blocked after too many failed logins", "close (421)"),
    LOGIN_FAILURES("login-failures", "too many failed logins from one address; it is blocked for block-time",
            "421, close and block"),
    TOO_MANY_SESSIONS("too-many-sessions", "the gateway already has max-sessions sessions", "close (421)"),
    TOO_MANY_SESSIONS_FROM_CLIENT("too-many-sessions-from-client", "the client address already has "
            + "max-sessions-per-client sessions", "close (421)"),
    ANONYMOUS_DENIED("anonymous-denied", "anonymous login is refused on this listener", "530"),
    ANONYMOUS_WRITE_DENIED("anonymous-write-denied", "an anonymous user tried to write (anonymous-write is off)",
            "550"),
    ANONYMOUS_INCOMING("anonymous-incoming", "an anonymous user tried to list, download, append to, rename or"
            + " delete in the upload-only incoming area", "550"),
    COMMAND_DENIED("command-denied", "the user's command profile does not allow this command",
            "the profile's reply (default 550)"),
    // The admin listener (metrics and live view), not an FTP session: the client is the HTTP peer.
    ADMIN_UNAUTHORIZED("admin-unauthorized", "a request to the admin listener without the admin token, or with a"
            + " wrong one", "401"),
    ADMIN_FORBIDDEN("admin-forbidden", "a request to the admin listener from another site (no CSRF header, a"
            + " foreign Origin) or naming a foreign Host (DNS rebinding)", "403");

    private final String code;
    private final String meaning;
    private final String action;

    Reason(String code, String meaning, String action) {
        this.code = code;
        this.meaning = meaning;
        this.action = action;
    }

    /** The stable wire code, e.g. {@code port-foreign-address}. */
    public String code() {
        return code;
    }

    /** One sentence for the README table. */
    public String meaning() {
        return meaning;
    }

    /** What ftpgate does by default. */
    public String action() {
        return action;
    }
}
