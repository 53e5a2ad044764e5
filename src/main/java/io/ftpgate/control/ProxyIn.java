package io.ftpgate.control;

import io.ftpgate.event.EventBus;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.net.SocketAddresses;
import io.ftpgate.proxy.ProxyFailure;
import io.ftpgate.proxy.ProxyHeader;
import io.ftpgate.proxy.ProxyHeaderReader;
import io.ftpgate.protocol.SafeText;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;

/**
 * PROXY protocol on a client control connection: the header names the session's client
 * ({@link ControlPipelines.ClientIdentified}); a refusal becomes a {@code refused} audit record of its own, as no
 * session exists yet.
 */
final class ProxyIn implements ProxyHeaderReader.Listener {

    /** Longest detail of a refusal kept in the audit record. */
    private static final int MAX_DETAIL = 200;

    private final EventBus events;

    ProxyIn(EventBus events) {
        this.events = events;
    }

    /** The reader for a control connection of {@code ctx}'s listener (PROXY protocol on). */
    static ProxyHeaderReader reader(ListenerContext ctx) {
        return new ProxyHeaderReader(ctx.config().proxy().in(), ctx.config().proxy().from(),
                ProxyHeaderReader.HEADER_TIMEOUT, new ProxyIn(ctx.events()));
    }

    @Override
    public void identified(ChannelHandlerContext ctx, ProxyHeader h) {
        ctx.fireUserEventTriggered(new ControlPipelines.ClientIdentified(h.client(), h.gateway(), h.via()));
    }

    @Override
    public void refused(ChannelHandlerContext ctx, ProxyFailure failure, InetSocketAddress peer, String detail) {
        events.publish(new SessionEvent.Refused(new SessionEvent.Origin(ControlPipelines.newSessionId(),
                peer == null ? "?" : SocketAddresses.hostPort(SocketAddresses.canonical(peer))), reason(failure),
                null, SafeText.escape(detail, MAX_DETAIL), null, true, null, null));
    }

    /** The stable reason code of a PROXY failure (on control connections and pinholes alike). */
    static Reason reason(ProxyFailure failure) {
        return switch (failure) {
            case UNTRUSTED -> Reason.PROXY_UNTRUSTED;
            case MISSING -> Reason.PROXY_HEADER_MISSING;
            case MALFORMED -> Reason.PROXY_HEADER_MALFORMED;
            case WRONG_VERSION -> Reason.PROXY_VERSION;
            case TIMEOUT -> Reason.PROXY_HEADER_TIMEOUT;
        };
    }
}
