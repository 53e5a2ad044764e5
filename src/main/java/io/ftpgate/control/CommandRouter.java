package io.ftpgate.control;

import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.policy.Placement;
import io.ftpgate.policy.UpstreamPool;
import io.ftpgate.protocol.Features;
import io.ftpgate.protocol.FtpCommand;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.FtpSyntaxException;
import io.ftpgate.protocol.Verbs;

/**
 * Where each client command goes, in its turn: answered by the gateway (PORT/EPRT/PASV/EPSV, AUTH, REIN in
 * forward placement), turned into a brokered transfer (RETR, STOR, LIST...), or relayed to the server. The
 * policy check and the login requirement are applied here, before anything reaches the server.
 */
final class CommandRouter {

    /** Refused commands tolerated per session (after login) before the gateway hangs up. */
    static final int MAX_ERRORS = 20;
    /** Refused commands tolerated before login: a client that cannot speak FTP is not given many tries. */
    static final int MAX_ERRORS_BEFORE_LOGIN = 3;

    private final Session s;
    private int handled;
    private int errors;

    CommandRouter(Session session) {
        this.s = session;
    }

    /** True when {@code line} is an ABOR, the one command that may overtake an outstanding one. */
    static boolean isAbort(String line) {
        try {
            return Verbs.ABOR.equals(FtpCommand.parse(line).verb());
        } catch (FtpSyntaxException e) {
            return false;
        }
    }

    /** Handles one client line in its turn: parsed, checked, then {@link #dispatch dispatched}. */
    void handle(String line) {
        boolean first = handled++ == 0;
        FtpCommand cmd;
        try {
            cmd = FtpCommand.parse(line);
        } catch (FtpSyntaxException e) {
            refuseCommand(Reason.COMMAND_SYNTAX, line, FtpReply.of(500, "Syntax error, command unrecognized."), first);
            return;
        }
        if (Verbs.LPRT.equals(cmd.verb()) || Verbs.LPSV.equals(cmd.verb())) {
            s.refuse(Reason.LONG_ADDRESS_UNSUPPORTED, line,
                    FtpReply.of(502, "LPRT/LPSV not supported; use EPRT/EPSV."));
            return;
        }
        if (!Verbs.isKnown(cmd.verb())) {
            refuseCommand(Reason.COMMAND_UNKNOWN, line, FtpReply.of(502, "Command not implemented."), first);
            return;
        }
        dispatch(cmd, line);
    }

    private void refuseCommand(Reason reason, String line, FtpReply reply, boolean first) {
        s.refuse(reason, line, reply);
        errors++;
        if (first || errors > (s.isLoggedIn() ? MAX_ERRORS : MAX_ERRORS_BEFORE_LOGIN)) {
            // A session must open with a valid FTP dialogue (defeats protocol confusion such as NAT slipstreaming).
            s.refuse(Reason.TOO_MANY_ERRORS, line, FtpReply.of(421, "Too many invalid commands; closing."));
            s.closeAfterFlush(first ? "protocol-violation" : "too-many-errors");
        }
    }

    /** Routes one parsed, known command (called when nothing else is outstanding). */
    private void dispatch(FtpCommand cmd, String line) {
        String verb = cmd.verb();
        if (!s.server().exists()) {
            s.forward().beforeConnect(cmd);
            return;
        }
        if (s.isLoggedIn() && !s.sessionPolicy().permits(cmd, line)) {
            return;
        }
        switch (verb) {
            case Verbs.PORT, Verbs.EPRT, Verbs.PASV, Verbs.EPSV -> {
                if (requireLogin(line)) {
                    s.data().negotiate(cmd);
                }
            }
            case Verbs.AUTH, Verbs.CCC, Verbs.PBSZ, Verbs.PROT -> s.clientTls().command(cmd, line);
            case Verbs.USER -> {
                if (s.clientTls().permitsLogin(line)) {
                    s.forward().user(cmd, line);
                }
            }
            case Verbs.PASS, Verbs.ACCT -> {
                if (s.clientTls().permitsLogin(line)) {
                    s.relay(line, verb);
                }
            }
            case Verbs.REST -> {
                if (requireLogin(line)) {
                    // The offset is remembered and repeated right before the transfer command (see Transfer).
                    s.relay(line, verb, reply -> s.data().restartAt(reply.code() == 350 ? cmd.argument() : null));
                }
            }
            case Verbs.REIN -> {
                if (s.ctx().config().placement() == Placement.FORWARD) {
                    s.reply(FtpReply.of(502, "REIN not supported by the forward gateway; reconnect instead."));
                } else {
                    s.relay(line, verb);
                }
            }
            default -> {
                if (Verbs.isTransfer(verb)) {
                    if (requireLogin(line) && s.clientTls().permitsTransfer(line)) {
                        s.data().transfer(cmd, line);
                    }
                } else if (s.isLoggedIn() || Verbs.allowedBeforeLogin(verb)) {
                    if (Verbs.QUIT.equals(verb)) {
                        s.markQuitting();
                    }
                    s.relay(line, verb);
                } else {
                    s.refuse(Reason.NOT_LOGGED_IN, line, FtpReply.of(530, "Please log in first."));
                }
            }
        }
    }

    private boolean requireLogin(String line) {
        if (!s.isLoggedIn()) {
            s.refuse(Reason.NOT_LOGGED_IN, line, FtpReply.of(530, "Please log in first."));
        }
        return s.isLoggedIn();
    }

    /** Relays a client command; the reply is relayed back, with the session bookkeeping it implies. */
    void relay(String line, String verb, java.util.function.Consumer<FtpReply> after) {
        s.server().send(line, reply -> {
            if (reply.isPreliminary()) {
                s.reply(reply);
                return false;
            }
            afterFinalReply(verb, reply);
            if (after != null) {
                after.accept(reply);
            }
            return true;
        });
    }

    private void afterFinalReply(String verb, FtpReply reply) {
        switch (verb) {
            case Verbs.FEAT -> s.reply(Features.rewriteFeat(reply, s.ctx().config().tls().client().on()));
            // The listener's own SYST text, when set, replaces the server's (which may name its software).
            case Verbs.SYST -> s.reply(reply.code() == 215 && s.ctx().config().systReply() != null
                    ? FtpReply.of(215, s.ctx().config().systReply()) : reply);
            case Verbs.USER, Verbs.PASS, Verbs.ACCT -> {
                if (reply.code() == 230 && !s.isLoggedIn()) {
                    s.setLoggedIn(true);
                    s.sessionPolicy().loggedIn(s.rawUser());
                    auditLogin("ok", reply);
                    // The client sees its 230 once the gateway knows where the session is (its own PWD).
                    s.directory().learn(() -> s.reply(reply));
                    return;
                }
                s.reply(reply);
                if (reply.code() >= 400 && !Verbs.USER.equals(verb)) {
                    auditLogin("failed", reply);
                    s.sessionPolicy().loginFailed();
                }
            }
            case "CWD", "CDUP", "XCWD", "XCUP" -> {
                if (reply.isPositiveCompletion()) {
                    s.directory().learn(() -> s.reply(reply));
                } else {
                    s.reply(reply);
                }
            }
            case Verbs.REIN -> {
                s.reply(reply);
                if (reply.code() == 220) {
                    s.setLoggedIn(false);
                    s.directory().forget();
                    s.data().reset();
                }
            }
            default -> s.reply(reply);
        }
        if (Verbs.QUIT.equals(verb)) {
            s.closeAfterFlush("client-quit");
        }
    }

    private void auditLogin(String outcome, FtpReply reply) {
        UpstreamPool.Member chosen = s.server().chosen();
        s.publish(new SessionEvent.Login(s.origin(), s.user(), s.server().destination(), outcome, reply.code(),
                s.isLoggedIn() ? s.sessionPolicy().profileName() : null, chosen == null ? null : chosen.name(),
                chosen == null ? null : s.ctx().upstreams().policy().text()));
    }
}
