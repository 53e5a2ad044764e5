package io.ftpgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.policy.UpstreamPool.Member;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The choice and failover order of {@link UpstreamPool}, with a clock the test moves. */
class UpstreamPoolTest {

    private final MovableClock clock = new MovableClock();
    private final UpstreamHealth health = new UpstreamHealth(clock);
    private final Member a = member("10.0.0.5:21");
    private final Member b = member("10.0.0.6:21");
    private final Member c = member("ftp3.example.net:2121");

    private static Member member(String name) {
        int colon = name.lastIndexOf(':');
        return new Member(name, InetSocketAddress.createUnresolved(name.substring(0, colon),
                Integer.parseInt(name.substring(colon + 1))));
    }

    private UpstreamPool pool(UpstreamPolicy policy) {
        return new UpstreamPool(List.of(a, b, c), policy, health);
    }

    @Test
    void roundRobinTakesEachServerInTurnAndOffersTheOthersAsFailover() {
        UpstreamPool p = pool(UpstreamPolicy.ROUND_ROBIN);
        assertThat(p.candidates(null)).containsExactly(a, b, c);
        assertThat(p.candidates(null)).containsExactly(b, c, a);
        assertThat(p.candidates(null)).containsExactly(c, a, b);
        assertThat(p.candidates(null)).containsExactly(a, b, c);
        assertThat(p.deferred()).isFalse();
    }

    @Test
    void leastSessionsTakesTheServerWithFewestSessions() {
        UpstreamPool p = pool(UpstreamPolicy.LEAST_SESSIONS);
        health.opened(a.address());
        health.opened(a.address());
        health.opened(b.address());
        assertThat(p.candidates(null)).containsExactly(c, b, a);
        health.opened(c.address());
        health.opened(c.address());
        health.closed(a.address());
        health.closed(a.address());
        assertThat(p.candidates(null).get(0)).isEqualTo(a);
        assertThat(health.sessions(a.address())).isZero();
        assertThat(health.sessions(c.address())).isEqualTo(2);
    }

    @Test
    void leastSessionsSpreadsTiesByTurn() {
        UpstreamPool p = pool(UpstreamPolicy.LEAST_SESSIONS);
        List<Member> firsts = IntStream.range(0, 3).mapToObj(i -> p.candidates(null).get(0)).toList();
        assertThat(firsts).containsExactly(a, b, c);
    }

    @Test
    void perUserIsStableAcrossCallsPoolsAndServerOrder() {
        UpstreamPool p = pool(UpstreamPolicy.PER_USER);
        UpstreamPool reordered = new UpstreamPool(List.of(c, a, b), UpstreamPolicy.PER_USER,
                new UpstreamHealth(clock));
        Map<Member, Integer> spread = new HashMap<>();
        for (String user : users()) {
            List<Member> first = p.candidates(user);
            assertThat(p.candidates(user)).isEqualTo(first);
            assertThat(reordered.candidates(user)).isEqualTo(first);
            spread.merge(first.get(0), 1, Integer::sum);
        }
        assertThat(p.deferred()).isTrue();
        // 300 users over 3 servers: each gets a fair share (the hash is SHA-256, so this is not luck-dependent
        // beyond what a fixed input list makes deterministic).
        assertThat(spread.values()).allSatisfy(n -> assertThat(n).isBetween(70, 130));
    }

    @Test
    void perUserDownServerMovesOnlyItsOwnUsersAndTheyComeBack() {
        UpstreamPool p = pool(UpstreamPolicy.PER_USER);
        Map<String, List<Member>> before = new HashMap<>();
        for (String user : users()) {
            before.put(user, p.candidates(user));
        }
        health.failed(b.address());
        for (String user : users()) {
            List<Member> was = before.get(user);
            List<Member> now = p.candidates(user);
            if (was.get(0).equals(b)) {
                assertThat(now).as(user).containsExactly(was.get(1), was.get(2), b);
            } else {
                assertThat(now.get(0)).as(user).isEqualTo(was.get(0));
                assertThat(now.get(2)).isEqualTo(b);
            }
        }
        clock.advance(UpstreamHealth.DOWN_TIME.toMillis());
        for (String user : users()) {
            assertThat(p.candidates(user)).as(user).isEqualTo(before.get(user));
        }
    }

    @Test
    void aDownServerComesLastUntilItsTimeIsUpOrItGreets() {
        UpstreamPool p = pool(UpstreamPolicy.ROUND_ROBIN);
        health.failed(a.address());
        assertThat(health.isDown(a.address())).isTrue();
        assertThat(p.candidates(null)).containsExactly(b, c, a);
        assertThat(p.candidates(null)).as("the down server's turn is shared out").containsExactly(c, b, a);
        clock.advance(UpstreamHealth.DOWN_TIME.toMillis() - 1);
        assertThat(p.candidates(null)).containsExactly(b, c, a);
        clock.advance(1);
        assertThat(health.isDown(a.address())).isFalse();
        health.failed(a.address());
        health.succeeded(a.address());
        assertThat(p.candidates(null)).containsExactly(a, b, c); // turn 3

    }

    @Test
    void everyServerDownStillLeavesEveryServerToTry() {
        UpstreamPool p = pool(UpstreamPolicy.ROUND_ROBIN);
        List.of(a, b, c).forEach(m -> health.failed(m.address()));
        assertThat(p.candidates(null)).containsExactlyInAnyOrder(a, b, c);
    }

    @Test
    void namesAreThoseOfTheConfiguration() {
        for (UpstreamPolicy policy : UpstreamPolicy.values()) {
            assertThat(UpstreamPolicy.parse(" " + policy.text().toUpperCase() + " ")).isEqualTo(policy);
        }
        assertThat(UpstreamPolicy.PER_USER.text()).isEqualTo("per-user");
        assertThatThrownBy(() -> UpstreamPolicy.parse("random"))
                .hasMessage("expected one of round-robin, least-sessions, per-user, got 'random'");
        assertThatThrownBy(() -> new UpstreamPool(List.of(), UpstreamPolicy.ROUND_ROBIN, health))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> users() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            out.add("user" + i);
        }
        return out;
    }

    /** A clock that stands still until the test moves it. */
    private static final class MovableClock extends Clock {
        private long millis = 1_700_000_000_000L;

        void advance(long ms) {
            millis += ms;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }
}
