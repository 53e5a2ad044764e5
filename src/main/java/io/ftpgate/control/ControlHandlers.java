package io.ftpgate.control;

import io.ftpgate.protocol.LineViolation;
import io.ftpgate.protocol.TelnetSignal;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty end of one control connection: it sits after an {@link FtpLineDecoder} and hands complete lines,
 * Telnet signals and framing violations to its {@link Session}, tagged with the side they came from. No
 * protocol logic lives here.
 */
final class ControlHandlers extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ControlHandlers.class);

    private final Session session;
    private final boolean clientSide;

    private ControlHandlers(Session session, boolean clientSide) {
        this.session = session;
        this.clientSide = clientSide;
    }

    /** The handler of the client control connection. */
    static ControlHandlers clientSide(Session session) {
        return new ControlHandlers(session, true);
    }

    /** The handler of the server control connection. */
    static ControlHandlers serverSide(Session session) {
        return new ControlHandlers(session, false);
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        if (session.isClosed()) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof String line) {
            if (clientSide) {
                session.onClientLine(line);
            } else {
                session.server().onLine(line);
            }
        } else if (msg instanceof LineViolation v) {
            session.onViolation(v, clientSide);
        } else if (msg instanceof TelnetSignal s) {
            // IP/DM precede an ABOR (RFC 959 §4.1.3); the ABOR line itself is what the session acts on.
            LOG.debug("#{} telnet command {} from client", session.id(), s.command());
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext c) {
        if (clientSide && c.channel().isWritable() && !session.isClosed()) {
            // The client has read enough of its replies: handle what it queued meanwhile.
            session.processQueue();
        }
        c.fireChannelWritabilityChanged();
    }

    private String side() {
        return clientSide ? "client" : "server";
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        SslHandler ssl = c.pipeline().get(SslHandler.class);
        if (cause instanceof DecoderException && cause.getCause() instanceof javax.net.ssl.SSLException tls
                && ssl != null && ssl.handshakeFuture().isSuccess() && !session.isClosed()) {
            // A fatal TLS alert after the handshake. Under TLS 1.3 a server that refuses ftpgate's client
            // certificate says so only after ftpgate's Finished ("Received fatal alert: certificate_required"): for
            // the administrator that is the handshake failing, not the server closing. A failed handshake itself is
            // recorded by its listener (FtpsClientSide, FtpsServerSide).
            LOG.debug("#{} TLS alert on the {} control connection: {}", session.id(), side(), tls.toString());
            if (clientSide) {
                session.clientTls().tlsFailed(tls.getMessage());
            } else {
                session.serverTls().tlsFailed(tls.getMessage());
            }
            return;
        }
        if (cause instanceof java.io.IOException || cause instanceof DecoderException
                && cause.getCause() instanceof javax.net.ssl.SSLHandshakeException) {
            // Resets and broken pipes are part of life on a network, and so is a failed TLS handshake (the
            // handshake's listener records it as tls-handshake-failed).
            LOG.debug("#{} {} control error: {}", session.id(), side(), cause.toString());
        } else {
            // Anything else is a bug in the gateway: loud, with the stack, and the session is ended safely.
            LOG.error("#{} internal error on the {} control connection; session closed", session.id(), side(),
                    cause);
        }
        if (clientSide) {
            session.close("client-error");
        } else {
            // Closing the server connection lets the session tell the client (421) and end cleanly.
            c.close();
        }
    }
}
