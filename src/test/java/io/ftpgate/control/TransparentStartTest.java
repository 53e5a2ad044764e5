package io.ftpgate.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ftpgate.audit.AuditSink;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.Timeouts;
import io.ftpgate.data.Transport;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.policy.Placement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A transparent listener starts only where IP_TRANSPARENT exists, and says so in one line otherwise. */
class TransparentStartTest {

    private static GatewayConfig config() {
        return new GatewayConfig(List.of(ListenerConfig.builder("tp").listen(HostAndPort.parse("127.0.0.1:0", 21))
                .transparent(Placement.Source.GATEWAY).build()), Timeouts.DEFAULTS, null);
    }

    @Test
    void nioTransportIsRefusedWithTheReason() {
        String was = System.getProperty("ftpgate.transport");
        System.setProperty("ftpgate.transport", "nio");
        try {
            assertThatThrownBy(() -> Gateway.start(config(), AuditSink.NONE).close())
                    .isInstanceOf(GatewayStartException.class)
                    .hasMessage("listener tp: placement transparent needs IP_TRANSPARENT, which only the Linux epoll"
                            + " transport offers (this gateway runs nio)");
        } finally {
            if (was == null) {
                System.clearProperty("ftpgate.transport");
            } else {
                System.setProperty("ftpgate.transport", was);
            }
        }
    }

    @Test
    void withTheCapabilityTheListenerIsTransparent() throws Exception {
        assumeTrue(Transport.detect(false).supportsTransparent() && Transport.mayUseTransparent(),
                "needs the epoll transport and CAP_NET_ADMIN");
        try (Gateway gw = Gateway.start(config(), AuditSink.NONE)) {
            assertThat(gw.boundAddresses()).hasSize(1);
            assertThat(gw.transportName()).isEqualTo("epoll");
        }
    }
}
