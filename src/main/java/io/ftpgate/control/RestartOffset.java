package io.ftpgate.control;

import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.Verbs;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The client's REST offset toward the server. REST must immediately precede the transfer command (RFC 959
 * §4.1.3), but the gateway's own PASV or PORT came in between, so the client's REST is repeated right before
 * it:  PASV, REST 3000000, RETR f. Runs on the session's event loop.
 */
final class RestartOffset {

    private RestartOffset() {
    }

    /**
     * Sends {@code REST offset}; on 350 runs {@code send} (the transfer command), on anything else hands the
     * reply to {@code refused}. When {@code cancelled} is true by then (aborted, or failed on the client's side
     * before the command went out), the server must not start a transfer nobody wants, nor apply this offset to
     * the next one:  REST 5, ABOR, REST 0.
     */
    static void repeat(Session s, String offset, BooleanSupplier cancelled, Runnable send, Consumer<FtpReply> refused) {
        s.server().send(Verbs.REST + " " + offset, reply -> {
            if (reply.isPreliminary()) {
                return false;
            }
            if (cancelled.getAsBoolean()) {
                if (reply.code() == 350) {
                    clear(s);
                }
            } else if (reply.code() == 350) {
                send.run();
            } else {
                refused.accept(reply);
            }
            return true;
        });
    }

    /** The transfer ended before the repeated REST went out: REST 0 clears the client's offset. */
    static void clear(Session s) {
        if (s.serverConnected()) {
            s.server().send(Verbs.REST + " 0", r -> !r.isPreliminary());
        }
    }
}
