package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpReply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

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

    /**
     * @param server       the resolved control address
     * @param client       the local address of the control connection: the client a strict server serves
     * @param thirdParty   the address posing as a third party, or {@code null}
     * @param noThirdParty why there is none (when {@code thirdParty} is null)
     */
    ProbeContext(AuditOptions options, InetSocketAddress server, InetAddress client, InetAddress thirdParty,
            String noThirdParty) {
        this.options = options;
        this.server = server;
        this.client = client;
        this.thirdParty = thirdParty;
        this.noThirdParty = noThirdParty;
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

    /** A new control connection, greeted. */
    ControlSession connect() throws IOException {
        return ControlSession.open(server, timeout());
    }

    /**
     * A new session logged in as the audit user, with the login exchanges already cleared from its evidence.
     *
     * @throws IOException when the connection or the login fails
     */
    ControlSession login() throws IOException {
        ControlSession s = connect();
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
