package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpReply;
import java.util.List;

/**
 * {@code ccc}: whether the server lets a client turn TLS off on the control connection after login
 * (RFC 4217 §12.3, Clear Command Channel). The auditor logs in over TLS and sends {@code CCC}; it does not go on
 * in clear.
 * <pre>
 *   &gt; AUTH TLS  &lt; 234  (handshake)  &gt; USER/PASS  &lt; 230  &gt; CCC  &lt; 200: accepted / 5xx: refused
 * </pre>
 *
 * <p>Accepted is medium, as {@code cleartext-login} is: after CCC the logged-in session has no integrity
 * protection, so anyone on the path can inject commands into it (delete or replace files, PORT to a third party)
 * as that user, and read every file name and reply. Only the client can ask for CCC, which keeps it from high;
 * but clients ask for it exactly where it is dangerous (to let a NAT device read PORT), and refusing it is the
 * server's only defence. ftpgate always refuses it.
 */
final class CccCheck {

    /** Check id. */
    static final String ID = "ccc";
    /** Check title. */
    static final String TITLE = "Control channel can be cleared after AUTH TLS (CCC)";

    private CccCheck() {
    }

    static List<Finding> run(ProbeContext ctx) {
        return Probes.onSession(() -> ctx.secured(ctx.tlsClient(TlsClient.MODERN)), List.of(new Probes.Step(ID, TITLE)),
                (s, out) -> {
                    AuditOptions o = ctx.options();
                    boolean loggedIn = ProbeContext.login(s, o.loginUser(), o.loginPassword()).code() == 230;
                    out.add(judge(s.command("CCC"), loggedIn, s.evidence()));
                });
    }

    /** The verdict on the reply to CCC, sent after a login that worked or not. */
    static Finding judge(FtpReply ccc, boolean loggedIn, List<Evidence> evidence) {
        if (ccc.isPositiveCompletion()) {
            return new Finding(ID, TITLE, "accepted (" + ccc.code() + ")", Severity.MEDIUM, evidence,
                    "After CCC the logged-in session continues in cleartext without integrity protection: anyone on"
                            + " the path reads every command and reply and can inject commands as the user (delete or"
                            + " replace files, PORT to a third party). Clients send CCC so that NAT devices can read"
                            + " PORT; ftpgate makes that unnecessary.",
                    "Turn CCC off in the server where it can be (it is an optional command; vsftpd and Apache"
                            + " FtpServer do not implement it); where it cannot, put ftpgate in front, which always"
                            + " refuses it.");
        }
        if (ccc.code() == 530 && !loggedIn) {
            return new Finding(ID, TITLE, "inconclusive: CCC needs a login, and the login was refused (530)",
                    Severity.INFO, evidence, "The server did not say whether it would clear the control channel.",
                    "Give --user and --password of an account that may log in over TLS.");
        }
        if (ccc.code() >= 400) {
            return new Finding(ID, TITLE, "refused (" + ccc.code() + ")", Severity.OK, evidence,
                    "The control connection stays encrypted and integrity-protected for the whole session.", "");
        }
        return new Finding(ID, TITLE, "unexpected reply (" + ccc.code() + ")", Severity.INFO, evidence,
                "Neither an acceptance nor a refusal; the evidence shows what the server said.", "");
    }
}
