package io.ftpgate.control;

import io.ftpgate.config.ListenerTls;
import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent.Side;
import io.ftpgate.protocol.FtpCommand;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.Verbs;
import io.netty.handler.ssl.SslHandler;
import java.util.Locale;
import java.util.Set;

/**
 * FTPS toward the client of one session (RFC 4217), ftpgate being the TLS server: {@code AUTH TLS} (or an
 * implicit listener), {@code PBSZ}, {@code PROT}, and the refusal of {@code CCC}. TLS is terminated here, so the
 * line checks, the bounce refusal and the regenerated 227/229 apply to the decrypted stream exactly as in clear.
 *
 * <pre>
 *   client → gateway   AUTH TLS
 *   gateway → client   234 AUTH TLS successful; start the TLS handshake.
 *                      (anything the client sent after AUTH TLS in clear is discarded: STARTTLS injection)
 *   client ⇄ gateway   TLS handshake (the listener's certificate)
 *   client → gateway   PBSZ 0 → 200 PBSZ=0        (answered by the gateway; never relayed)
 *   client → gateway   PROT P → 200 ...           (data connections with the client are TLS from now on)
 * </pre>
 * Owned by the session's event loop.
 */
final class FtpsClientSide {

    /** AUTH mechanisms that mean TLS (RFC 4217 §4; "SSL" and "TLS-C" are common aliases). */
    private static final Set<String> TLS_MECHANISMS = Set.of("TLS", "TLS-C", "SSL", "TLS-P");

    private final Session s;
    private final ListenerTls settings;
    /** The TLS handler of the client control connection, once AUTH TLS (or an implicit listener) started it. */
    private SslHandler control;
    private boolean secure;
    private boolean negotiating;
    private boolean pbsz;
    private boolean protP;
    private String peerSubject;

    FtpsClientSide(Session session) {
        this.s = session;
        this.settings = session.ctx().config().tls();
    }

    /** True while lines must not be acted on: AUTH TLS was accepted and the handshake is still running. */
    boolean negotiating() {
        return negotiating;
    }

    /** The subject of the client's TLS certificate (for rules and the audit log), or null. */
    String peerSubject() {
        return peerSubject;
    }

    /** True once the client control connection is encrypted. */
    boolean secure() {
        return secure;
    }

    /** True when the client's data connections are TLS ({@code PROT P}). */
    boolean dataPrivate() {
        return secure && protP;
    }

    /** The client control connection's TLS handler (the session client data connections resume), or null. */
    SslHandler controlHandler() {
        return control;
    }

    /** An implicit listener put TLS in front of the session from the first byte: record its handshake. */
    void implicit(SslHandler handler) {
        control = handler;
        negotiating = true;
        awaitHandshake(handler);
    }

    /**
     * USER, PASS and ACCT on a listener that requires TLS before login: refused (530) until AUTH TLS.
     *
     * @return true when the command may go on
     */
    boolean permitsLogin(String line) {
        if (settings.client() == ClientTlsMode.REQUIRED && !secure) {
            s.refuse(Reason.TLS_REQUIRED, line, FtpReply.of(530, "TLS required on the control connection: use AUTH"
                    + " TLS first."));
            return false;
        }
        return true;
    }

    /**
     * A transfer command: refused (521, RFC 4217 §9) when the listener requires PROT P and the client has not
     * set it.
     *
     * @return true when the transfer may go on
     */
    boolean permitsTransfer(String line) {
        if (settings.client().on() && settings.requireProtP() && !dataPrivate()) {
            s.refuse(Reason.TLS_PROT_REQUIRED, line,
                    FtpReply.of(521, "Data connections must be protected: use PBSZ 0 and PROT P."));
            return false;
        }
        return true;
    }

    /** AUTH, PBSZ, PROT or CCC from the client. */
    void command(FtpCommand cmd, String line) {
        switch (cmd.verb()) {
            case Verbs.AUTH -> auth(cmd, line);
            case Verbs.PBSZ -> {
                if (!secure) {
                    s.reply(FtpReply.of(503, "PBSZ needs a TLS control connection (AUTH TLS) first."));
                } else {
                    pbsz = true;
                    // RFC 4217 §8: for TLS the protection buffer size is 0, whatever was asked.
                    s.reply(FtpReply.of(200, "PBSZ=0"));
                }
            }
            case Verbs.PROT -> prot(cmd, line);
            default -> s.refuse(Reason.CCC_REFUSED, line, FtpReply.of(533,
                    "CCC refused: the gateway keeps the control connection encrypted."));
        }
    }

    private void auth(FtpCommand cmd, String line) {
        if (!settings.client().on()) {
            s.refuse(Reason.TLS_UNSUPPORTED, line, FtpReply.of(502, "TLS is not offered on this port."));
            return;
        }
        if (secure || negotiating) {
            s.reply(FtpReply.of(503, "TLS is already in use on this connection."));
            return;
        }
        if (!TLS_MECHANISMS.contains(cmd.argument().trim().toUpperCase(Locale.ROOT))) {
            s.reply(FtpReply.of(504, "AUTH mechanism not supported; use AUTH TLS."));
            return;
        }
        // The 234 goes out in clear; everything after it on this connection is TLS.
        s.reply(FtpReply.of(234, "AUTH TLS successful; start the TLS handshake."));
        negotiating = true;
        control = s.ctx().serverTls().newHandler(s.client().alloc());
        s.discardQueued(); // lines pipelined behind AUTH TLS arrived in clear: never executed
        ControlPipelines.startTls(s.client(), control, true);
        awaitHandshake(control);
        s.serverTls().clientWentSecure(); // server-tls match-client follows
    }

    private void awaitHandshake(SslHandler handler) {
        s.beginLocal();
        handler.handshakeFuture().addListener(f -> {
            negotiating = false;
            if (f.isSuccess()) {
                secure = true;
                peerSubject = s.publishTls(Side.CLIENT, handler).peerSubject();
                s.endLocal();
            } else if (!s.isClosed()) {
                tlsFailed(f.cause().getMessage());
            }
        });
    }

    /** TLS with the client failed (the handshake, or a fatal alert after it): recorded, the session ends. */
    void tlsFailed(String cause) {
        s.refuse(Reason.TLS_HANDSHAKE_FAILED, "client: " + cause, null);
        s.close("tls-handshake-failed");
    }

    private void prot(FtpCommand cmd, String line) {
        if (!secure) {
            s.reply(FtpReply.of(503, "PROT needs a TLS control connection (AUTH TLS) first."));
            return;
        }
        if (!pbsz) {
            s.reply(FtpReply.of(503, "PROT needs PBSZ first (RFC 4217 section 8)."));
            return;
        }
        switch (cmd.argument().trim().toUpperCase(Locale.ROOT)) {
            case "P" -> {
                protP = true;
                s.reply(FtpReply.of(200, "Protection level set to Private."));
            }
            case "C" -> {
                if (settings.requireProtP()) {
                    s.refuse(Reason.TLS_PROT_REQUIRED, line,
                            FtpReply.of(534, "Data connections must be protected here (PROT P)."));
                } else {
                    protP = false;
                    s.reply(FtpReply.of(200, "Protection level set to Clear."));
                }
            }
            case "S", "E" -> s.reply(FtpReply.of(536, "PROT " + cmd.argument().trim()
                    + " is not supported with TLS; use PROT P or C."));
            default -> s.reply(FtpReply.of(504, "PROT takes C, S, E or P."));
        }
    }
}
