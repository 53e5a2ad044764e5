package io.ftpgate.policy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The servers of one reverse listener and the order a session tries them in: the first candidate is the
 * policy's choice, the rest are the failover order. Servers marked down ({@link UpstreamHealth}) come last, so
 * they are tried only when every other server failed too; a pool of one is simply that server.
 *
 * <p>{@link UpstreamPolicy#PER_USER} uses rendezvous (highest random weight) hashing: each server gets a score
 * from a hash of its name and the user, the highest score wins. The choice depends only on the user and the
 * configured names, so it is the same across sessions, restarts and gateways sharing a configuration; when a
 * server is down (or removed), only its own users move, each to its second-best server, and they come back
 * when it does.
 *
 * <p>Immutable apart from the round-robin turn; thread-safe.
 */
public final class UpstreamPool {

    /**
     * One server: {@code name} as configured ({@code HOST:PORT}, the hashing key) and its resolved address.
     */
    public record Member(String name, InetSocketAddress address) {
    }

    private final List<Member> members;
    private final UpstreamPolicy policy;
    private final UpstreamHealth health;
    private final AtomicLong turn = new AtomicLong();

    public UpstreamPool(List<Member> members, UpstreamPolicy policy, UpstreamHealth health) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an upstream pool needs at least one server");
        }
        this.members = List.copyOf(members);
        this.policy = policy;
        this.health = health;
    }

    public UpstreamPolicy policy() {
        return policy;
    }

    public UpstreamHealth health() {
        return health;
    }

    /** True when the server is chosen at USER rather than when the client connects. */
    public boolean deferred() {
        return policy == UpstreamPolicy.PER_USER;
    }

    /**
     * The servers in the order a new session tries them. {@code user} is the USER argument for
     * {@link UpstreamPolicy#PER_USER}, otherwise ignored (may be null).
     */
    public List<Member> candidates(String user) {
        List<Member> up = new ArrayList<>();
        List<Member> down = new ArrayList<>();
        for (Member m : members) {
            (health.isDown(m.address()) ? down : up).add(m);
        }
        // The turn goes round the servers that are up, so a down server's turns are shared out, not all given
        // to its neighbour.
        long t = policy == UpstreamPolicy.PER_USER ? 0 : turn.getAndIncrement();
        List<Member> out = ordered(up, t, user);
        out.addAll(ordered(down, t, user));
        return out;
    }

    private List<Member> ordered(List<Member> servers, long t, String user) {
        return switch (policy) {
            case ROUND_ROBIN -> rotated(servers, t);
            // Ties (e.g. an idle pool) are broken by the turn, so simultaneous first sessions still spread out.
            case LEAST_SESSIONS -> sorted(rotated(servers, t),
                    Comparator.comparingInt(m -> health.sessions(m.address())));
            case PER_USER -> byScore(servers, user);
        };
    }

    /** Highest rendezvous score first; each server's score (a SHA-256) computed once, not per comparison. */
    private static List<Member> byScore(List<Member> servers, String user) {
        java.util.Map<Member, Long> scores = new java.util.HashMap<>();
        for (Member m : servers) {
            scores.put(m, score(m.name(), user));
        }
        return sorted(servers, Comparator.comparingLong((Member m) -> scores.get(m)).reversed());
    }

    private static List<Member> rotated(List<Member> servers, long t) {
        int n = servers.size();
        List<Member> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(servers.get((int) Math.floorMod(t + i, (long) n)));
        }
        return out;
    }

    private static List<Member> sorted(List<Member> in, Comparator<Member> order) {
        List<Member> out = new ArrayList<>(in);
        out.sort(order); // stable: equal keys keep the incoming order
        return out;
    }

    /** The rendezvous score of {@code server} for {@code user}: the first 8 bytes of SHA-256(server NUL user). */
    static long score(String server, String user) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((server + '\0' + (user == null ? "" : user)).getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < Long.BYTES; i++) {
                v = (v << 8) | (d[i] & 0xff);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }
}
