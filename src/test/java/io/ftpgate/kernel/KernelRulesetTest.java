package io.ftpgate.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.net.PortRange;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fixed ruleset's text; KernelPinholeIT shows the kernel takes it and that it does what it says. */
class KernelRulesetTest {

    @Test
    void namesTheTablePerInstanceWithOnlySafeCharacters() {
        assertThat(KernelRuleset.tableName("edge-1.example")).isEqualTo("ftpgate_edge_1_example");
        assertThatThrownBy(() -> new KernelRuleset("x; flush ruleset", List.of(new PortRange(40000, 40999))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KernelRuleset("ftpgate_a", List.of()))
                .hasMessageContaining("at least one pinhole port range");
    }

    @Test
    void installingFirstRemovesALeftoverTableOfTheSameNameInTheSameTransaction() {
        String script = ruleset().installScript();
        assertThat(script).startsWith("table inet ftpgate_a { }\ndelete table inet ftpgate_a\ntable inet ftpgate_a {\n");
        assertThat(ruleset().removeScript()).isEqualTo("delete table inet ftpgate_a\n");
    }

    @Test
    void consumesTranslatesCountsAndCutsEachPinholeByItsPeerAndPort() {
        assertThat(ruleset().installScript().lines().map(String::strip)).contains(
                "ct state new ip saddr . tcp dport @armed4 delete @armed4 { ip saddr . tcp dport }"
                        + " dnat ip to ip saddr . tcp dport map @target4",
                "ct state new ip6 saddr . tcp dport @armed6 delete @armed6 { ip6 saddr . tcp dport }"
                        + " dnat ip6 to ip6 saddr . tcp dport map @target6",
                "ct status dnat meta l4proto tcp snat ip to ip saddr . ct original proto-dst map @source4",
                "ct state new ct status dnat meta l4proto tcp ct original ip saddr . ct original proto-dst @source4"
                        + " add @first4 { ct original ip saddr . ct original proto-dst ct count over 1 }"
                        + " counter name impostors reject with tcp reset",
                "ct status dnat meta l4proto tcp ct original ip saddr . ct original proto-dst @killed4"
                        + " reject with tcp reset",
                "ct status dnat meta l4proto tcp tcp flags & (fin | rst) == 0"
                        + " ct original ip saddr . ct original proto-dst . ct direction @flows4",
                "ct status dnat meta l4proto tcp tcp flags & (fin | rst) != 0"
                        + " ct original ip saddr . ct original proto-dst . ct direction @flows4"
                        + " delete @first4 { ct original ip saddr . ct original proto-dst }");
    }

    @Test
    void countsUnmatchedConnectionsToEveryRangeUnlessARelayPinholeListens() {
        String script = new KernelRuleset("ftpgate_b", List.of(new PortRange(61000, 61999),
                new PortRange(62000, 62999), new PortRange(61000, 61999))).installScript();
        assertThat(script.lines().filter(l -> l.contains("fib daddr type local")).map(String::strip)).containsExactly(
                "ct state new fib daddr type local tcp dport { 61000-61999, 62000-62999 } socket transparent 0 return",
                "ct state new fib daddr type local tcp dport { 61000-61999, 62000-62999 } socket transparent 1 return",
                "ct state new fib daddr type local tcp dport { 61000-61999, 62000-62999 } counter name impostors");
    }

    private static KernelRuleset ruleset() {
        return new KernelRuleset("ftpgate_a", List.of(new PortRange(40000, 40999)));
    }
}
