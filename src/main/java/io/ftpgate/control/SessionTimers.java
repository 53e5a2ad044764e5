package io.ftpgate.control;

import io.ftpgate.protocol.FtpReply;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The login and control-idle timers of one session, run on its event loop.
 *
 * <p>Idle time is measured from the last complete command line, so a client dribbling bytes (slowloris)
 * cannot keep a session alive, as pyftpdlib does. It is paused while a transfer runs: the control connection
 * is idle by design then (OpenBSD ftp-proxy's man page makes the same point).
 */
final class SessionTimers {

    private final Session s;
    private long lastLineNanos = System.nanoTime();
    // Cancelled when the session closes, so a closed session is not kept reachable until its timers fire.
    private ScheduledFuture<?> login;
    private ScheduledFuture<?> idle;

    SessionTimers(Session session) {
        this.s = session;
    }

    /** Starts both timers. */
    void start(boolean loginRequired) {
        if (loginRequired) {
            login = s.loop().schedule(() -> {
                if (!s.isLoggedIn() && !s.isClosed()) {
                    s.reply(FtpReply.of(421, "Login timeout; closing control connection."));
                    s.closeAfterFlush("login-timeout");
                }
            }, s.ctx().timeouts().login().toNanos(), TimeUnit.NANOSECONDS);
        }
        scheduleIdleCheck(s.ctx().timeouts().controlIdle().toNanos());
    }

    /** A complete line arrived from the client. */
    void lineReceived() {
        lastLineNanos = System.nanoTime();
    }

    /** Stops both timers. */
    void cancel() {
        if (login != null) {
            login.cancel(false);
        }
        if (idle != null) {
            idle.cancel(false);
        }
    }

    private void scheduleIdleCheck(long delayNanos) {
        idle = s.loop().schedule(() -> {
            if (s.isClosed()) {
                return;
            }
            long idle = s.ctx().timeouts().controlIdle().toNanos();
            long since = System.nanoTime() - lastLineNanos;
            if (s.data().transferActive()) {
                lastLineNanos = System.nanoTime();
                scheduleIdleCheck(idle);
            } else if (since >= idle) {
                s.reply(FtpReply.of(421, "Idle timeout; closing control connection."));
                s.closeAfterFlush("idle-timeout");
            } else {
                scheduleIdleCheck(idle - since);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }
}
