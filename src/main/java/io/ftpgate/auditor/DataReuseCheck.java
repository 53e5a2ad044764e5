package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpReply;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code data-session-reuse}: whether the server requires a TLS data connection to resume its control
 * connection's TLS session (vsftpd {@code require_ssl_reuse}, FileZilla Server, ftpgate's
 * {@code require-data-session-reuse}). Two sessions, each logged in over TLS with {@code PBSZ 0} and
 * {@code PROT P}, make one passive {@code LIST} each: the first data connection comes from a fresh TLS context
 * and offers no session, the second offers the control connection's (whether the server resumed it is read off
 * the wire).
 * <pre>
 *   &gt; PASV  &lt; 227 (...)  (connect, TLS with a fresh context)  &gt; LIST  &lt; 522: required / 226: not
 *                                                                         required
 *   &gt; PASV  &lt; 227 (...)  (connect, TLS resuming the control session)  &gt; LIST  &lt; 150, 226: the positive path
 * </pre>
 */
final class DataReuseCheck {

    /** Check id. */
    static final String ID = "data-session-reuse";
    /** Check title. */
    static final String TITLE = "TLS data connection must resume the control session";

    /**
     * What one protected data connection did.
     *
     * @param handshake the TLS handshake on it succeeded
     * @param resumed   the server resumed a session in it
     * @param fin       the final reply to LIST, or null when none came
     */
    record Attempt(boolean handshake, boolean resumed, FtpReply fin) {

        boolean accepted() {
            return handshake && fin != null && fin.isPositiveCompletion();
        }

        boolean refused() {
            return !handshake || (fin != null && fin.code() >= 400);
        }

        /** {@code 522}, {@code handshake failed}, {@code no reply}. */
        String shown() {
            return fin != null ? String.valueOf(fin.code()) : handshake ? "no reply" : "handshake failed";
        }
    }

    private DataReuseCheck() {
    }

    static List<Finding> run(ProbeContext ctx) {
        List<Evidence> ev = new ArrayList<>();
        try {
            Attempt fresh = attempt(ctx, false, ev);
            Attempt resuming = attempt(ctx, true, ev);
            return List.of(judge(fresh, resuming, ev));
        } catch (IOException e) {
            return List.of(Probes.inconclusive(ID, TITLE, e, ev));
        }
    }

    /** One session: TLS, login, PBSZ 0, PROT P, PASV, one LIST over a data connection of the given kind. */
    private static Attempt attempt(ProbeContext ctx, boolean resume, List<Evidence> ev) throws IOException {
        TlsClient control = ctx.tlsClient(TlsClient.MODERN);
        try (ControlSession s = ctx.loggedIn(ctx.secured(control))) {
            try {
                s.note("control connection over TLS (" + s.tls().describe() + "), logged in as "
                        + ctx.options().loginUser());
                s.command("PBSZ 0");
                FtpReply prot = s.command("PROT P");
                if (!prot.isPositiveCompletion()) {
                    throw new IOException("PROT P refused: " + ControlSession.show(prot));
                }
                InetSocketAddress data = new InetSocketAddress(s.remote().getAddress(), Probes.passive(s).port());
                String kind = resume ? "offering the control connection's TLS session"
                        : "from a fresh TLS context, offering no session";
                boolean handshake = false;
                boolean resumed = false;
                try (WireSocket socket = new WireSocket()) {
                    socket.connect(data, ControlSession.millis(ctx.timeout()));
                    s.sendOnly("LIST");
                    try {
                        TlsClient.Handshake hs = (resume ? control : ctx.tlsClient(TlsClient.MODERN))
                                .handshake(socket, s.remote().getPort(), ctx.timeout());
                        try (Socket tls = hs.socket()) {
                            handshake = true;
                            resumed = hs.resumed();
                            s.note("data connection to " + Probes.show(data) + " " + kind + ": " + hs.describe()
                                    + ", received " + DataTrap.drain(tls, ctx.timeout()) + " bytes");
                        }
                    } catch (IOException e) {
                        s.note("data connection to " + Probes.show(data) + " " + kind + ": TLS handshake failed: "
                                + e.getMessage());
                    }
                }
                FtpReply first = s.next();
                return new Attempt(handshake, resumed, first.isPreliminary() ? s.next() : first);
            } finally {
                ev.addAll(s.evidence());
            }
        }
    }

    /** The verdict on the connection without the session, then the one resuming it. */
    static Finding judge(Attempt fresh, Attempt resuming, List<Evidence> ev) {
        String positive = resuming.accepted()
                ? "accepted when resuming it" + (resuming.resumed() ? "" : " (but the server did not resume it)")
                : "resuming it was refused too (" + resuming.shown() + (resuming.resumed() ? ", though the session"
                        + " was resumed)" : ", the server did not resume the offered session)");
        if (fresh.accepted()) {
            return new Finding(ID, TITLE, "not required: accepted without the control session (" + fresh.shown()
                    + "); " + positive, Severity.LOW, ev,
                    "The server takes a TLS data connection that does not resume the control connection's TLS"
                            + " session, so it cannot tell its client's data connection from another one: a port"
                            + " thief on the client's address (a shared NAT, the same host) who connects to the"
                            + " passive port first gets the file, TLS or not.",
                    "Require data connections to resume the control session: vsftpd require_ssl_reuse=YES (its"
                            + " default), FileZilla Server (its default), ProFTPD without TLSOptions"
                            + " NoSessionReuseRequired; or put ftpgate in front (require-data-session-reuse: true,"
                            + " its default).");
        }
        if (fresh.refused() && resuming.accepted() && resuming.resumed()) {
            return new Finding(ID, TITLE, "required: refused without the control session (" + fresh.shown() + "), "
                    + positive, Severity.OK, ev, "A data connection must resume the control connection's TLS"
                            + " session, which only the real client holds: a port thief on the client's address"
                            + " cannot take it.", "");
        }
        return new Finding(ID, TITLE, "inconclusive: without the control session " + (fresh.refused() ? "refused"
                : "no verdict") + " (" + fresh.shown() + "); " + positive, Severity.INFO, ev,
                "The two data connections do not differ only in the session they offered, so the check says"
                        + " nothing about the server either way.",
                "The evidence shows each data connection; the server's log says why it refused them.");
    }
}
