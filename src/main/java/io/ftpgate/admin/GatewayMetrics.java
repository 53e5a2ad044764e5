package io.ftpgate.admin;

import io.ftpgate.event.SessionEvent;
import io.ftpgate.event.SessionEvent.Closed;
import io.ftpgate.event.SessionEvent.Login;
import io.ftpgate.event.SessionEvent.Opened;
import io.ftpgate.event.SessionEvent.PinholeArmed;
import io.ftpgate.event.SessionEvent.PinholeExpired;
import io.ftpgate.event.SessionEvent.Refused;
import io.ftpgate.event.SessionEvent.Side;
import io.ftpgate.event.SessionEvent.TlsEstablished;
import io.ftpgate.event.SessionEvent.TransferFinished;
import io.ftpgate.event.SessionEvent.TransferFlowing;
import io.ftpgate.event.SessionEvent.UpstreamConnected;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Prometheus metrics of one gateway, counted from the session events (the audit log's source, so a counter
 * and the audit lines cannot disagree); the gauges read the {@link LiveView} built from the same events. Names,
 * types and units follow the Prometheus naming conventions and HAProxy's exporter ({@code _total} counters,
 * {@code _seconds} histograms, one metric per fact with labels for its dimensions). docs/operations.md lists
 * them.
 */
public final class GatewayMetrics implements Consumer<SessionEvent> {

    /**
     * Upstream connect time buckets in seconds: sub-millisecond on a LAN up to the default connect timeout
     * (config.Timeouts: 30 s).
     */
    static final double[] CONNECT_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
        2.5, 5, 10, 30};
    /**
     * Transfer setup buckets in seconds: from the transfer command to data flowing, bounded by the default
     * pinhole timeout (config.Timeouts: 30 s); curl's 1 s stall (docs/systemtest.md) falls between 0.5 and 1.
     */
    static final double[] SETUP_BUCKETS = CONNECT_BUCKETS;

    private static final double NANOS_PER_SECOND = 1e9;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final LiveView live;
    private final Counter sessions;
    private final Counter sessionsClosed;
    private final Counter logins;
    private final Counter transfers;
    private final Counter bytes;
    private final Counter refusals;
    private final Counter pinholesArmed;
    private final Counter pinholesExpired;
    private final Counter tlsHandshakes;
    private final Counter reloads;
    private final Histogram upstreamConnect;
    private final Histogram transferSetup;

    /** Metrics whose gauges read {@code live}; {@code version} goes into {@code ftpgate_build_info}. */
    public GatewayMetrics(LiveView live, String version) {
        this.live = live;
        sessions = counter("ftpgate_sessions", "Control connections accepted", "listener");
        sessionsClosed = counter("ftpgate_sessions_closed", "Sessions ended, by their session-close reason",
                "listener", "reason");
        logins = counter("ftpgate_logins", "Logins answered by the server, by outcome", "outcome");
        transfers = counter("ftpgate_transfers", "Transfers finished", "direction", "client_mode", "server_mode",
                "outcome", "data_path");
        bytes = counter("ftpgate_transfer_bytes", "Data bytes relayed, by the side that sent them", "from");
        refusals = counter("ftpgate_refusals", "Refusals by stable reason code (enforced=false: monitor mode)",
                "reason", "enforced");
        pinholesArmed = counter("ftpgate_pinholes_armed", "Pinholes opened for one expected peer", "side");
        pinholesExpired = counter("ftpgate_pinholes_expired", "Pinholes whose peer did not connect in time",
                "side");
        tlsHandshakes = counter("ftpgate_tls_handshakes", "Completed TLS handshakes on control connections",
                "side", "resumed");
        reloads = counter("ftpgate_config_reloads", "Configuration reloads (SIGHUP), by outcome", "outcome");
        upstreamConnect = Histogram.builder().name("ftpgate_upstream_connect_seconds")
                .help("Time to connect the server's control connection").unit(Unit.SECONDS)
                .labelNames("listener").classicOnly().classicUpperBounds(CONNECT_BUCKETS).register(registry);
        transferSetup = Histogram.builder().name("ftpgate_transfer_setup_seconds")
                .help("Time from a transfer command to its data flowing").unit(Unit.SECONDS)
                .classicOnly().classicUpperBounds(SETUP_BUCKETS).register(registry);
        GaugeWithCallback.builder().name("ftpgate_sessions_active").help("Sessions running now")
                .labelNames("listener")
                .callback(cb -> live.activeByListener().forEach((l, n) -> cb.call(n, l))).register(registry);
        GaugeWithCallback.builder().name("ftpgate_pinholes_open").help("Pinholes waiting for their peer now")
                .labelNames("side")
                .callback(cb -> {
                    for (Map.Entry<Side, Long> e : live.pinholesBySide().entrySet()) {
                        cb.call(e.getValue(), e.getKey().text());
                    }
                }).register(registry);
        Info build = Info.builder().name("ftpgate_build_info").help("The running ftpgate")
                .labelNames("version", "java_version").register(registry);
        build.addLabelValues(version, System.getProperty("java.version"));
        JvmMetrics.builder().register(registry);
        // Present from the start at 0, so a rate or an alert on them works before the first occurrence.
        for (Side side : Side.values()) {
            pinholesArmed.initLabelValues(side.text());
            pinholesExpired.initLabelValues(side.text());
        }
        reloads.initLabelValues("ok");
        reloads.initLabelValues("rejected");
    }

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).register(registry);
    }

    @Override
    public void accept(SessionEvent event) {
        if (event instanceof Opened e) {
            sessions.labelValues(e.listener()).inc();
        } else if (event instanceof Closed e) {
            String listener = live.listenerOf(e.origin().session());
            sessionsClosed.labelValues(listener == null ? "" : listener, e.reason()).inc();
        } else if (event instanceof Login e) {
            logins.labelValues(e.outcome()).inc();
        } else if (event instanceof TransferFinished e) {
            transfers.labelValues(direction(e.command()), lower(e.clientMode()), lower(e.serverMode()),
                    e.outcome(), e.dataPath() == null ? "" : e.dataPath()).inc();
            bytes.labelValues("client").inc(e.clientToServerBytes());
            bytes.labelValues("server").inc(e.serverToClientBytes());
        } else if (event instanceof Refused e) {
            refusals.labelValues(e.reason().code(), String.valueOf(e.enforced() == null || e.enforced())).inc();
        } else if (event instanceof PinholeArmed e) {
            pinholesArmed.labelValues(e.side().text()).inc();
        } else if (event instanceof PinholeExpired e) {
            pinholesExpired.labelValues(e.side().text()).inc();
        } else if (event instanceof TlsEstablished e) {
            tlsHandshakes.labelValues(e.side().text(), String.valueOf(e.resumed())).inc();
        } else if (event instanceof UpstreamConnected e) {
            String listener = live.listenerOf(e.origin().session());
            upstreamConnect.labelValues(listener == null ? "" : listener).observe(e.connectNanos() / NANOS_PER_SECOND);
        } else if (event instanceof TransferFlowing e) {
            transferSetup.observe(e.setupNanos() / NANOS_PER_SECOND);
        }
    }

    /** A configuration reload was applied ({@code ok}) or rejected, the running configuration kept. */
    public void reloaded(boolean ok) {
        reloads.labelValues(ok ? "ok" : "rejected").inc();
    }

    /** Writes every metric in the Prometheus text format (version 0.0.4). */
    void write(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
    }

    /** The content type of {@link #write}. */
    static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** download (RETR), upload (STOR, STOU, APPE) or listing (LIST, NLST, MLSD). */
    static String direction(String command) {
        return switch (command == null ? "" : command.toUpperCase(Locale.ROOT)) {
            case "RETR" -> "download";
            case "STOR", "STOU", "APPE" -> "upload";
            case "LIST", "NLST", "MLSD" -> "listing";
            default -> "other";
        };
    }

    private static String lower(String mode) {
        return mode == null ? "" : mode.toLowerCase(Locale.ROOT);
    }
}
