package io.ftpgate.control;

import io.ftpgate.protocol.FtpCommand;
import io.ftpgate.protocol.FtpPaths;
import java.util.Set;

/**
 * The server's current directory for one session, learned with the gateway's own {@code PWD} (its reply is not
 * relayed). It lets the audit log record where a transfer really landed ({@code "path":"/pub/incoming/f.bin"}
 * rather than the {@code f.bin} the client typed) and the incoming-area rule place a relative path.
 *
 * <p>After a login or a successful directory change the directory is stale. It is asked for at once when the
 * incoming-area rule needs it for every command, and otherwise only when a transfer needs it, right before the
 * transfer starts: a session that changes directories without transferring costs the server nothing extra.
 * Either way the answer arrives before the client's next command is handled. Owned by the session's event
 * loop.
 */
final class WorkingDirectory {

    /** Transfer and read verbs whose argument is a listing target (options such as {@code -la} skipped). */
    private static final Set<String> LISTINGS = Set.of("LIST", "NLST", "MLSD", "MLST", "STAT");

    private final Session s;
    private String path;
    private boolean stale;

    WorkingDirectory(Session session) {
        this.s = session;
    }

    /** The session logged in or changed directory: learn the new one now if the policy needs it, else later. */
    void changed() {
        path = null;
        stale = true;
        if (s.sessionPolicy().tracksDirectory()) {
            ensure(() -> { });
        }
    }

    /** Forgets the directory (REIN: the server logs the session out). */
    void forget() {
        path = null;
        stale = false;
    }

    /**
     * Runs {@code then} once the directory is known: at once, or when the server has answered the gateway's own
     * PWD. The session takes no other command meanwhile.
     */
    void ensure(Runnable then) {
        if (!stale || !s.serverConnected()) {
            then.run();
            return;
        }
        stale = false;
        s.beginLocal();
        s.sendToServer("PWD", reply -> {
            if (reply.isPreliminary()) {
                return false;
            }
            path = reply.code() == 257 ? FtpPaths.parsePwdReply(reply.lines().get(reply.lines().size() - 1)) : null;
            if (!s.isClosed()) {
                then.run();
            }
            s.endLocal();
            return true;
        });
    }

    /** The current directory, or null when unknown. */
    String path() {
        return path;
    }

    /**
     * The absolute server path {@code cmd} refers to, resolved against the current directory; the argument as
     * typed when the directory is unknown.
     */
    String resolve(FtpCommand cmd) {
        String arg = LISTINGS.contains(cmd.verb()) ? FtpPaths.listingPath(cmd.argument()) : cmd.argument();
        return path == null ? arg : FtpPaths.resolve(path, arg);
    }
}
