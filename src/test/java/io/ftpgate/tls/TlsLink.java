package io.ftpgate.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A TLS client and a TLS server joined back to back: two EmbeddedChannels whose outbound bytes are handed to
 * each other until neither has anything more to say. Real handshakes, no sockets, no clock.
 */
final class TlsLink {

    static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    final EmbeddedChannel client;
    final EmbeddedChannel server;
    final SslHandler clientTls;
    final SslHandler serverTls;
    /** Application bytes each side received, as text. */
    final StringBuilder clientRead = new StringBuilder();
    final StringBuilder serverRead = new StringBuilder();
    /** Exceptions each side's pipeline saw (after the handshake, failures show only here). */
    final List<Throwable> clientErrors = new ArrayList<>();
    final List<Throwable> serverErrors = new ArrayList<>();
    /** Server-to-client bytes for which it is false are held back (a ticket in flight, or lost). */
    private Predicate<ByteBuf> toClient = b -> true;
    private final List<ByteBuf> held = new ArrayList<>();

    private TlsLink(SslHandler clientTls, SslHandler serverTls) {
        this.clientTls = clientTls;
        this.serverTls = serverTls;
        this.client = channel(clientTls, clientRead, clientErrors);
        this.server = channel(serverTls, serverRead, serverErrors);
    }

    /** Joins the two handlers and runs the handshake to its end, successful or not. */
    static TlsLink handshake(SslHandler clientTls, SslHandler serverTls) {
        TlsLink link = new TlsLink(clientTls, serverTls);
        link.pump();
        return link;
    }

    /** Joins them without exchanging anything yet (the client's ClientHello waits in its outbound queue). */
    static TlsLink unstarted(SslHandler clientTls, SslHandler serverTls) {
        return new TlsLink(clientTls, serverTls);
    }

    static EmbeddedChannel channel(SslHandler tls, StringBuilder read, List<Throwable> errors) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(tls).addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                read.append(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                errors.add(cause);
            }
        });
        return ch;
    }

    /** From now on, holds back the server-to-client bytes for which {@code deliver} is false. */
    TlsLink holdToClient(Predicate<ByteBuf> deliver) {
        this.toClient = deliver;
        return this;
    }

    /** Stops holding back; what was held goes first, at the next {@link #pump}. */
    TlsLink releaseHeld() {
        this.toClient = b -> true;
        return this;
    }

    /** Moves bytes both ways until both sides are quiet. */
    TlsLink pump() {
        boolean moved;
        do {
            moved = move(client, server) | moveToClient();
            client.runPendingTasks();
            server.runPendingTasks();
        } while (moved);
        return this;
    }

    private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        for (Object m = from.readOutbound(); m != null; m = from.readOutbound()) {
            moved = true;
            deliver(to, (ByteBuf) m);
        }
        return moved;
    }

    private boolean moveToClient() {
        boolean moved = false;
        if (toClient.test(null) && !held.isEmpty()) {
            held.forEach(b -> deliver(client, b));
            held.clear();
            moved = true;
        }
        for (Object m = server.readOutbound(); m != null; m = server.readOutbound()) {
            moved = true;
            if (toClient.test((ByteBuf) m)) {
                deliver(client, (ByteBuf) m);
            } else {
                held.add((ByteBuf) m);
            }
        }
        return moved;
    }

    private static void deliver(EmbeddedChannel to, ByteBuf b) {
        if (to.isOpen()) {
            to.writeInbound(b);
        } else {
            b.release();
        }
    }

    /** Sends application text from the client and moves it across. */
    TlsLink clientWrites(String text) {
        client.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        return pump();
    }

    boolean succeeded() {
        return clientTls.handshakeFuture().isSuccess() && serverTls.handshakeFuture().isSuccess();
    }

    /** The client's handshake failure (null when it succeeded or has not ended). */
    Throwable clientFailure() {
        return clientTls.handshakeFuture().cause();
    }

    Throwable serverFailure() {
        return serverTls.handshakeFuture().cause();
    }

    /** Messages of {@code t} and its causes, joined: the assertions look for words anywhere in the chain. */
    static String messages(Throwable t) {
        List<String> out = new ArrayList<>();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.add(c.getClass().getSimpleName() + ": " + c.getMessage());
        }
        return String.join(" <- ", out);
    }

    void close() {
        held.forEach(ByteBuf::release);
        held.clear();
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }
}
