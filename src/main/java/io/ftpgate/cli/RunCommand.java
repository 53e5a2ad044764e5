package io.ftpgate.cli;

import io.ftpgate.admin.GatewayMetrics;
import io.ftpgate.audit.AuditSink;
import io.ftpgate.config.AdminConfig;
import io.ftpgate.config.ConfigException;
import io.ftpgate.config.ConfigLoader;
import io.ftpgate.config.ConfigValues;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.net.PortRange;
import io.ftpgate.config.Timeouts;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.control.Gateway;
import io.ftpgate.control.GatewayStartException;
import io.ftpgate.net.Cidr;
import io.ftpgate.policy.GatewayPolicy;
import io.ftpgate.policy.UpstreamPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ftpgate run}: builds the effective configuration (file, then flags on top), starts the gateway and
 * blocks until SIGTERM/SIGINT.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Runs the gateway until SIGTERM or Ctrl-C; SIGHUP reopens the audit log file and reloads"
                + " the configuration.",
            "Without --config the flags describe one listener (on 0.0.0.0:21 unless --listen is given)."
                + " With --config, each flag given overrides that setting in every listener of the file."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM/SIGINT", "1:runtime failure (e.g. an address cannot be bound, or a"
                + " part of the gateway failed to stop)", "2:usage or configuration error"})
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    // Set by call(): reloads count into the metrics and compare the admin listener with the one started.
    private GatewayMetrics metrics;
    private GatewayConfig started;

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration file (validate it with 'ftpgate check-config FILE').")
    private Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = Converters.Listen.class,
            description = {"Control address to accept clients on; repeatable. IPv6 as [::1]:2121; port 0 = any"
                    + " free port. Default without --config: 0.0.0.0:21. With --config: replaces the listen"
                    + " addresses (only if the file has exactly one listener)."})
    private List<HostAndPort> listen;

    @Option(names = "--upstream", paramLabel = "HOST:PORT", converter = Converters.Upstream.class,
            description = "Reverse placement: relay every session to this FTP server (port 21 if omitted);"
                    + " repeatable: a pool of servers, chosen per --upstream-policy, with failover at connect time."
                    + " Without it: forward placement, the destination comes from USER user@host[:port].")
    private List<HostAndPort> upstream;

    @Option(names = "--upstream-policy", paramLabel = "POLICY", converter = Converters.Policy.class,
            description = "How a session chooses among several --upstream servers: round-robin (default),"
                    + " least-sessions, or per-user (the same user always reaches the same server; the"
                    + " gateway greets the client and connects at USER).")
    private UpstreamPolicy upstreamPolicy;

    @Option(names = "--transparent",
            description = "Transparent placement (Linux, CAP_NET_ADMIN): the router diverts FTP to any server to"
                    + " this listener with nftables TPROXY and the server is each connection's original"
                    + " destination; see 'ftpgate print-nft' for the rules.")
    private boolean transparent;

    @Option(names = "--transparent-source", paramLabel = "gateway|client", converter = Converters.Source.class,
            description = "Transparent placement: connect to the server from ftpgate's own address (gateway,"
                    + " default) or from the client's (client). Implies --transparent.")
    private io.ftpgate.policy.Placement.Source transparentSource;

    @Option(names = "--public-address", paramLabel = "ADDR", converter = Converters.PublicAddress.class,
            description = "IP address advertised to clients in 227/229 replies (NAT). Default: the local"
                    + " address of each client's control connection.")
    private String publicAddress;

    @Option(names = "--client-data-ports", paramLabel = "LO-HI", converter = Converters.Ports.class,
            description = "Ports for pinholes that clients connect to (default 61000-61999).")
    private PortRange clientDataPorts;

    @Option(names = "--server-data-ports", paramLabel = "LO-HI", converter = Converters.Ports.class,
            description = "Ports for pinholes that servers connect to when the server side is active"
                    + " (default 62000-62999).")
    private PortRange serverDataPorts;

    @Option(names = "--upstream-mode", paramLabel = "MODE", converter = Converters.Mode.class,
            description = "How the server-side data leg is made: passive (default: the gateway only connects"
                    + " outward), active, or client (mirror the client's choice).")
    private UpstreamMode upstreamMode;

    @Option(names = "--data-path", paramLabel = "MODE", converter = Converters.DataPath.class,
            description = "relay (default: ftpgate relays every data connection) or kernel (nftables forwards"
                    + " each transfer whose two legs run the same direction; needs CAP_NET_ADMIN, nftables and"
                    + " net.ipv4.ip_forward=1; TLS data and mixed directions stay on the relay).")
    private io.ftpgate.config.DataPathMode dataPath;

    @Option(names = "--early-server-leg", negatable = true, fallbackValue = "true",
            description = "Open the server's passive data leg as soon as the client's PASV/EPSV/PORT/EPRT is"
                    + " answered, not after the transfer command (default on; --no-early-server-leg turns it"
                    + " off for a server that counts unused passive ports).")
    private Boolean earlyServerLeg;

    @Option(names = "--allow-client", paramLabel = "CIDR", converter = Converters.Block.class,
            description = "Client address block allowed to connect; repeatable. Default: any (reverse);"
                    + " loopback and private ranges (forward).")
    private List<Cidr> allowClient;

    @Option(names = "--allow-destination", paramLabel = "CIDR", converter = Converters.Block.class,
            description = "Forward placement only: destination block allowed; repeatable. Default: any address"
                    + " except loopback, link-local, private ranges and ftpgate's own addresses.")
    private List<Cidr> allowDestination;

    @Mixin
    private TlsOptions tls = new TlsOptions();

    @Mixin
    private AdminOptions admin = new AdminOptions();

    @Mixin
    private ProxyOptions proxy = new ProxyOptions();

    @Option(names = "--audit-log", paramLabel = "FILE|-",
            description = "Append audit events as JSON lines to FILE, or to stdout with '-'. Default: none.")
    private String auditLog;

    @Option(names = "--audit-syslog", paramLabel = "journal|SOCKET|HOST:PORT", converter = Converters.Syslog.class,
            description = "Also send every audit event to the systemd journal ('journal': entries with the"
                    + " event's JSON and FTPGATE_EVENT, FTPGATE_REASON... fields), to a local syslog socket such as"
                    + " /dev/log, or to a syslog server over UDP (port 514 if omitted); syslog gets RFC 5424"
                    + " messages with the event's JSON. Default: none.")
    private String auditSyslog;

    @Option(names = "--monitor",
            description = "Monitor mode: log policy verdicts with \"enforced\": false instead of applying them."
                    + " Protocol-safety rules (line limits, NUL, foreign data addresses) always apply.")
    private boolean monitor;

    @Option(names = "--pinhole-timeout", paramLabel = "DURATION", converter = Converters.Time.class,
            description = "How long a data pinhole waits for its one connection, e.g. 30s (default), 500ms, 2m.")
    private Duration pinholeTimeout;

    @Override
    public Integer call() throws ConfigException, GatewayStartException, Main.StartupException {
        GatewayConfig effective = effectiveConfig();
        started = effective;
        for (ListenerConfig l : effective.listeners()) {
            LOG.info("{}", ListenerSummary.oneLine(l));
        }
        LOG.info("audit log: {}; audit syslog: {}; timeouts: {}", ListenerSummary.auditLog(effective.auditLog()),
                AuditOutputs.describeSyslog(effective.auditSyslog()), ListenerSummary.timeouts(effective.timeouts()));
        warnAboutEphemeralPorts(effective);

        Lifecycle lifecycle = new Lifecycle();
        AuditSink audit = AuditOutputs.open(effective.auditLog(), effective.auditSyslog());
        lifecycle.onStop("audit log", audit::close);
        Gateway gateway = AdminOptions.startGateway(effective, audit, lifecycle, m -> metrics = m);
        // Before "listening on": whoever waits for that line may signal at once. SIGTERM must then exit 0, and
        // SIGHUP, left to the JVM, would end the process.
        lifecycle.handleStopSignals();
        ReloadSignal.install(() -> {
            // First, and whatever the reload's fate: rotation must not depend on the configuration being valid.
            audit.reopen();
            reload(gateway);
        });
        for (InetSocketAddress a : gateway.boundAddresses()) {
            LOG.info("listening on {}", hostPort(a));
        }
        LOG.info("ftpgate {} running; reload the configuration and reopen the audit log with SIGHUP, stop with"
                + " SIGTERM or Ctrl-C", VersionProvider.version());
        return lifecycle.awaitTermination() ? Main.OK : Main.RUNTIME_FAILURE;
    }

    /** SIGHUP: re-read the file, re-apply the flags, and hand the result to the gateway; keep the old on error. */
    private void reload(Gateway gateway) {
        GatewayConfig next;
        try {
            next = effectiveConfig();
            gateway.reload(next);
        } catch (ConfigException | GatewayStartException | ParameterException e) {
            rejected(e.getMessage());
            return;
        } catch (RuntimeException e) {
            rejected(e.toString());
            return;
        }
        if (metrics != null) {
            metrics.reloaded(true);
        }
        if (!Objects.equals(next.admin(), started.admin())) {
            LOG.warn("the admin listener changed to {}; this takes effect after a restart", next.admin());
        }
        warnAboutEphemeralPorts(next);  // after the reload took effect, so it cannot be reported as a rejection
    }

    private void rejected(String why) {
        LOG.error("configuration reload rejected; the running configuration stays in force: {}", why);
        if (metrics != null) {
            metrics.reloaded(false);
        }
    }

    /** The file (if any) with every given flag applied; validated like the file itself. */
    GatewayConfig effectiveConfig() throws ConfigException {
        GatewayConfig base = config != null ? ConfigLoader.load(config)
                : new GatewayConfig(List.of(ListenerConfig.builder("listener-1")
                        .listen(ConfigValues.DEFAULT_LISTEN).build()), Timeouts.DEFAULTS, null);
        if (config != null && listen != null && base.listeners().size() != 1) {
            throw new ParameterException(spec.commandLine(), "--listen can replace the listen addresses only when"
                    + " the configuration has exactly one listener; " + config + " has "
                    + base.listeners().size() + " (set 'listen' per listener in the file instead)");
        }
        List<ListenerConfig> listeners = new ArrayList<>();
        for (ListenerConfig l : base.listeners()) {
            listeners.add(override(l));
        }
        Timeouts timeouts = pinholeTimeout == null ? base.timeouts() : base.timeouts().withPinhole(pinholeTimeout);
        GatewayPolicy gatewayPolicy = base.gatewayPolicy();
        if (monitor) {
            gatewayPolicy = new GatewayPolicy(true, gatewayPolicy.limits(), gatewayPolicy.profiles());
        }
        AdminConfig adminConfig;
        try {
            adminConfig = admin.apply(base.admin());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return new GatewayConfig(listeners, timeouts, auditLog != null ? auditLog : base.auditLog(), gatewayPolicy,
                auditSyslog != null ? auditSyslog : base.auditSyslog(), adminConfig);
    }

    private ListenerConfig override(ListenerConfig l) {
        io.ftpgate.config.ListenerTls listenerTls;
        io.ftpgate.config.ListenerProxy listenerProxy;
        try {
            listenerTls = tls.apply(l.tls());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "TLS flags: " + e.getMessage());
        }
        try {
            listenerProxy = proxy.apply(l.proxy());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "PROXY flags: " + e.getMessage());
        }
        ListenerConfig o;
        try {
            o = overridden(l, listenerTls).toBuilder().proxy(listenerProxy).build();
        } catch (IllegalArgumentException e) {
            // A bad combination of flags and file (--transparent with an upstream, say): one line.
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (upstreamPolicy != null && o.upstreams().isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--upstream-policy applies only to reverse listeners;"
                    + " give the servers with --upstream" + (config == null ? "" : " or 'upstream' in " + config));
        }
        String problem = ConfigValues.allowDestinationProblem(o);
        if (problem != null) {
            // The file was valid on its own, so the flag that made the listener inconsistent is to blame.
            String flag = allowDestination != null ? "--allow-destination" : "--upstream";
            throw new ParameterException(spec.commandLine(), flag + ": " + problem
                    + (config == null ? "" : " (from " + config + ")"));
        }
        return o;
    }

    /** {@code l} with every given flag applied; throws {@link IllegalArgumentException} for a bad combination. */
    private ListenerConfig overridden(ListenerConfig l, io.ftpgate.config.ListenerTls listenerTls) {
        return l.toBuilder().tls(listenerTls)
                .listen(listen != null ? listen : l.listen())
                .upstreams(upstream != null ? upstream : l.upstreams())
                .upstreamPolicy(upstreamPolicy != null ? upstreamPolicy : l.upstreamPolicy())
                .publicAddress(publicAddress != null ? publicAddress : l.publicAddress())
                .clientDataPorts(clientDataPorts != null ? clientDataPorts : l.clientDataPorts())
                .serverDataPorts(serverDataPorts != null ? serverDataPorts : l.serverDataPorts())
                .upstreamMode(upstreamMode != null ? upstreamMode : l.upstreamMode())
                .allowClient(allowClient != null ? allowClient : l.allowClient())
                .allowDestination(allowDestination != null ? allowDestination : l.allowDestination())
                .earlyServerLeg(earlyServerLeg != null ? earlyServerLeg : l.earlyServerLeg())
                .dataPath(dataPath != null ? dataPath : l.dataPath())
                .transparent(transparentSource != null ? transparentSource
                        : transparent && l.transparentSource() == null ? io.ftpgate.policy.Placement.Source.GATEWAY
                        : l.transparentSource())
                .build();
    }

    private static void warnAboutEphemeralPorts(GatewayConfig config) {
        ListenerSummary.ephemeralWarning(config).ifPresent(LOG::warn);
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
