package io.ftpgate.cli;

import io.ftpgate.admin.AdminServer;
import io.ftpgate.admin.AdminStartException;
import io.ftpgate.admin.GatewayMetrics;
import io.ftpgate.audit.AuditSink;
import io.ftpgate.audit.AuditTrail;
import io.ftpgate.config.AdminConfig;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.control.Gateway;
import io.ftpgate.control.GatewayStartException;
import io.ftpgate.data.RelayDataPath;
import io.ftpgate.event.EventBus;
import io.ftpgate.net.HostAndPort;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The admin listener flags of {@code ftpgate run}: {@code --admin-listen} and {@code --admin-token-file}, over
 * the file's {@code admin} section.
 */
final class AdminOptions {

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT", converter = Listen.class,
            description = "Serve Prometheus /metrics and the live view (a page at /, JSON at /api/sessions) on"
                    + " this address, e.g. 127.0.0.1:9121. Off by default. Beyond loopback it needs"
                    + " --admin-token-file.")
    private HostAndPort listen;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "A file holding the admin token (at least 16 characters, e.g. from 'openssl rand -hex"
                    + " 16'): every admin request must then carry it.")
    private String tokenFile;

    /**
     * The admin listener with these flags over {@code base} (may be null); null when neither gives an address.
     * Throws {@link IllegalArgumentException} with one line when the result must not start.
     */
    AdminConfig apply(AdminConfig base) {
        HostAndPort l = listen != null ? listen : base == null ? null : base.listen();
        String t = tokenFile != null ? tokenFile : base == null ? null : base.tokenFile();
        if (l == null) {
            if (tokenFile != null) {
                throw new IllegalArgumentException("--admin-token-file needs an admin listener (--admin-listen or"
                        + " admin.listen)");
            }
            return null;
        }
        AdminConfig a = new AdminConfig(l, t);
        if (a.problem() != null) {
            throw new IllegalArgumentException(a.problem());
        }
        return a;
    }

    /**
     * Starts the gateway of {@code config} with the audit log as a subscriber of its events, and, first, its
     * admin listener (if any), so the admin's counts start with the first session. Both are registered with
     * {@code lifecycle}; on failure whatever started is stopped. The admin listener's metrics, if any, go to
     * {@code metricsOut}.
     */
    static Gateway startGateway(GatewayConfig config, AuditSink audit, Lifecycle lifecycle,
            Consumer<GatewayMetrics> metricsOut) throws GatewayStartException, Main.StartupException {
        EventBus events = EventBus.of(new AuditTrail(audit));
        AtomicReference<Gateway> running = new AtomicReference<>();
        try {
            AdminConfig admin = config.admin();
            if (admin != null) {
                AdminServer server = AdminServer.start(admin.listen(), admin.tokenFile(), events,
                        id -> running.get() != null && running.get().endSession(id), VersionProvider.version());
                lifecycle.onStop("admin listener", server::close);
                metricsOut.accept(server.metrics());
            }
            running.set(Gateway.start(config, events, RelayDataPath::new, KernelPath.factory(config)));
        } catch (AdminStartException e) {
            lifecycle.stop();
            throw new Main.StartupException(e.getMessage());
        } catch (GatewayStartException | RuntimeException e) {
            lifecycle.stop();
            throw e;
        }
        lifecycle.onStop("gateway", running.get()::close);
        return running.get();
    }

    static final class Listen implements ITypeConverter<HostAndPort> {
        @Override
        public HostAndPort convert(String value) {
            try {
                return AdminConfig.parseListen(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
