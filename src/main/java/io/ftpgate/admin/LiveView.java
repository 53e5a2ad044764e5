package io.ftpgate.admin;

import io.ftpgate.event.SessionEvent;
import io.ftpgate.event.SessionEvent.Closed;
import io.ftpgate.event.SessionEvent.Login;
import io.ftpgate.event.SessionEvent.Opened;
import io.ftpgate.event.SessionEvent.PinholeArmed;
import io.ftpgate.event.SessionEvent.PinholeConsumed;
import io.ftpgate.event.SessionEvent.PinholeExpired;
import io.ftpgate.event.SessionEvent.Refused;
import io.ftpgate.event.SessionEvent.Side;
import io.ftpgate.event.SessionEvent.TlsEstablished;
import io.ftpgate.event.SessionEvent.TransferFinished;
import io.ftpgate.event.SessionEvent.TransferStarted;
import io.ftpgate.event.SessionEvent.UpstreamConnected;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the gateway is doing now, rebuilt from the session events alone (the audit log's source, so the two
 * cannot disagree): the sessions with their client, user, destination, TLS, state and bytes; the open pinholes;
 * the last refusals; and transfers and bytes per second. Thread-safe: events of different sessions arrive on
 * different event loops, and the admin listener reads from its own.
 *
 * <p>Nothing here can hold a password: the events carry none (a refused {@code PASS} line is redacted before
 * its event is published), and this class keeps only the fields below.
 */
public final class LiveView implements Consumer<SessionEvent> {

    /** Refusals the page lists: enough for "the last ones" without growing with an attack. */
    static final int RECENT_REFUSALS = 50;

    private final Clock clock;
    private final Map<String, Row> sessions = new ConcurrentHashMap<>();
    private final Map<String, Pinhole> pinholes = new ConcurrentHashMap<>();
    private final ArrayDeque<RefusalRow> refusals = new ArrayDeque<>();
    private final RateHistory rates = new RateHistory();
    private final AtomicLong sessionsTotal = new AtomicLong();
    private final AtomicLong transfersTotal = new AtomicLong();
    private final AtomicLong bytesTotal = new AtomicLong();
    private final AtomicLong refusalsTotal = new AtomicLong();

    /** A live view with the system clock. */
    public LiveView() {
        this(Clock.systemUTC());
    }

    /** A live view stamping events with {@code clock}. */
    public LiveView(Clock clock) {
        this.clock = clock;
    }

    /**
     * One running session. Its fields are written only by its session's event loop (events of one session come
     * in order from one loop) and read by the admin listener, hence volatile and no lock.
     */
    private static final class Row {
        final String id;
        final String listener;
        final String client;
        final long openedAt;
        volatile String user;
        volatile String destination;
        volatile String tlsClient;
        volatile String tlsServer;
        volatile String state = "connected";
        volatile int transfers;
        volatile long bytesFromClient;
        volatile long bytesFromServer;

        Row(String id, String listener, String client, long openedAt) {
            this.id = id;
            this.listener = listener;
            this.client = client;
            this.openedAt = openedAt;
        }
    }

    /** An open pinhole: a port waiting for one connection from the session's peer on {@code side}. */
    record Pinhole(String session, String client, String side, int port, long armedAt) {
    }

    /** A refusal with its stable reason code; {@code input} is already redacted and escaped. */
    record RefusalRow(long at, String session, String client, String reason, String side, String input,
            Integer reply, Boolean enforced, String user) {
    }

    @Override
    public void accept(SessionEvent event) {
        String id = event.origin().session();
        long now = clock.millis();
        Row r = sessions.get(id);
        if (event instanceof Opened e) {
            sessionsTotal.incrementAndGet();
            sessions.put(id, new Row(id, e.listener(), e.origin().client(), now));
        } else if (event instanceof Closed) {
            sessions.remove(id);
            pinholes.keySet().removeIf(k -> k.startsWith(id + "/"));
        } else if (event instanceof TransferFinished e) {
            transfersTotal.incrementAndGet();
            bytesTotal.addAndGet(e.bytes());
            rates.record(now / 1000, e.bytes());
            if (r != null) {
                r.transfers++;
                r.bytesFromClient += e.clientToServerBytes();
                r.bytesFromServer += e.serverToClientBytes();
                r.state = r.user != null ? "logged-in" : "connected";
            }
        } else if (event instanceof PinholeArmed e) {
            pinholes.put(key(id, e.side(), e.port()), new Pinhole(id, e.origin().client(), e.side().text(), e.port(),
                    now));
        } else if (event instanceof PinholeConsumed e) {
            pinholes.remove(key(id, e.side(), e.port()));
        } else if (event instanceof PinholeExpired e) {
            pinholes.remove(key(id, e.side(), e.port()));
        } else if (event instanceof Refused e) {
            refusalsTotal.incrementAndGet();
            RefusalRow row = new RefusalRow(now, id, e.origin().client(), e.reason().code(),
                    e.side() == null ? null : e.side().text(), e.input(), e.reply(), e.enforced(), e.user());
            synchronized (refusals) {
                refusals.addFirst(row);
                if (refusals.size() > RECENT_REFUSALS) {
                    refusals.removeLast();
                }
            }
        } else if (r != null) {
            updateRow(r, event);
        }
    }

    /** The session facts of {@code event}, written into its row. */
    private static void updateRow(Row r, SessionEvent event) {
        if (event instanceof UpstreamConnected e) {
            r.destination = e.server();
        } else if (event instanceof Login e) {
            r.user = e.user();
            r.destination = e.destination() != null ? e.destination() : r.destination;
            r.state = "ok".equals(e.outcome()) ? "logged-in" : "login-" + e.outcome();
        } else if (event instanceof TlsEstablished e) {
            String tls = e.protocol() + (e.resumed() ? " (resumed)" : "");
            if (e.side() == Side.CLIENT) {
                r.tlsClient = tls;
            } else {
                r.tlsServer = tls;
            }
        } else if (event instanceof TransferStarted e) {
            r.state = "transfer " + e.command();
        }
    }

    private static String key(String session, Side side, int port) {
        return session + "/" + side.text() + "/" + port;
    }

    /** The listener of a running session, or null. */
    String listenerOf(String session) {
        Row r = sessions.get(session);
        return r == null ? null : r.listener;
    }

    /** Running sessions per listener (the {@code ftpgate_sessions_active} gauge). */
    Map<String, Long> activeByListener() {
        Map<String, Long> out = new TreeMap<>();
        for (Row r : sessions.values()) {
            out.merge(r.listener, 1L, Long::sum);
        }
        return out;
    }

    /** Open pinholes per side (the {@code ftpgate_pinholes_open} gauge); both sides always present. */
    Map<Side, Long> pinholesBySide() {
        Map<Side, Long> out = new EnumMap<>(Side.class);
        for (Side s : Side.values()) {
            out.put(s, 0L);
        }
        for (Pinhole p : pinholes.values()) {
            out.merge("client".equals(p.side()) ? Side.CLIENT : Side.SERVER, 1L, Long::sum);
        }
        return out;
    }

    /** Everything {@code /api/sessions} returns, at this moment. */
    public Snapshot snapshot() {
        long now = clock.millis();
        List<SessionRow> rows = new ArrayList<>();
        for (Row r : sessions.values()) {
            rows.add(new SessionRow(r.id, r.listener, r.client, r.user, r.destination, r.tlsClient, r.tlsServer,
                    r.state, r.transfers, r.bytesFromClient, r.bytesFromServer, (now - r.openedAt) / 1000));
        }
        rows.sort(Comparator.comparingLong(SessionRow::ageSeconds).reversed().thenComparing(SessionRow::id));
        List<Pinhole> open = new ArrayList<>(pinholes.values());
        open.sort(Comparator.comparingLong(Pinhole::armedAt).thenComparingInt(Pinhole::port));
        List<RefusalRow> recent;
        synchronized (refusals) {
            recent = List.copyOf(refusals);
        }
        return new Snapshot(now, rows, open, recent, new Totals(sessionsTotal.get(), transfersTotal.get(),
                bytesTotal.get(), refusalsTotal.get()));
    }

    /** Transfers and bytes per second over the last minutes ({@code /api/rates}). */
    public RateHistory.Series rates() {
        return rates.series(clock.millis() / 1000);
    }

    /**
     * A session row of {@code /api/sessions}; {@code ageSeconds} is counted from its {@code session-open}.
     * Bytes are those of finished transfers.
     */
    public record SessionRow(String id, String listener, String client, String user, String destination,
            String tlsClient, String tlsServer, String state, int transfers, long bytesFromClient,
            long bytesFromServer, long ageSeconds) {
    }

    /** Counts since the gateway started. */
    public record Totals(long sessions, long transfers, long bytes, long refusals) {
    }

    /** The body of {@code /api/sessions}: {@code at} is the time of the snapshot (Unix milliseconds). */
    public record Snapshot(long at, List<SessionRow> sessions, List<Pinhole> pinholes, List<RefusalRow> refusals,
            Totals totals) {
    }
}
