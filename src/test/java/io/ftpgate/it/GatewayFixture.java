package io.ftpgate.it;

import io.ftpgate.audit.AuditTrail;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.Timeouts;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.control.Gateway;
import io.ftpgate.data.RelayDataPath;
import io.ftpgate.event.EventBus;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.net.Cidr;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Builds and runs one single-listener gateway for a test, with its own recording audit sink. */
public final class GatewayFixture implements AutoCloseable {

    public final RecordingAuditSink audit = new RecordingAuditSink();
    /** Every typed session event, in order (the audit log above is one subscriber of the same bus). */
    public final List<SessionEvent> events = new CopyOnWriteArrayList<>();
    public final Gateway gateway;
    public final ListenerConfig listener;

    private GatewayFixture(ListenerConfig listener, Timeouts timeouts, Consumer<EventBus> beforeStart)
            throws Exception {
        this.listener = listener;
        EventBus bus = EventBus.of(new AuditTrail(audit), events::add);
        beforeStart.accept(bus);
        this.gateway = Gateway.start(new GatewayConfig(List.of(listener), timeouts, null), bus, RelayDataPath::new);
    }

    /** Runs {@code listener} (any settings the builder below does not offer); null timeouts: the defaults. */
    public static GatewayFixture of(ListenerConfig listener, Timeouts timeouts) throws Exception {
        return new GatewayFixture(listener, timeouts, bus -> { });
    }

    /** The control address to connect to. */
    public InetSocketAddress address() {
        return gateway.boundAddresses().get(0);
    }

    @Override
    public void close() {
        gateway.close();
    }

    public static Builder builder(String listenHost) {
        return new Builder(listenHost);
    }

    public static final class Builder {
        private final String listenHost;
        private HostAndPort upstream;
        private String publicAddress;
        private PortRange clientPorts;
        private PortRange serverPorts;
        private UpstreamMode mode = UpstreamMode.PASSIVE;
        private List<Cidr> allowClient = List.of();
        private List<Cidr> allowDestination = List.of();
        private Timeouts timeouts;
        private boolean earlyServerLeg = true;
        private Consumer<EventBus> beforeStart = bus -> { };

        Builder(String listenHost) {
            this.listenHost = listenHost;
        }

        /** Reverse placement to host:port. */
        public Builder upstream(String host, int port) {
            this.upstream = new HostAndPort(host, port);
            return this;
        }

        public Builder publicAddress(String a) {
            this.publicAddress = a;
            return this;
        }

        public Builder dataPorts(int clientLow, int serverLow) {
            this.clientPorts = new PortRange(clientLow, clientLow + 999);
            this.serverPorts = new PortRange(serverLow, serverLow + 999);
            return this;
        }

        public Builder dataPortRanges(int clientLow, int clientHigh, int serverLow, int serverHigh) {
            this.clientPorts = new PortRange(clientLow, clientHigh);
            this.serverPorts = new PortRange(serverLow, serverHigh);
            return this;
        }

        public Builder mode(UpstreamMode m) {
            this.mode = m;
            return this;
        }

        public Builder allowClient(String... cidrs) {
            this.allowClient = List.of(cidrs).stream().map(Cidr::parse).toList();
            return this;
        }

        public Builder allowDestination(String... cidrs) {
            this.allowDestination = List.of(cidrs).stream().map(Cidr::parse).toList();
            return this;
        }

        /** {@code early-server-leg} of the listener (default on). */
        public Builder earlyServerLeg(boolean on) {
            this.earlyServerLeg = on;
            return this;
        }

        /** Runs {@code hook} on the event bus before the gateway starts (to subscribe, e.g. an admin listener). */
        public Builder beforeStart(Consumer<EventBus> hook) {
            this.beforeStart = hook;
            return this;
        }

        public Builder timeouts(Timeouts t) {
            this.timeouts = t;
            return this;
        }

        public GatewayFixture start() throws Exception {
            ListenerConfig lc = ListenerConfig.builder("it").listen(new HostAndPort(listenHost, 0))
                    .upstream(upstream).publicAddress(publicAddress).clientDataPorts(clientPorts)
                    .serverDataPorts(serverPorts).upstreamMode(mode).allowClient(allowClient)
                    .allowDestination(allowDestination).earlyServerLeg(earlyServerLeg).build();
            return new GatewayFixture(lc, timeouts, beforeStart);
        }
    }
}
