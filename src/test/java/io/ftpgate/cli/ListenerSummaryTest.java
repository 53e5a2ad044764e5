package io.ftpgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.config.GatewayConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.net.PortRange;
import io.ftpgate.config.Timeouts;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.data.EphemeralPorts;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerSummaryTest {

    private static final EphemeralPorts DEBIAN = EphemeralPorts.parse("32768\t60999\n", "\n");

    private static GatewayConfig config(UpstreamMode mode, String clientPorts, String serverPorts) {
        ListenerConfig l = ListenerConfig.builder("pub").listen(HostAndPort.parse("127.0.0.1:2121", 21))
                .upstream(HostAndPort.parse("192.0.2.1:21", 21)).clientDataPorts(PortRange.parse(clientPorts))
                .serverDataPorts(PortRange.parse(serverPorts)).upstreamMode(mode).build();
        return new GatewayConfig(List.of(l), Timeouts.DEFAULTS, null);
    }

    @Test
    void overlappingRangesGetTheSysctlThatReservesThem() {
        String w = ListenerSummary.ephemeralWarning(config(UpstreamMode.ACTIVE, "50000-50999", "51000-51999"),
                DEBIAN).orElseThrow();
        assertThat(w).startsWith("pinhole ports inside the kernel's ephemeral port range 32768-60999")
                .contains("listener 'pub' client data ports 50000-50999 (1000 of 1000 ports not reserved)",
                        "listener 'pub' server data ports 51000-51999 (1000 of 1000 ports not reserved)")
                .contains("sysctl -w net.ipv4.ip_local_reserved_ports=50000-51999 ");
    }

    @Test
    void serverDataPortsCountOnlyWhenTheListenerCanSendPortUpstream() {
        String w = ListenerSummary.ephemeralWarning(config(UpstreamMode.PASSIVE, "50000-50999", "51000-51999"),
                DEBIAN).orElseThrow();
        assertThat(w).doesNotContain("server data ports").contains("ip_local_reserved_ports=50000-50999 ");
    }

    @Test
    void theDefaultRangesNeedNoReservationOnADefaultKernel() {
        ListenerConfig l = ListenerConfig.builder("pub").listen(HostAndPort.parse("127.0.0.1:2121", 21))
                .upstream(HostAndPort.parse("192.0.2.1:21", 21)).upstreamMode(UpstreamMode.CLIENT).build();
        assertThat(ListenerSummary.ephemeralWarning(new GatewayConfig(List.of(l), Timeouts.DEFAULTS, null), DEBIAN))
                .isEmpty();
    }

    @Test
    void reservedOrOutsideRangesGetNoWarning() {
        EphemeralPorts reserved = EphemeralPorts.parse("32768 60999", "50000-51999");
        assertThat(ListenerSummary.ephemeralWarning(config(UpstreamMode.CLIENT, "50000-50999", "51000-51999"),
                reserved)).isEmpty();
        assertThat(ListenerSummary.ephemeralWarning(config(UpstreamMode.CLIENT, "61000-61999", "62000-62999"),
                DEBIAN)).isEmpty();
    }
}
