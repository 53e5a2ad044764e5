package io.ftpgate.auditor;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What to audit and how.
 *
 * @param host       the server (or the FTP-aware firewall in front of it): a name or an address literal
 * @param port       its control port
 * @param user       the user for the data-connection checks; {@code null} means anonymous
 * @param password   that user's password (never printed); ignored for anonymous
 * @param thirdParty an address of this host, other than the one the control connection leaves from, to pose as
 *                   the third party (e.g. 127.0.0.2 against a server on loopback); {@code null} to pick one
 * @param timeout    the longest wait for any one connect, reply or data connection
 * @param implicitPort a port to probe for implicit FTPS ({@code --implicit-port}), or 0: then only the audited
 *                   port is, when it is {@value #IMPLICIT_FTPS_PORT}
 */
public record AuditOptions(String host, int port, String user, String password, InetAddress thirdParty,
        Duration timeout, int implicitPort) {

    /** The user name sent for anonymous login (RFC 1635). */
    public static final String ANONYMOUS = "anonymous";
    /** The password sent for anonymous login: by custom an e-mail address; this one says who is probing. */
    public static final String ANONYMOUS_PASSWORD = "ftpgate-audit@example.invalid";
    /** The default of {@code --timeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The port of implicit FTPS (IANA ftps, RFC 4217 does not define it; clients default to it). */
    public static final int IMPLICIT_FTPS_PORT = 990;

    /** Checks the ports and timeout. */
    public AuditOptions {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, got " + port);
        }
        if (implicitPort < 0 || implicitPort > 65535) {
            throw new IllegalArgumentException("implicit port must be 1-65535 (0: none), got " + implicitPort);
        }
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** Options without an implicit-FTPS port of their own. */
    public AuditOptions(String host, int port, String user, String password, InetAddress thirdParty,
            Duration timeout) {
        this(host, port, user, password, thirdParty, timeout, 0);
    }

    /** Anonymous audit of {@code host:port} with the default timeout and an automatic third party. */
    public static AuditOptions anonymous(String host, int port) {
        return new AuditOptions(host, port, null, null, null, null);
    }

    /** A copy with another third-party address. */
    public AuditOptions withThirdParty(InetAddress address) {
        return new AuditOptions(host, port, user, password, address, timeout, implicitPort);
    }

    /** A copy with another timeout. */
    public AuditOptions withTimeout(Duration t) {
        return new AuditOptions(host, port, user, password, thirdParty, t, implicitPort);
    }

    /** A copy that logs in as {@code u} with {@code p}. */
    public AuditOptions withLogin(String u, String p) {
        return new AuditOptions(host, port, u, p, thirdParty, timeout, implicitPort);
    }

    /** A copy that probes port {@code p} for implicit FTPS. */
    public AuditOptions withImplicitPort(int p) {
        return new AuditOptions(host, port, user, password, thirdParty, timeout, p);
    }

    /** The port probed for implicit FTPS: the one given, else the audited port when it is 990, else none. */
    public OptionalInt implicitProbePort() {
        if (implicitPort != 0) {
            return OptionalInt.of(implicitPort);
        }
        return port == IMPLICIT_FTPS_PORT ? OptionalInt.of(port) : OptionalInt.empty();
    }

    /** True when the audited port itself is the one to try implicit FTPS on; the audit then runs over it. */
    public boolean auditedPortImplicit() {
        return implicitProbePort().equals(OptionalInt.of(port));
    }

    /** True when the data-connection checks log in anonymously. */
    public boolean isAnonymous() {
        return user == null;
    }

    /** The user name the checks log in as. */
    public String loginUser() {
        return user == null ? ANONYMOUS : user;
    }

    /** The password the checks send. */
    public String loginPassword() {
        return user == null ? ANONYMOUS_PASSWORD : Objects.requireNonNullElse(password, "");
    }

    /** Hides the password from logs and debuggers. */
    @Override
    public String toString() {
        return "AuditOptions[" + host + ":" + port + ", user=" + loginUser() + ", thirdParty=" + thirdParty
                + ", timeout=" + timeout + (implicitPort == 0 ? "" : ", implicitPort=" + implicitPort) + "]";
    }
}
