package io.ftpgate.policy;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the gateway knows about each upstream server, shared by every listener and kept across reloads: the
 * sessions it carries now (for {@link UpstreamPolicy#LEAST_SESSIONS}) and whether it is marked down.
 *
 * <p>Health is passive: a server is marked down when a session could not connect to it or it greeted with
 * anything but 220, and stays down for {@link #DOWN_TIME}, so that a dead server is not tried (and waited
 * for) by every new session. Once that time has passed the next session tries it again; a 220 clears the
 * mark. There is no active probe: it would open a control connection on every server every few seconds (each
 * one logged by the server as a session), and a probe's verdict is older than the connect attempt it replaces.
 *
 * <p>Thread-safe: sessions on every event loop call it.
 */
public final class UpstreamHealth {

    /**
     * How long a server that failed stays out of the rotation: nginx's upstream {@code fail_timeout} default
     * (10 seconds, with {@code max_fails=1}), the common reference for passive health checks.
     */
    public static final Duration DOWN_TIME = Duration.ofSeconds(10);

    private final Clock clock;
    private final Map<InetSocketAddress, State> states = new ConcurrentHashMap<>();

    public UpstreamHealth(Clock clock) {
        this.clock = clock;
    }

    private static final class State {
        final AtomicInteger sessions = new AtomicInteger();
        /** Epoch millis until which the server is down; 0 when up. */
        final AtomicLong downUntil = new AtomicLong();
    }

    private State state(InetSocketAddress server) {
        return states.computeIfAbsent(server, k -> new State());
    }

    /** Sessions now connected (or connecting) to {@code server}. */
    public int sessions(InetSocketAddress server) {
        State s = states.get(server);
        return s == null ? 0 : s.sessions.get();
    }

    /** A session started connecting to {@code server}; pair with {@link #closed}. */
    public void opened(InetSocketAddress server) {
        state(server).sessions.incrementAndGet();
    }

    /** A session counted by {@link #opened} ended (or gave the server up). */
    public void closed(InetSocketAddress server) {
        state(server).sessions.decrementAndGet();
    }

    /** The server refused, timed out or greeted with other than 220: down for {@link #DOWN_TIME}. */
    public void failed(InetSocketAddress server) {
        state(server).downUntil.set(clock.millis() + DOWN_TIME.toMillis());
    }

    /** The server greeted with 220: up again. */
    public void succeeded(InetSocketAddress server) {
        State s = states.get(server);
        if (s != null) {
            s.downUntil.set(0);
        }
    }

    /** True while {@code server} is marked down. */
    public boolean isDown(InetSocketAddress server) {
        State s = states.get(server);
        return s != null && clock.millis() < s.downUntil.get();
    }
}
