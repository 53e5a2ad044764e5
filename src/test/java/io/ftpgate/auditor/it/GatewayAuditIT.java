package io.ftpgate.auditor.it;

import static io.ftpgate.auditor.it.Audits.assertVerdict;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditSink;
import io.ftpgate.auditor.AuditReport;
import io.ftpgate.auditor.Severity;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.net.PortRange;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.control.Gateway;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ftpgate in reverse placement in front of a promiscuous (category 1, theftable) server: audited through the
 * gateway, the pair must be category 2 and refuse the impostor, because ftpgate answers PORT/PASV itself.
 */
class GatewayAuditIT {

    /** Client-facing pinholes, away from the defaults other integration tests use. */
    static final PortRange CLIENT_PORTS = new PortRange(47000, 47999);

    @TempDir
    Path dir;

    @Test
    void gatewayInFrontOfPromiscuousMinaIsCategoryTwo() throws Exception {
        try (MinaServer mina = MinaServer.options().ipChecks(false).start(dir)) {
            assertThat(Audits.anonymous(mina.port()).exitCode()).as("MINA alone").isEqualTo(AuditReport.EXIT_HIGH);
            assertGatewayFixes(mina.port());
        }
    }

    @Test
    void gatewayInFrontOfPromiscuousPyftpdlibIsCategoryTwo() throws Exception {
        try (ExternalServer py = PyftpdlibAuditIT.start(dir, true)) {
            assertGatewayFixes(py.port());
        }
    }

    private static void assertGatewayFixes(int upstreamPort) throws Exception {
        ListenerConfig listener = ListenerConfig.builder("audit-it").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort("127.0.0.1", upstreamPort)).clientDataPorts(CLIENT_PORTS)
                .upstreamMode(UpstreamMode.PASSIVE).build();
        try (Gateway gateway = Gateway.start(new GatewayConfig(List.of(listener), null, null), AuditSink.NONE)) {
            AuditReport r = Audits.anonymous(gateway.boundAddresses().get(0).getPort());
            assertVerdict(r, "bounce-port", Severity.OK, "category 2: PORT refused (501)");
            assertVerdict(r, "bounce-eprt", Severity.OK, "category 2: EPRT refused (501)");
            assertVerdict(r, "privileged-port", Severity.OK, "refused (501)");
            assertVerdict(r, "data-theft", Severity.OK, "refused");
            assertVerdict(r, "passive-ports", Severity.OK, "random");
            assertThat(r.exitCode()).isEqualTo(AuditReport.EXIT_OK);
        }
    }
}
