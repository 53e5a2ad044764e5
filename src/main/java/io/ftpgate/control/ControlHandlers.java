package io.ftpgate.control;

import io.ftpgate.protocol.LineViolation;
import io.ftpgate.protocol.TelnetSignal;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty end of the two control connections: each handler sits after an {@link FtpLineDecoder} and hands
 * complete lines, Telnet signals and framing violations to its {@link Session}. No protocol logic here.
 */
final class ControlHandlers {

    private static final Logger LOG = LoggerFactory.getLogger(ControlHandlers.class);

    private ControlHandlers() {
    }

    /** Client control connection → session. */
    static final class ClientSide extends ChannelInboundHandlerAdapter {
        private final Session session;

        ClientSide(Session session) {
            this.session = session;
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            if (session.isClosed()) {
                ReferenceCountUtil.release(msg);
            } else if (msg instanceof String line) {
                session.onClientLine(line);
            } else if (msg instanceof LineViolation v) {
                session.onViolation(v, true);
            } else if (msg instanceof TelnetSignal s) {
                // IP/DM precede an ABOR (RFC 959 §4.1.3); the ABOR line itself is what the session acts on.
                LOG.debug("#{} telnet command {} from client", session.id, s.command());
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
            LOG.debug("#{} client control error: {}", session.id, cause.toString());
            session.close("client-error");
        }
    }

    /** Server control connection → session. */
    static final class ServerSide extends ChannelInboundHandlerAdapter {
        private final Session session;

        ServerSide(Session session) {
            this.session = session;
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            if (session.isClosed()) {
                ReferenceCountUtil.release(msg);
            } else if (msg instanceof String line) {
                session.onServerLine(line);
            } else if (msg instanceof LineViolation v) {
                session.onViolation(v, false);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
            LOG.debug("#{} server control error: {}", session.id, cause.toString());
            c.close();
        }
    }
}
