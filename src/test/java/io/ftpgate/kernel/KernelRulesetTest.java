package io.ftpgate.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.kernel.KernelRuleset.Sides;
import io.ftpgate.net.PortRange;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fixed ruleset's text; KernelPinholeIT shows the kernel takes it and that it does what it says. */
class KernelRulesetTest {

    @Test
    void namesTheTablePerInstanceWithOnlySafeCharacters() {
        assertThat(KernelRuleset.tableName("edge-1.example")).isEqualTo("ftpgate_edge_1_example");
        assertThatThrownBy(() -> new KernelRuleset("x; flush ruleset", new PortRange(40000, 40999), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void installingFirstRemovesALeftoverTableOfTheSameNameInTheSameTransaction() throws Exception {
        String script = ruleset().installScript();
        assertThat(script).startsWith("table inet ftpgate_a { }\ndelete table inet ftpgate_a\ntable inet ftpgate_a {\n");
        assertThat(ruleset().removeScript()).isEqualTo("delete table inet ftpgate_a\n");
    }

    @Test
    void translatesEachWayBetweenTheTwoSidesAndCountsTheRest() throws Exception {
        assertThat(ruleset().installScript().lines().map(String::strip)).contains(
                "ct state new ip saddr . tcp dport @armed4 delete @armed4 { ip saddr . tcp dport }"
                        + " dnat ip to ip saddr . tcp dport map @target4",
                "ct state new fib daddr type local tcp dport 40000-40999 counter name impostors",
                "ct status dnat meta l4proto tcp ct original proto-dst 40000-40999 update @flows4"
                        + " { ct original ip saddr . ct original proto-dst . ct direction }",
                "ct status dnat meta l4proto tcp ct original proto-dst 40000-40999 ct original ip daddr 192.0.2.1"
                        + " snat ip to 10.0.0.1",
                "ct status dnat meta l4proto tcp ct original proto-dst 40000-40999 ct original ip daddr 10.0.0.1"
                        + " snat ip to 192.0.2.1");
    }

    @Test
    void oneAddressForBothSidesNeedsOneTranslationOnly() throws Exception {
        InetAddress one = InetAddress.getByName("2001:db8::1");
        String script = new KernelRuleset("ftpgate_b", new PortRange(40000, 40999), List.of(new Sides(one, one)))
                .installScript();
        assertThat(script.lines().filter(l -> l.contains("snat"))).containsExactly(
                "    ct status dnat meta l4proto tcp ct original proto-dst 40000-40999 ct original ip6 daddr"
                        + " 2001:db8:0:0:0:0:0:1 snat ip6 to 2001:db8:0:0:0:0:0:1");
    }

    @Test
    void refusesSidesOfTwoFamilies() {
        assertThatThrownBy(() -> new Sides(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("2001:db8::1")))
                .hasMessageContaining("does not translate between IPv4 and IPv6");
    }

    private static KernelRuleset ruleset() throws Exception {
        return new KernelRuleset("ftpgate_a", new PortRange(40000, 40999),
                List.of(new Sides(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("10.0.0.1"))));
    }
}
