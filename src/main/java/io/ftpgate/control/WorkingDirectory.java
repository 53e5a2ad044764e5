package io.ftpgate.control;

import io.ftpgate.protocol.FtpCommand;
import io.ftpgate.protocol.FtpPaths;
import java.util.Set;

/**
 * The server's current directory for one session, learned with the gateway's own {@code PWD} (its reply is not
 * relayed). It lets the audit log record where a transfer really landed ({@code "path":"/pub/incoming/f.bin"}
 * rather than the {@code f.bin} the client typed) and the incoming-area rule place a relative path.
 *
 * <p>It is asked for after a login and after every successful directory change, before the client sees the
 * server's reply: the client's next command is handled only once the gateway knows the new directory, and no
 * PWD of the gateway's ever interleaves with a transfer. Owned by the session's event loop.
 */
final class WorkingDirectory {

    /** Transfer and read verbs whose argument is a listing target (options such as {@code -la} skipped). */
    private static final Set<String> LISTINGS = Set.of("LIST", "NLST", "MLSD", "MLST", "STAT");

    private final Session s;
    private String path;

    WorkingDirectory(Session session) {
        this.s = session;
    }

    /**
     * Asks the server where the session now is (after a login or a directory change), then runs {@code then}
     * (which relays the server's reply to the client).
     */
    void learn(Runnable then) {
        path = null;
        s.server().send("PWD", reply -> {
            if (reply.isPreliminary()) {
                return false;
            }
            path = reply.code() == 257 ? FtpPaths.parsePwdReply(reply.lines().get(reply.lines().size() - 1)) : null;
            then.run();
            return true;
        });
    }

    /** Forgets the directory (REIN: the server logs the session out). */
    void forget() {
        path = null;
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
