package io.ftpgate.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Copies bytes between the two legs of one data connection with backpressure, and reports when every byte
 * has been handed to the kernel on the far side.
 *
 * <p>Both channels have auto-read off. A leg is read only while the opposite leg is writable, so a slow
 * receiver throttles a fast sender through TCP instead of through the gateway's memory (the Netty proxy
 * example's pattern, done per read batch rather than per write). FTP data connections are one-way and end
 * with EOF (RFC 959 §3.3: "the data connection is closed to indicate end of file" in stream mode), so when one
 * leg ends the other is flushed and then closed: no byte is lost and the far peer sees EOF only after the
 * last byte. Both legs must be registered on the same event loop; every method runs there.
 */
public final class DataRelay implements DataFlow {

    private final Channel clientLeg;
    private final Channel serverLeg;
    private final Promise<FlowResult> done;
    // Owned by the event loop.
    private long clientToServer;
    private long serverToClient;
    private String failure;
    private int open = 2;

    /**
     * Prepares a relay; nothing moves until {@link #commit}.
     *
     * @param clientLeg the connection with the client
     * @param serverLeg the connection with the server
     */
    public DataRelay(Channel clientLeg, Channel serverLeg) {
        if (clientLeg.eventLoop() != serverLeg.eventLoop()) {
            throw new IllegalArgumentException("both legs must share one event loop");
        }
        this.clientLeg = clientLeg;
        this.serverLeg = serverLeg;
        this.done = clientLeg.eventLoop().newPromise();
    }

    @Override
    public Future<FlowResult> commit(Duration idle) {
        List<ByteBuf> earlyFromClient = EarlyDataBuffer.takeOver(clientLeg);
        List<ByteBuf> earlyFromServer = EarlyDataBuffer.takeOver(serverLeg);
        boolean[] closeNotified = {EarlyDataBuffer.closeNotified(clientLeg), EarlyDataBuffer.closeNotified(serverLeg)};
        install(clientLeg, serverLeg, true, idle);
        install(serverLeg, clientLeg, false, idle);
        replay(earlyFromClient, serverLeg, true);
        replay(earlyFromServer, clientLeg, false);
        Channel[] legs = {clientLeg, serverLeg};
        for (int i = 0; i < legs.length; i++) {
            if (!legs[i].isActive()) {
                // A leg that already closed (a peer that sent everything and left) has had its EOF: pass it on.
                onEnd(legs[i], legs[1 - i]);
            } else if (closeNotified[i]) {
                // Its peer ended with close_notify before the relay started and may be waiting for ours (vsftpd
                // after a download): the relay's handler takes it as it takes a later one.
                legs[i].pipeline().fireUserEventTriggered(SslCloseCompletionEvent.SUCCESS);
            }
        }
        clientLeg.read();
        serverLeg.read();
        return done;
    }

    private void replay(List<ByteBuf> early, Channel to, boolean fromClient) {
        for (ByteBuf buf : early) {
            if (fromClient) {
                clientToServer += buf.readableBytes();
            } else {
                serverToClient += buf.readableBytes();
            }
            to.write(buf, to.voidPromise());
        }
        if (!early.isEmpty()) {
            to.flush();
        }
    }

    private void install(Channel from, Channel to, boolean fromClient, Duration idle) {
        if (idle != null) {
            from.pipeline().addLast(DataLegPipeline.IDLE,
                    new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS));
        }
        from.pipeline().addLast(DataLegPipeline.RELAY, new Leg(to, fromClient));
        from.closeFuture().addListener(f -> legClosed());
    }

    @Override
    public void abort(String reason) {
        if (failure == null) {
            failure = reason;
        }
        clientLeg.close();
        serverLeg.close();
    }

    @Override
    public long bytesSoFar() {
        return clientToServer + serverToClient;
    }

    private void legClosed() {
        if (--open == 0) {
            done.trySuccess(new FlowResult(clientToServer, serverToClient, failure == null, failure));
        }
    }

    private void onEnd(Channel ended, Channel other) {
        // Flush whatever is queued for the other leg, then close it: EOF travels after the last byte.
        if (other.isActive()) {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The inbound handler of one leg, forwarding to the other. */
    private final class Leg extends ChannelInboundHandlerAdapter {
        private final Channel to;
        private final boolean fromClient;
        private boolean readPending;
        /** The peer ended its side with a TLS close_notify (PROT P): all of its data has been read. */
        private boolean closeNotified;

        Leg(Channel to, boolean fromClient) {
            this.to = to;
            this.fromClient = fromClient;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf) || !to.isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (fromClient) {
                clientToServer += buf.readableBytes();
            } else {
                serverToClient += buf.readableBytes();
            }
            to.write(buf, to.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            to.flush();
            if (to.isWritable()) {
                ctx.read();
            } else {
                // Resumed by the opposite leg's channelWritabilityChanged.
                readPending = true;
            }
        }

        void resume(ChannelHandlerContext ctx) {
            if (readPending) {
                readPending = false;
                ctx.read();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // Our own leg became writable again: the opposite leg may read.
            if (ctx.channel().isWritable()) {
                Leg opposite = to.pipeline().get(Leg.class);
                if (opposite != null) {
                    opposite.resume(to.pipeline().context(opposite));
                }
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            onEnd(ctx.channel(), to);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                abort("data-idle");
            } else if (evt instanceof SslCloseCompletionEvent) {
                // PROT P: the peer's close_notify ends its side of the data (TLS 1.3 over the JDK does not close
                // the channel by itself), so it is handled as the EOF it stands for.
                closeNotified = true;
                ctx.close();
            } else {
                ReferenceCountUtil.release(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (closeNotified) {
                // After the peer's close_notify every byte has arrived; a reset while our own close_notify goes
                // out (the peer closed its socket at once) loses nothing.
                ctx.close();
                return;
            }
            // A reset or I/O error on either leg ends the transfer; the server's reply tells the client.
            abort((fromClient ? "client" : "server") + " leg: " + cause.getMessage());
        }
    }
}
