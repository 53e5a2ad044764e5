package io.ftpgate.proxy;

import io.ftpgate.net.Cidr;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The first handler of a connection that must begin with a PROXY protocol header (behind HAProxy's
 * {@code send-proxy}/{@code send-proxy-v2}). It refuses a peer outside the trusted blocks before reading a byte,
 * then reads exactly one header with Netty's {@link HAProxyMessageDecoder}, tells its {@link Listener} who the
 * real client is, removes itself and hands on whatever followed the header in the same segment: the header
 * never reaches the FTP line decoder or a data file. Anything else ends the connection with one
 * {@link ProxyFailure}.
 *
 * <p>Must be the first handler of its pipeline. Works with auto-read on or off: it asks for reads itself until the
 * header is complete.
 */
public final class ProxyHeaderReader extends ChannelInboundHandlerAdapter {

    /**
     * How long a trusted peer may take to send its header. The spec (proxy-protocol.txt, section 2) has the
     * sender write the whole header at once, as the connection's first segment, and HAProxy does so as soon as it
     * has connected; so a header still incomplete after this is no balancer's, and a client that connected
     * straight to a PROXY listener (and waits for a 220 that never comes) is told so instead of hanging.
     */
    public static final Duration HEADER_TIMEOUT = Duration.ofSeconds(3);

    /** The v2 signature (proxy-protocol.txt, section 2.2). */
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
        0x0A};
    /** The v1 prefix (section 2.1), space included. */
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);

    /** Told the outcome, on the channel's event loop. */
    public interface Listener {
        /**
         * The header named the client. The reader has removed itself; bytes that followed the header are passed
         * down the pipeline right after this returns, so handlers installed here see them.
         */
        void identified(ChannelHandlerContext ctx, ProxyHeader header);

        /** The connection is refused; the reader closes it right after this returns. */
        void refused(ChannelHandlerContext ctx, ProxyFailure failure, InetSocketAddress peer, String detail);
    }

    private final ProxyVersion accepted;
    private final List<Cidr> trusted;
    private final Duration timeout;
    private final Listener listener;
    private final EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
    private final byte[] start = new byte[V2_SIGNATURE.length];
    private int seen;
    private ScheduledFuture<?> timer;
    private boolean done;

    /**
     * A reader accepting headers of {@code accepted} (not {@link ProxyVersion#OFF}) from peers in
     * {@code trusted}, within {@code timeout}.
     */
    public ProxyHeaderReader(ProxyVersion accepted, List<Cidr> trusted, Duration timeout, Listener listener) {
        if (!accepted.on()) {
            throw new IllegalArgumentException("a PROXY header reader needs a version");
        }
        this.accepted = accepted;
        this.trusted = List.copyOf(trusted);
        this.timeout = timeout;
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (begin(ctx)) {
            ctx.fireChannelActive();
            readMore(ctx);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered() && begin(ctx)) {
            readMore(ctx); // added to a connection that is already up
        }
    }

    /** Refuses an untrusted peer, else starts the clock; true when the header is now awaited. */
    private boolean begin(ChannelHandlerContext ctx) {
        InetSocketAddress peer = peer(ctx);
        if (peer == null || !Cidr.anyContains(trusted, peer.getAddress())) {
            fail(ctx, ProxyFailure.UNTRUSTED, "not in proxy-protocol-from");
            return false;
        }
        timer = ctx.executor().schedule(() -> fail(ctx, ProxyFailure.TIMEOUT,
                "no complete header within " + timeout.toMillis() + " ms (" + seen + " bytes)"),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        String problem = checkStart(buf);
        if (problem != null) {
            buf.release();
            fail(ctx, problem.startsWith("version") ? ProxyFailure.WRONG_VERSION : ProxyFailure.MISSING, problem);
            return;
        }
        HAProxyMessage message;
        try {
            decoder.writeInbound(buf);
            message = decoder.readInbound();
        } catch (RuntimeException e) {
            fail(ctx, ProxyFailure.MALFORMED, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            return;
        }
        if (message == null) {
            readMore(ctx);
            return;
        }
        try {
            identified(ctx, message);
        } finally {
            message.release();
        }
    }

    private void identified(ChannelHandlerContext ctx, HAProxyMessage m) {
        boolean local = m.command() == HAProxyCommand.LOCAL || m.proxiedProtocol() == HAProxyProxiedProtocol.UNKNOWN;
        InetSocketAddress via = peer(ctx);
        InetSocketAddress client = via;
        InetSocketAddress gateway = (InetSocketAddress) ctx.channel().localAddress();
        if (!local) {
            if (m.proxiedProtocol() != HAProxyProxiedProtocol.TCP4 && m.proxiedProtocol() != HAProxyProxiedProtocol.TCP6) {
                fail(ctx, ProxyFailure.MALFORMED, "not a TCP connection: " + m.proxiedProtocol());
                return;
            }
            client = address(m.sourceAddress(), m.sourcePort());
            gateway = address(m.destinationAddress(), m.destinationPort());
        }
        done = true;
        cancelTimer();
        List<Object> rest = new ArrayList<>();
        for (Object o; (o = decoder.readInbound()) != null; ) {
            rest.add(o);
        }
        decoder.finishAndReleaseAll();
        ctx.pipeline().remove(this);
        listener.identified(ctx, new ProxyHeader(client, gateway, via,
                m.protocolVersion() == HAProxyProtocolVersion.V1 ? "v1" : "v2", local));
        // From the pipeline's head, not from this (removed) context: a handler after it may have removed itself
        // as well (the session starter), and a removed context still points at whatever followed it then.
        // The reader is always a pipeline's first handler, so the head is where the bytes came from.
        for (Object o : rest) {
            ctx.channel().pipeline().fireChannelRead(o);
        }
    }

    /**
     * Checks the bytes seen so far against the two signatures: null while they can still be a header of an
     * accepted version, else why not ("version ..." for a header of the other version).
     */
    private String checkStart(ByteBuf buf) {
        for (int i = buf.readerIndex(); i < buf.writerIndex() && seen < start.length; i++) {
            start[seen++] = buf.getByte(i);
        }
        boolean v1 = prefixOf(V1_PREFIX);
        boolean v2 = prefixOf(V2_SIGNATURE);
        if (!v1 && !v2) {
            return "the connection does not start with a PROXY header";
        }
        if (v1 && seen >= V1_PREFIX.length && !accepted.accepts(HAProxyProtocolVersion.V1)) {
            return "version 1 header; the listener accepts " + accepted.text();
        }
        if (v2 && seen >= V2_SIGNATURE.length && !accepted.accepts(HAProxyProtocolVersion.V2)) {
            return "version 2 header; the listener accepts " + accepted.text();
        }
        return null;
    }

    private boolean prefixOf(byte[] signature) {
        for (int i = 0; i < Math.min(seen, signature.length); i++) {
            if (start[i] != signature[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !done) {
            // A half-closed connection (pinholes hold a FIN while a leg changes hands) that ended before a header.
            fail(ctx, ProxyFailure.MISSING, "closed after " + seen + " bytes, before a complete header");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done) {
            fail(ctx, ProxyFailure.MISSING, "closed after " + seen + " bytes, before a complete header");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            fail(ctx, ProxyFailure.MALFORMED, String.valueOf(cause.getMessage()));
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        if (!done) {
            decoder.finishAndReleaseAll();
        }
    }

    private void fail(ChannelHandlerContext ctx, ProxyFailure failure, String detail) {
        if (done) {
            return;
        }
        done = true;
        cancelTimer();
        decoder.finishAndReleaseAll();
        listener.refused(ctx, failure, peer(ctx), detail);
        ctx.close();
    }

    private void readMore(ChannelHandlerContext ctx) {
        if (!done && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private static InetSocketAddress peer(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    private static InetSocketAddress address(String ip, int port) {
        return new InetSocketAddress(Cidr.canonical(NetUtil.createInetAddressFromIpAddressString(ip)), port);
    }
}
