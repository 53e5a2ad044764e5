package io.ftpgate.control;

import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerProxy;
import io.ftpgate.data.Pinhole;
import io.ftpgate.data.PinholeSpec;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.event.SessionEvent.Side;
import io.ftpgate.net.SocketAddresses;
import io.ftpgate.protocol.SafeText;
import io.ftpgate.proxy.ProxyFailure;
import io.ftpgate.proxy.ProxyHeaderReader;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Predicate;

/**
 * Opens a session's pinholes through the listener's data path and turns what happens to them into session
 * events: armed, then consumed by the expected peer or expired; and a {@code refused} record for every
 * connection from anyone else and for every expiry. Runs on the session's event loop.
 */
final class Pinholes {

    private Pinholes() {
    }

    /**
     * The spec of a client-side pinhole for a PASV/EPSV: the session's client alone (plus {@code fxp} when the
     * listener has FXP exceptions), and a PROXY header first when the balancer forwards the passive range.
     */
    static PinholeSpec clientSpec(Session s, Predicate<InetAddress> fxp) {
        ListenerConfig c = s.ctx().config();
        ListenerProxy proxy = c.proxy();
        return new PinholeSpec(s.gatewayClientSide(), c.clientDataPorts(), s.clientAddress(),
                c.listenerPolicy().fxp().isEmpty() ? null : fxp, s.ctx().timeouts().pinhole(),
                proxy.data().on() ? new PinholeSpec.Proxy(proxy.data(), proxy.from(), ProxyHeaderReader.HEADER_TIMEOUT)
                        : null, s.ctx().transparent());
    }

    /** Opens a pinhole on {@code side} as {@code spec} says; the future fails when no port is free. */
    static Future<Pinhole> open(Session s, Side side, PinholeSpec spec) {
        int[] port = {0};
        Future<Pinhole> opened = s.ctx().dataPath().listen(s.loop(), spec, new Pinhole.Events() {
            @Override
            public void peerMismatch(InetSocketAddress from) {
                s.publish(new SessionEvent.Refused(s.origin(), Reason.DATA_PEER_MISMATCH, side,
                        from == null ? "?" : SocketAddresses.hostPort(from), null, true, null, null));
            }

            @Override
            public void proxyRefused(ProxyFailure failure, InetSocketAddress from, String detail) {
                s.publish(new SessionEvent.Refused(s.origin(), ProxyIn.reason(failure), side,
                        (from == null ? "?" : SocketAddresses.hostPort(from)) + ": " + SafeText.escape(detail, 200),
                        null, true, null, null));
            }

            @Override
            public void expired() {
                s.publish(new SessionEvent.PinholeExpired(s.origin(), side, port[0]));
                s.publish(new SessionEvent.Refused(s.origin(), Reason.PINHOLE_EXPIRED, side, null, null, true, null,
                        null));
            }
        });
        opened.addListener(f -> {
            if (f.isSuccess()) {
                Pinhole p = (Pinhole) f.getNow();
                port[0] = p.port();
                s.publish(new SessionEvent.PinholeArmed(s.origin(), side, p.port()));
                p.accepted().addListener(a -> {
                    if (a.isSuccess()) {
                        s.publish(new SessionEvent.PinholeConsumed(s.origin(), side, p.port()));
                    }
                });
            }
        });
        return opened;
    }
}
