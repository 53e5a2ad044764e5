package io.ftpgate.control;

import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.LineViolation;
import io.ftpgate.protocol.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every refusal of a session goes through here: one {@code refused} audit event with a stable reason code,
 * one log line, and (when enforced) the reply to the client. Protocol-safety refusals are always enforced;
 * policy verdicts are not in monitor mode.
 */
final class Refusals {

    private static final Logger LOG = LoggerFactory.getLogger(Refusals.class);

    private final Session s;

    Refusals(Session session) {
        this.s = session;
    }

    /** Records a refusal and, when {@code reply} is not null, answers the client with it. */
    void refuse(Reason reason, String input, FtpReply reply) {
        record(reason, input, reply, true);
        if (reply != null) {
            s.reply(reply);
        }
    }

    /**
     * Records a policy verdict. Returns true when it is enforced (the reply has then been sent and the caller
     * must not carry out the action); in monitor mode it is only recorded, with {@code "enforced": false}.
     */
    boolean policyRefuses(Reason reason, String input, FtpReply reply) {
        boolean enforced = !s.ctx().gatewayPolicy().monitor();
        record(reason, input, enforced ? reply : null, enforced);
        if (enforced && reply != null) {
            s.reply(reply);
        }
        return enforced;
    }

    /**
     * A line that broke the framing rules (always enforced): the client is told why with 500, or, when the
     * server sent it, with 421. The caller then ends the session.
     */
    void violation(LineViolation v, boolean fromClient) {
        Reason reason = switch (v) {
            case LINE_TOO_LONG -> Reason.LINE_TOO_LONG;
            case NUL_BYTE -> Reason.NUL_BYTE;
            case BARE_CR -> Reason.BARE_CR;
        };
        if (fromClient) {
            refuse(reason, "", FtpReply.of(500, switch (v) {
                case LINE_TOO_LONG -> "Command line too long; closing.";
                case NUL_BYTE -> "NUL byte in command; closing.";
                case BARE_CR -> "CR not followed by LF in command; closing.";
            }));
        } else {
            refuse(reason, "server", FtpReply.of(421, "The server sent an invalid reply; closing."));
        }
    }

    private void record(Reason reason, String input, FtpReply reply, boolean enforced) {
        // A refused PASS line must not put the password into the audit trail or the log.
        String shown = SafeText.redactSecrets(input == null ? "" : input);
        s.publish(new SessionEvent.Refused(s.origin(), reason, null, SafeText.escape(shown, 512),
                reply == null ? null : reply.code(), enforced, s.user(), s.server().destination()));
        LOG.info("#{} {}refused {}: {}", s.id(), enforced ? "" : "(monitor, not enforced) ", reason.code(),
                SafeText.escape(shown, 120));
    }
}
