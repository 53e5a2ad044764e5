package io.ftpgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.event.Reason;
import io.ftpgate.net.Cidr;
import io.ftpgate.net.PortRange;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyUnitTest {

    @ParameterizedTest
    @CsvSource({
        "full, STOR, true", "full, SITE, true",
        "read-only, STOR, false", "read-only, APPE, false", "read-only, DELE, false", "read-only, RNFR, false",
        "read-only, XMKD, false", "read-only, SITE, false", "read-only, RETR, true", "read-only, LIST, true",
        "read-only, QUIT, true", "no-site, SITE, false", "no-site, STOR, true",
    })
    void builtInProfiles(String profile, String verb, boolean permitted) {
        assertThat(CommandProfile.BUILT_IN.get(profile).permits(verb)).isEqualTo(permitted);
    }

    @Test
    void allowListProfileNeverLocksOutQuitOrLogin() {
        CommandProfile p = new CommandProfile("list-only", Set.of("list"), Set.of(), 550, "no");
        assertThat(p.permits("LIST")).isTrue();
        assertThat(p.permits("RETR")).isFalse();
        assertThat(p.permits("QUIT")).isTrue();
        assertThat(p.permits("PASS")).isTrue();
    }

    @Test
    void profileRejectsBadDefinitions() {
        assertThatThrownBy(() -> new CommandProfile("x", Set.of("LIST"), Set.of("STOR"), 550, "no"))
                .hasMessageContaining("either allow or deny");
        assertThatThrownBy(() -> new CommandProfile("x", Set.of(), Set.of(), 250, "no"))
                .hasMessageContaining("4xx or 5xx");
        assertThatThrownBy(() -> new CommandProfile("x", Set.of(), Set.of(), 550, "a\r\n227 x"))
                .hasMessageContaining("printable");
    }

    @ParameterizedTest
    @CsvSource({
        "partner-*, partner-acme, true", "partner-*, PARTNER-ACME, true", "partner-*, acme, false",
        "a?c, abc, true", "a?c, abbc, false", "a.c, abc, false", "bob, bob, true", "bob, bobby, false",
    })
    void userGlobs(String glob, String user, boolean matches) throws Exception {
        UserRule r = new UserRule(glob, List.of(), List.of(), "read-only");
        assertThat(r.matches(user, InetAddress.getByName("192.0.2.1"), null, null)).isEqualTo(matches);
    }

    @Test
    void firstMatchingRuleWinsAndClientBlocksCount() throws Exception {
        ListenerPolicy p = new ListenerPolicy(List.of(), true, false, List.of(
                new UserRule("ops", List.of(Cidr.parse("10.0.0.0/8")), List.of(), "full"),
                new UserRule("ops", List.of(), List.of(), "no-site"),
                new UserRule(null, List.of(), List.of(Cidr.parse("198.51.100.0/24")), "read-only")), "full");
        InetAddress inside = InetAddress.getByName("10.1.1.1");
        InetAddress outside = InetAddress.getByName("203.0.113.9");
        InetAddress partner = InetAddress.getByName("198.51.100.7");
        assertThat(p.profileFor("ops", inside, null, null)).isEqualTo("full");
        assertThat(p.profileFor("ops", outside, null, null)).isEqualTo("no-site");
        assertThat(p.profileFor("alice", outside, partner, null)).isEqualTo("read-only");
        assertThat(p.profileFor("alice", outside, null, null)).isEqualTo("full");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(nullValues = "none", value = {
        "'CN=ops-7,O=Example', read-only",
        "'CN=ops-7,O=Other', full",
        "'CN=alice,O=Example', full",
        "none, full",
    })
    void aRuleCanSelectByClientCertificateSubject(String subject, String profile) throws Exception {
        ListenerPolicy p = new ListenerPolicy(List.of(), true, false, List.of(
                new UserRule(null, List.of(), List.of(), "CN=ops-*,O=Example", "read-only")), "full");
        assertThat(p.profileFor("anyone", InetAddress.getByName("192.0.2.1"), null, subject)).isEqualTo(profile);
    }

    @Test
    void unknownProfileReferenceIsRejected() {
        ListenerPolicy p = new ListenerPolicy(List.of(), true, false,
                List.of(new UserRule("x", List.of(), List.of(), "nope")), "full");
        assertThatThrownBy(() -> p.checkProfiles(CommandProfile.BUILT_IN)).hasMessageContaining("unknown profile 'nope'");
    }

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void admissionCountsSessionsPerClientAndInTotal() throws Exception {
        Admission a = new Admission(new Limits(3, 2, 5, Duration.ofMinutes(1)), Clock.systemUTC());
        InetAddress c1 = InetAddress.getByName("192.0.2.1");
        InetAddress c2 = InetAddress.getByName("192.0.2.2");
        assertThat(a.admit(c1)).isNull();
        assertThat(a.admit(c1)).isNull();
        assertThat(a.admit(c1)).isEqualTo(Reason.TOO_MANY_SESSIONS_FROM_CLIENT);
        assertThat(a.admit(c2)).isNull();
        assertThat(a.admit(c2)).isEqualTo(Reason.TOO_MANY_SESSIONS);
        a.release(c1);
        assertThat(a.admit(c2)).isNull();
        assertThat(a.sessions()).isEqualTo(3);
    }

    @Test
    void loginFailuresBlockTheAddressUntilTheBlockTimeHasPassed() throws Exception {
        ManualClock clock = new ManualClock();
        Admission a = new Admission(new Limits(100, 100, 3, Duration.ofMinutes(10)), clock);
        InetAddress c = InetAddress.getByName("192.0.2.1");
        assertThat(a.loginFailed(c)).isFalse();
        assertThat(a.loginFailed(c)).isFalse();
        assertThat(a.loginFailed(c)).isTrue();
        assertThat(a.admit(c)).isEqualTo(Reason.CLIENT_BLOCKED);
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        assertThat(a.admit(c)).isNull();
        assertThat(a.loginFailed(c)).isFalse();
    }

    @Test
    void successfulLoginResetsTheFailureCount() throws Exception {
        Admission a = new Admission(new Limits(100, 100, 2, Duration.ofMinutes(10)), Clock.systemUTC());
        InetAddress c = InetAddress.getByName("192.0.2.1");
        assertThat(a.loginFailed(c)).isFalse();
        a.loginSucceeded(c);
        assertThat(a.loginFailed(c)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(nullValues = "ok", value = {
        "ftp.partner.example, 21, ok",
        "ftp.partner.example, 2121, ok",
        "ftp.partner.example, 25, port 25 is not an allowed destination port",
        "ftp.partner.example, 80, port 80 is not an allowed destination port",
        "FTP.Partner.Example, 21, ok",
        "files.other.example, 21, host files.other.example is not in allow-destination-hosts",
        "secret.partner.example, 21, host secret.partner.example is in deny-destination-hosts",
    })
    void destinationNamesAndPorts(String host, int port, String why) {
        DestinationRules r = new DestinationRules(List.of(), List.of("*.partner.example"),
                List.of("secret.*"), null);
        assertThat(r.refuseName(host, port)).isEqualTo(why);
    }

    @Test
    void explicitDestinationPortsReplaceTheDefault() {
        DestinationRules r = new DestinationRules(null, null, null, List.of(new PortRange(2121, 2130)));
        assertThat(r.refuseName("x.example", 2125)).isNull();
        assertThat(r.refuseName("x.example", 21)).contains("port 21");
    }
}
