package io.ftpgate.control;

import io.ftpgate.event.Reason;
import io.ftpgate.policy.UpstreamPool;
import io.ftpgate.policy.UpstreamPool.Member;
import io.ftpgate.protocol.FtpReply;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Connects a session's server side to the first of its candidate servers that accepts the connection and
 * greets with 220, in the order the pool gave ({@link UpstreamPool#candidates}). Every way in is here: reverse
 * placement as the client connects, and the deferred login (forward placement, per-user pools) at USER.
 *
 * <p>Failover happens only at connect time, before the session has used the server: a refused or timed-out
 * connection, or a greeting other than 220 (421 "too many users", 530, ...), marks the server down
 * ({@link io.ftpgate.policy.UpstreamHealth}), is recorded as {@code upstream-failover} naming it, and the next
 * candidate is tried. Once a server has greeted, the session stays with it: a server lost mid-session ends
 * that session only, as before.
 *
 * <p>The session's local-work mark is held from the first attempt to the outcome, so client commands wait.
 */
final class UpstreamConnect {

    /** What becomes of the attempt; exactly one of the final three is called. */
    interface Outcome {
        /** A preliminary greeting (120) from the server being tried. */
        default void preliminary(FtpReply reply) {
        }

        /** A server greeted with 220; {@code Session.server()} is connected to it. */
        void greeted(FtpReply greeting);

        /** The last candidate greeted with {@code greeting}, not 220 (it is still connected). */
        void refused(FtpReply greeting);

        /** No candidate could be reached; {@code tried} names them for the audit record. */
        void unreachable(String tried);
    }

    private final Session s;
    private final List<Member> candidates;
    private final UpstreamPool pool;
    private final Outcome outcome;
    private int next;
    /** Set once the outcome is known (see {@link #settle}). */
    private boolean settled;
    private ScheduledFuture<?> greetingTimer;

    /** {@code pool} may be null (forward placement): then servers are neither counted nor marked down. */
    UpstreamConnect(Session session, List<Member> candidates, UpstreamPool pool, Outcome outcome) {
        this.s = session;
        this.candidates = candidates;
        this.pool = pool;
        this.outcome = outcome;
    }

    /** Tries the candidates in order. */
    void start() {
        s.beginLocal();
        tryNext();
    }

    private void tryNext() {
        Member m = candidates.get(next++);
        ServerControl server = s.server();
        server.setChosen(pool == null ? null : m);
        server.setDestinationHost(m.address().getHostString()); // for SNI and the server certificate check
        if (pool != null) {
            pool.health().opened(m.address());
            server.lease(() -> pool.health().closed(m.address()));
        }
        server.connect(m.address(), failure -> {
            if (failure != null) {
                failed(m, why(failure), null);
            } else {
                server.expect(reply -> onGreeting(m, reply));
                awaitGreeting(m, server.channel());
            }
        });
    }

    /**
     * A server that accepts and then hangs up, or says nothing for the connect timeout, is as unusable as one
     * that refuses: the next candidate is tried (without this, the session would wait for its login timeout).
     */
    private void awaitGreeting(Member m, Channel ch) {
        ch.closeFuture().addListener(f -> {
            if (!settled && !s.isClosed() && s.server().channel() == ch) {
                failed(m, "closed the connection before greeting", null);
            }
        });
        long timeout = s.ctx().timeouts().connect().toMillis();
        ScheduledFuture<?> timer = ch.eventLoop().schedule(() -> {
            if (!settled && !s.isClosed() && s.server().channel() == ch) {
                failed(m, "no greeting within the connect timeout", null);
            }
        }, timeout, TimeUnit.MILLISECONDS);
        greetingTimer = timer;
        ch.closeFuture().addListener(f -> timer.cancel(false));
    }

    /** The outcome is known: later closes and timers of the connection are the session's business. */
    private void settle() {
        settled = true;
        if (greetingTimer != null) {
            greetingTimer.cancel(false);
        }
    }

    private boolean onGreeting(Member m, FtpReply reply) {
        if (reply.isPreliminary()) {
            outcome.preliminary(reply);
            return false;
        }
        if (reply.code() == 220) {
            settle();
            if (pool != null) {
                pool.health().succeeded(m.address());
            }
            outcome.greeted(reply);
            s.endLocal();
        } else {
            failed(m, "greeted " + reply.code(), reply);
        }
        return true;
    }

    /**
     * The cause in the words of the system call ("Connection refused", "No route to host"), without the
     * transport's decoration ("finishConnect(..) failed with error(-111): ...: /10.0.0.5:21"): the audit record
     * names the server already.
     */
    static String why(Throwable failure) {
        if (failure instanceof ConnectTimeoutException) {
            return "no answer within the connect timeout";
        }
        String m = String.valueOf(failure.getMessage());
        return m.replaceFirst("^.*error\\(-\\d+\\): ", "").replaceFirst(": /\\S+$", "");
    }

    /** {@code greeting}: the non-220 greeting, or null when the connection failed. */
    private void failed(Member m, String why, FtpReply greeting) {
        if (pool != null) {
            pool.health().failed(m.address());
        }
        if (next < candidates.size()) {
            s.refuse(Reason.UPSTREAM_FAILOVER, m.name() + " (" + why + "); trying " + candidates.get(next).name(),
                    null);
            s.server().abandon();
            tryNext();
            return;
        }
        settle();
        if (greeting != null) {
            outcome.refused(greeting);
        } else {
            s.server().lease(null);
            outcome.unreachable(candidates.size() == 1 ? m.name() + " (" + why + ")"
                    : "every server of the pool (" + candidates.stream().map(Member::name).toList() + "); last: "
                    + m.name() + " (" + why + ")");
        }
        s.endLocal();
    }
}
