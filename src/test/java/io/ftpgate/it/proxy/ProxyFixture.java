package io.ftpgate.it.proxy;

import io.ftpgate.audit.AuditTrail;
import io.ftpgate.auditor.it.MinaServer;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerProxy;
import io.ftpgate.control.Gateway;
import io.ftpgate.data.RelayDataPath;
import io.ftpgate.event.EventBus;
import io.ftpgate.it.ProxyFront;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.net.Cidr;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.proxy.ProxyVersion;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * One ftpgate listener in front of Apache MINA, optionally behind a {@link ProxyFront} balancer: the balancer
 * connects from {@link #BALANCER}, clients reach it on {@link #FRONT}, and clients play hosts 127.0.0.2 and up.
 */
final class ProxyFixture implements AutoCloseable {

    static final String BALANCER = "127.0.0.9";
    static final String FRONT = "127.0.0.5";

    final RecordingAuditSink audit = new RecordingAuditSink();
    final MinaServer mina;
    Gateway gateway;
    ProxyFront front;

    ProxyFixture(Path root) throws Exception {
        mina = MinaServer.options().anonymousWrite(true).start(root);
    }

    /** PROXY in from {@link #BALANCER} on control ({@code in}) and data ({@code data}) connections. */
    static ListenerProxy proxy(ProxyVersion in, ProxyVersion data) {
        return new ListenerProxy(in, List.of(Cidr.parse(BALANCER + "/32")), data, ProxyVersion.OFF);
    }

    /** Starts the listener {@code b} describes, on 127.0.0.1, in front of MINA; returns its control address. */
    InetSocketAddress start(ListenerConfig.Builder b) throws Exception {
        ListenerConfig l = b.listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort("127.0.0.1", mina.port())).build();
        gateway = Gateway.start(new GatewayConfig(List.of(l), null, null), EventBus.of(new AuditTrail(audit)),
                RelayDataPath::new);
        return gateway.boundAddresses().get(0);
    }

    /** The balancer, sending headers of {@code version}. */
    ProxyFront front(HAProxyProtocolVersion version) {
        front = new ProxyFront(BALANCER, version);
        return front;
    }

    @Override
    public void close() {
        if (front != null) {
            front.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        mina.close();
    }
}
