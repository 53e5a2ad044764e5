package io.ftpgate.data;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds whatever a data leg receives before its relay starts.
 *
 * <p>A leg exists before its partner: a server may connect, send a small file and close before the client
 * has connected its side. Auto-read is off, but on the peer's close the epoll transport still drains the
 * socket (it reads on EPOLLRDHUP so no data is missed), and the channel then closes and its pipeline is torn
 * down. So the bytes are kept on the channel itself, not in the pipeline, and the relay takes them over in
 * order: nothing is lost however fast the peer was. Whoever abandons a leg without relaying it calls
 * {@link #discard}.
 *
 * <p>The same holds for a TLS close_notify (PROT P): it ends the peer's data as EOF does, but the channel stays
 * open, because the JDK does not close a TLS 1.3 connection on close_notify and a peer such as vsftpd then
 * waits for ftpgate's own close_notify before it closes anything. So its arrival is kept on the channel too
 * ({@link #closeNotified}), for the relay to act on when it starts.
 */
public final class EarlyDataBuffer extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<List<ByteBuf>> HELD = AttributeKey.valueOf("ftpgate.early-data");
    private static final AttributeKey<Boolean> CLOSE_NOTIFIED = AttributeKey.valueOf("ftpgate.early-close-notify");

    /** Removes the buffer from {@code leg} and returns the bytes it held, oldest first (the caller owns them). */
    static List<ByteBuf> takeOver(Channel leg) {
        EarlyDataBuffer b = leg.pipeline().get(EarlyDataBuffer.class);
        if (b != null) {
            leg.pipeline().remove(b);
        }
        List<ByteBuf> held = leg.attr(HELD).getAndSet(null);
        return held == null ? List.of() : held;
    }

    /** True (once) when the peer's close_notify arrived on {@code leg} before the relay started. */
    static boolean closeNotified(Channel leg) {
        return Boolean.TRUE.equals(leg.attr(CLOSE_NOTIFIED).getAndSet(null));
    }

    /** Releases anything held for a leg that will never be relayed. Safe to call more than once. */
    public static void discard(Channel leg) {
        List<ByteBuf> held = leg.attr(HELD).getAndSet(null);
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            List<ByteBuf> held = ctx.channel().attr(HELD).get();
            if (held == null) {
                held = new ArrayList<>();
                ctx.channel().attr(HELD).set(held);
            }
            held.add(buf);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslCloseCompletionEvent e && e.isSuccess()) {
            ctx.channel().attr(CLOSE_NOTIFIED).set(Boolean.TRUE);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
