package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.config.ListenerConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.policy.Placement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact rules print-nft prints (TransparentPlacementIT loads them into a real kernel). */
class TproxyRulesTest {

    private static ListenerConfig listener(String listen, Placement.Source source) {
        return ListenerConfig.builder("t").listen(HostAndPort.parse(listen, 21))
                .clientDataPorts(new PortRange(50000, 50999)).serverDataPorts(new PortRange(51000, 51999))
                .transparent(source).build();
    }

    @Test
    void gatewaySourceDivertsControlAndClientPinholes() {
        String text = TproxyRules.render(List.of(listener("127.0.0.1:2121", Placement.Source.GATEWAY)), List.of(21));
        assertThat(text).contains("""
                table ip ftpgate {
                \tchain divert {
                \t\ttype filter hook prerouting priority mangle; policy accept;
                \t\t# return packets of connections ftpgate holds under the server's or the client's address
                \t\tmeta l4proto tcp ct state established,related socket transparent 1 meta mark set 0x21 accept
                \t\t# listener 't': data connections to its pinholes on the server's address (client-data-ports)
                \t\ttcp dport 50000-50999 socket transparent 1 meta mark set 0x21 accept
                \t\t# listener 't': new FTP control connections, any server
                \t\ttcp dport 21 tproxy to 127.0.0.1:2121 meta mark set 0x21 accept
                \t}
                }
                ip rule add fwmark 0x21 lookup 121
                ip route add local 0.0.0.0/0 dev lo table 121
                """).doesNotContain("51000-51999").doesNotContain("ip6");
    }

    @Test
    void clientSourceAlsoDivertsServerPinholesAndWildcardsTakeThePortOnly() {
        String text = TproxyRules.render(List.of(listener("[::]:2121", Placement.Source.CLIENT)), List.of(21, 2121));
        assertThat(text).contains("table ip ftpgate {", "table ip6 ftpgate {",
                "\t\ttcp dport 51000-51999 socket transparent 1 meta mark set 0x21 accept\n",
                "\t\ttcp dport { 21, 2121 } tproxy to :2121 meta mark set 0x21 accept\n",
                "ip -6 rule add fwmark 0x21 lookup 121\n", "ip -6 route add local ::/0 dev lo table 121\n");
    }

    @Test
    void otherPlacementsGetNoRules() {
        ListenerConfig reverse = ListenerConfig.builder("r").listen(HostAndPort.parse("127.0.0.1:2121", 21))
                .upstream(HostAndPort.parse("192.0.2.10:21", 21)).build();
        assertThat(TproxyRules.transparent(List.of(reverse))).isEmpty();
        assertThat(TproxyHostCheck.missing(List.of(reverse))).isEmpty();
    }
}
