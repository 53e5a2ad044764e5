package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpReply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * What every check needs: the server, this host's addresses as the server sees them, and a way to log in.
 * Each check uses sessions of its own, so one check's leftovers (a pending PORT, a stuck transfer) cannot
 * change the next one's verdict.
 */
final class ProbeContext {

    private final AuditOptions options;
    private final InetSocketAddress server;
    private final InetAddress client;
    private final InetAddress thirdParty;
    private final String noThirdParty;
    private final boolean implicit;

    /**
     * @param server       the resolved control address
     * @param client       the local address of the control connection: the client a strict server serves
     * @param thirdParty   the address posing as a third party, or {@code null}
     * @param noThirdParty why there is none (when {@code thirdParty} is null)
     * @param implicit     the server speaks implicit FTPS: every control connection starts with TLS
     */
    ProbeContext(AuditOptions options, InetSocketAddress server, InetAddress client, InetAddress thirdParty,
            String noThirdParty, boolean implicit) {
        this.options = options;
        this.server = server;
        this.client = client;
        this.thirdParty = thirdParty;
        this.noThirdParty = noThirdParty;
        this.implicit = implicit;
    }

    AuditOptions options() {
        return options;
    }

    InetSocketAddress server() {
        return server;
    }

    InetAddress client() {
        return client;
    }

    /** The third-party address, or {@code null}; see {@link #noThirdParty()}. */
    InetAddress thirdParty() {
        return thirdParty;
    }

    /** Why no third-party address is available. */
    String noThirdParty() {
        return noThirdParty;
    }

    Duration timeout() {
        return options.timeout();
    }

    /** True when the audited port speaks implicit FTPS, so that every control connection starts with TLS. */
    boolean implicit() {
        return implicit;
    }

    /** A TLS client with a context (and session cache) of its own, offering {@code protocols}. */
    TlsClient tlsClient(List<String> protocols) {
        return TlsClient.create(options.host(), protocols);
    }

    /** A new control connection, greeted (over TLS from the first byte when the server is implicit). */
    ControlSession connect() throws IOException {
        return ControlSession.open(server, timeout(), implicit ? tlsClient(TlsClient.MODERN) : null);
    }

    /**
     * A new control connection under TLS made by {@code tls}: from the first byte when the server is implicit,
     * else after {@code AUTH TLS}.
     *
     * @throws IOException when AUTH TLS is refused or the handshake fails
     */
    ControlSession secured(TlsClient tls) throws IOException {
        if (implicit) {
            return ControlSession.open(server, timeout(), tls);
        }
        ControlSession s = ControlSession.open(server, timeout());
        try {
            FtpReply auth = s.command("AUTH TLS");
            if (auth.code() != 234) {
                throw new IOException("AUTH TLS refused: " + ControlSession.show(auth));
            }
            s.startTls(tls);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * A new session logged in as the audit user, with the login exchanges already cleared from its evidence.
     *
     * @throws IOException when the connection or the login fails
     */
    ControlSession login() throws IOException {
        return loggedIn(connect());
    }

    /**
     * Logs {@code s} in as the audit user and clears the login exchanges from its evidence; closes it when the
     * login fails.
     *
     * @throws IOException when the login fails
     */
    ControlSession loggedIn(ControlSession s) throws IOException {
        try {
            FtpReply reply = login(s, options.loginUser(), options.loginPassword());
            if (reply.code() != 230) {
                throw new IOException("login as " + options.loginUser() + " refused: " + ControlSession.show(reply));
            }
            s.clearEvidence();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * {@code USER}, then {@code PASS} when asked for (331); returns the last reply: 230 means logged in. A 332
     * (account needed) is returned as is: the auditor has no account to give.
     */
    static FtpReply login(ControlSession s, String user, String password) throws IOException {
        FtpReply reply = s.command("USER " + user);
        if (reply.code() == 331) {
            reply = s.command("PASS " + password);
        }
        return reply;
    }
}
