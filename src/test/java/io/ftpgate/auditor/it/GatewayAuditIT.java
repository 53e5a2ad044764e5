package io.ftpgate.auditor.it;

import static io.ftpgate.auditor.it.Audits.assertVerdict;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditSink;
import io.ftpgate.auditor.AuditReport;
import io.ftpgate.auditor.Severity;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerTls;
import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.config.ListenerTls.ServerTlsMode;
import io.ftpgate.net.PortRange;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.control.Gateway;
import io.ftpgate.it.ftps.PemTls;
import io.ftpgate.tls.TestProvider;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * ftpgate with client-tls optional in front of a cleartext MINA: the audit through the gateway finds TLS
     * offered and working, CCC refused, and data connections that must resume the control session exactly when
     * require-data-session-reuse is on.
     */
    @ParameterizedTest(name = "require-data-session-reuse {0}")
    @ValueSource(booleans = {true, false})
    void gatewayWithOptionalClientTlsOffersTls(boolean requireReuse) throws Exception {
        PemTls cert = PemTls.create(dir.resolve("tls"));
        ListenerTls tls = new ListenerTls(ClientTlsMode.OPTIONAL, cert.files.certPem(), cert.files.keyPem(), null,
                false, requireReuse, ServerTlsMode.OFF, null, null, null, true, null)
                .withProvider(TestProvider.get());
        try (MinaServer mina = MinaServer.options().start(dir)) {
            ListenerConfig listener = ListenerConfig.builder("audit-ftps").listen(new HostAndPort("127.0.0.1", 0))
                    .upstream(new HostAndPort("127.0.0.1", mina.port())).clientDataPorts(CLIENT_PORTS)
                    .upstreamMode(UpstreamMode.PASSIVE).tls(tls).build();
            try (Gateway gateway = Gateway.start(new GatewayConfig(List.of(listener), null, null), AuditSink.NONE)) {
                AuditReport r = Audits.anonymous(gateway.boundAddresses().get(0).getPort());
                Audits.assertVerdicts(r, AuditReport.EXIT_OK, List.of(
                        "auth-tls ok offered: TLSv1.3, PBSZ 0 answered over TLS (200)",
                        "tls-versions info TLSv1.3, TLSv1.2 accepted; TLSv1.1, TLSv1 not tested",
                        "ccc ok refused (533)",
                        requireReuse
                                ? "data-session-reuse ok required: refused without the control session (425),"
                                        + " accepted when resuming it"
                                : "data-session-reuse low not required: accepted without the control session (226);"
                                        + " accepted when resuming it",
                        "bounce-port ok category 2", "data-theft ok refused"));
                FtpsAuditIT.assertSelfSignedButNamed(r);
            }
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
