package io.ftpgate.control;

import io.ftpgate.config.ListenerTls;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.protocol.FtpLimits;
import io.ftpgate.proxy.ProxyHeaderWriter;
import io.ftpgate.proxy.ProxyVersion;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The pipelines of the two control connections, with the names of their handlers. Data legs have their own
 * ({@code io.ftpgate.data.DataLegPipeline}).
 *
 * <p>Client control connection, in order:
 * <pre>
 *   [proxy-protocol]  a PROXY protocol decoder (scale-out behind HAProxy): reads the header, then fires
 *                     {@link ClientIdentified} with the real client and removes itself
 *   [tls]             the TLS handler: first for implicit FTPS, inserted here after AUTH TLS ({@link #addTls})
 *   session-start     {@link SessionStarter}: creates the {@link Session} once the client's address is known,
 *                     then removes itself
 *   line-decoder      {@link FtpLineDecoder}: complete lines only
 *   session           {@link ControlHandlers}: hands lines, Telnet signals and violations to the session
 * </pre>
 * Server control connection: {@code [proxy-protocol]} (a {@link ProxyHeaderWriter} naming the client, with
 * {@code server-proxy-protocol}), {@code [tls]}, {@code line-decoder}, {@code session}.
 */
final class ControlPipelines {

    /** Handler name of a PROXY protocol decoder on the client control connection. */
    static final String PROXY_PROTOCOL = "proxy-protocol";
    /** Handler name of a control connection's TLS handler. */
    static final String TLS = "tls";
    /** Handler name of the {@link SessionStarter}. */
    static final String SESSION_START = "session-start";
    /** Handler name of the {@link FtpLineDecoder}. */
    static final String LINE_DECODER = "line-decoder";
    /** Handler name of the {@link ControlHandlers}. */
    static final String SESSION = "session";

    private ControlPipelines() {
    }

    /**
     * The initializer of accepted client control connections. {@code context} gives the listener's current
     * context (a reload swaps it), or null while the gateway is still starting: the connection is then closed.
     * {@code awaitIdentity} is true when a decoder ahead of the starter will name the real client; a listener
     * with {@code proxy-protocol} on always has one ({@link ProxyIn}).
     * Every connection joins {@code sessions}, which the gateway closes on shutdown.
     */
    static ChannelInitializer<Channel> client(Supplier<ListenerContext> context, boolean awaitIdentity,
            ChannelGroup sessions) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ListenerContext ctx = context.get();
                if (ctx == null) {
                    ch.close(); // still starting up
                    return;
                }
                sessions.add(ch);
                boolean proxied = ctx.config().proxy().in().on();
                if (proxied) {
                    // Before TLS: the balancer's header precedes the client's first byte (ClientHello included).
                    ch.pipeline().addLast(PROXY_PROTOCOL, ProxyIn.reader(ctx));
                }
                if (ctx.config().tls().client() == ListenerTls.ClientTlsMode.IMPLICIT) {
                    // Implicit FTPS: TLS from the first byte; the session's greeting waits for the handshake.
                    ch.pipeline().addLast(TLS, ctx.serverTls().newHandler(ch.alloc()));
                }
                ch.pipeline().addLast(SESSION_START, new SessionStarter(ctx, awaitIdentity || proxied));
            }
        };
    }

    /** A new random session id (also for a connection refused before it became a session). */
    static String newSessionId() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    /** Adds the line decoder and the session's handler to a client control pipeline (see {@link Session#start}). */
    static void installClient(Channel ch, Session session) {
        ch.pipeline().addLast(LINE_DECODER, new FtpLineDecoder(FtpLimits.MAX_LINE_BYTES, true))
                .addLast(SESSION, ControlHandlers.clientSide(session));
    }

    /** The initializer of the session's server control connection to {@code port} (TLS first when implicit). */
    static ChannelInitializer<Channel> server(Session session, int port) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ProxyVersion out = session.ctx().config().proxy().server();
                if (out.on()) {
                    // First, ahead of TLS: the server reads the header before the ClientHello.
                    ch.pipeline().addLast(PROXY_PROTOCOL, new ProxyHeaderWriter(out, clientOf(session),
                            new InetSocketAddress(session.advertisedClientSide(),
                                    ((InetSocketAddress) session.client().localAddress()).getPort())));
                }
                SslHandler implicit = session.serverTls().implicitHandler(ch.alloc(), port);
                if (implicit != null) {
                    ch.pipeline().addLast(TLS, implicit);
                }
                ch.pipeline().addLast(LINE_DECODER, new FtpLineDecoder(FtpLimits.MAX_LINE_BYTES, false))
                        .addLast(SESSION, ControlHandlers.serverSide(session));
            }
        };
    }

    /** The session's client as the PROXY header toward the server names it: the address audit records carry. */
    private static InetSocketAddress clientOf(Session session) {
        HostAndPort hp = HostAndPort.parse(session.origin().client(), 0);
        return new InetSocketAddress(session.clientAddress(), hp.port());
    }

    /**
     * Puts a TLS handler in front of the line decoder: every byte the decoder sees from then on has been
     * decrypted, so the line checks, the bounce refusal and the regenerated 227/229 hold inside TLS as well.
     */
    static void addTls(ChannelPipeline pipeline, ChannelHandler tls) {
        pipeline.addBefore(LINE_DECODER, TLS, tls);
    }

    /**
     * After a 234 to AUTH TLS (either side): TLS in front of a fresh line decoder. The old decoder goes with
     * whatever partial line it held, and the lines it still hands on are discarded by the session while the
     * handshake runs: nothing sent in clear after AUTH TLS is ever acted on.
     * <pre>
     *   before:  line-decoder, session          after:  tls, line-decoder (new), session
     * </pre>
     */
    static void startTls(Channel ch, SslHandler tls, boolean clientSide) {
        ch.pipeline().addBefore(LINE_DECODER, TLS, tls);
        ch.pipeline().replace(LINE_DECODER, LINE_DECODER, new FtpLineDecoder(FtpLimits.MAX_LINE_BYTES, clientSide));
    }

    /**
     * Fired by a decoder ahead of the {@link SessionStarter} with the real client's addresses: the client, the
     * address it connected to, and the balancer that said so ({@code via}, null when none).
     */
    record ClientIdentified(InetSocketAddress client, InetSocketAddress gateway, InetSocketAddress via) {

        /** Without a balancer. */
        ClientIdentified(InetSocketAddress client, InetSocketAddress gateway) {
            this(client, gateway, null);
        }
    }

    /**
     * Creates the session of a client control connection once its real address is known: at once from the
     * connection itself, or, when {@code awaitIdentity}, from the {@link ClientIdentified} event a PROXY decoder
     * fires. Either way the session's address, policy checks, pinhole peer and audit records use that address.
     */
    static final class SessionStarter extends ChannelInboundHandlerAdapter {
        private final ListenerContext ctx;
        private final boolean awaitIdentity;

        SessionStarter(ListenerContext ctx, boolean awaitIdentity) {
            this.ctx = ctx;
            this.awaitIdentity = awaitIdentity;
        }

        @Override
        public void channelActive(ChannelHandlerContext c) {
            if (!awaitIdentity) {
                start(c, (InetSocketAddress) c.channel().remoteAddress(),
                        (InetSocketAddress) c.channel().localAddress(), null);
            }
            c.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext c, Object evt) {
            if (evt instanceof ClientIdentified id && awaitIdentity) {
                start(c, id.client(), id.gateway(), id.via());
            } else {
                c.fireUserEventTriggered(evt);
            }
        }

        private void start(ChannelHandlerContext c, InetSocketAddress client, InetSocketAddress gateway,
                InetSocketAddress via) {
            c.pipeline().remove(this);
            Session session = new Session(ctx, c.channel(), client, gateway, via);
            // Registered for the administrator's "end this session" until the client connection closes.
            ctx.shared().live().put(session.id(), session);
            c.channel().closeFuture().addListener(f -> ctx.shared().live().remove(session.id(), session));
            session.start();
        }
    }
}
