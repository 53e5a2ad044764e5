package io.ftpgate.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/**
 * The SslHandler of every TLS connection ftpgate makes, whichever the provider: it knows which
 * {@link ServerTls} or {@link SessionTls} made it, from which context, and whether its handshake resumed a
 * session.
 *
 * <ul>
 *   <li>JDK provider: the engine is wrapped in an {@link ObservedEngine}, which reads resumption off the wire
 *       and refuses TLS 1.2 renegotiation.</li>
 *   <li>OpenSSL provider: the engine goes in unwrapped, because SslHandler recognises the native engine by its
 *       class (it then hands it direct buffers and several records per call, and releases its native memory
 *       when the handler goes). BoringSSL reports reuse itself ({@code SSL_session_reused}), read when the
 *       handshake succeeds; as a server it never renegotiates, and as a client ftpgate turns the one
 *       renegotiation that Netty allows a BoringSSL client off ({@code SSL_RENEGOTIATE_NEVER}).</li>
 * </ul>
 */
final class TlsHandler extends SslHandler {

    /**
     * How long closing waits to flush ftpgate's own close_notify: a data connection's last bytes and its
     * close_notify must reach the peer (vsftpd and others treat a close without it as a truncated upload), but a
     * peer that stopped reading must not keep the connection.
     */
    static final Duration CLOSE_NOTIFY_FLUSH_TIMEOUT = Duration.ofSeconds(3);
    /**
     * How long ftpgate as a TLS client, having sent close_notify, keeps reading for the server's: whatever the
     * server sent before it is still read, above all a TLS 1.3 session ticket that the next data connection
     * must offer (an empty upload closes right after the handshake, often before the ticket has been read).
     * As a TLS server ftpgate does not wait (RFC 8446 6.1 lets the closing side go): its tickets travel the
     * other way.
     */
    static final Duration CLIENT_CLOSE_NOTIFY_READ_TIMEOUT = Duration.ofSeconds(3);

    /** How often a closing OpenSSL client looks for its ticket: a round trip on a LAN, well under a second. */
    private static final Duration TICKET_POLL = Duration.ofMillis(5);
    /** A valid address for an SSL_write of no bytes (tcnative refuses a null one). */
    private static final long NO_BYTES_ADDRESS = PlatformDependent.directBufferAddress(ByteBuffer.allocateDirect(1));

    private final Object origin;
    private final SslContext context;
    /** The JDK's engine with its wire observer; null for OpenSSL. */
    private final ObservedEngine observed;
    /** OpenSSL: the engine's own verdict, taken on the event loop when the handshake succeeds. */
    private volatile boolean nativeResumed;
    /** OpenSSL client: the ids its context's session cache held when the handshake succeeded. */
    private volatile Set<String> cachedAtHandshake;
    /** OpenSSL client data connection: the FTP session whose next data connection needs this one's ticket. */
    private volatile SessionTls ticketFor;

    private TlsHandler(SSLEngine engine, ObservedEngine observed, Object origin, SslContext context,
            boolean startTls) {
        super(engine, startTls);
        this.origin = origin;
        this.context = context;
        this.observed = observed;
    }

    /**
     * The handler for a new engine of {@code origin}, with the handshake timeout of {@code settings} and the
     * close_notify timeouts. {@code startTls}: the first write passes in clear (the {@code 234} reply to AUTH
     * TLS), see {@link SslHandler}.
     */
    static SslHandler create(SSLEngine engine, Object origin, SslContext context, TlsSettings settings,
            boolean startTls) {
        TlsHandler h;
        if (engine instanceof ReferenceCountedOpenSslEngine openssl) {
            if (openssl.getUseClientMode()) {
                refuseRenegotiation(openssl);
                offerTls13Tickets(openssl, settings);
            }
            h = new TlsHandler(engine, null, origin, context, startTls);
            // Listeners run in the order added and before the handshake event, so every later reader sees it;
            // the engine (and its native SSL) is alive here, on the event loop that would free it.
            boolean server = !openssl.getUseClientMode();
            h.handshakeFuture().addListener(f -> {
                h.nativeResumed = f.isSuccess() && sessionReused(openssl);
                h.cachedAtHandshake = server || !f.isSuccess() ? null : cachedIds(openssl);
                if (server && f.isSuccess()) {
                    // After the read that finished the handshake, not inside it.
                    Channel ch = (Channel) f.getNow();
                    ch.eventLoop().execute(() -> {
                        if (releaseTickets(openssl)) {
                            ch.flush(); // SslHandler wraps an empty buffer: the tickets go out
                        }
                    });
                }
            });
        } else {
            ObservedEngine observed = new ObservedEngine(engine);
            h = new TlsHandler(observed, observed, origin, context, startTls);
        }
        h.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
        h.setCloseNotifyFlushTimeoutMillis(CLOSE_NOTIFY_FLUSH_TIMEOUT.toMillis());
        h.setCloseNotifyReadTimeoutMillis(engine.getUseClientMode() ? CLIENT_CLOSE_NOTIFY_READ_TIMEOUT.toMillis() : 0);
        return h;
    }

    /**
     * OpenSSL client under TLS 1.3: a close waits, up to {@link #CLIENT_CLOSE_NOTIFY_READ_TIMEOUT}, until the
     * server's session ticket for this connection is in the cache. The JDK's engine reads it while waiting for
     * the server's close_notify; BoringSSL, once ftpgate's close_notify is out, does not keep it, so a data
     * connection closed right after its handshake (an empty or tiny upload) would leave the next one without a
     * ticket: servers that issue one ticket per connection (vsftpd) then refuse it (522, session reuse required).
     * Data connections only, and only while the server has sent one on each: a server that sends none on data
     * connections (ProFTPD suppresses their renewal) costs one wait per FTP session, not one per transfer.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        SessionTls session = ticketFor;
        if (session == null || !session.dataTicketsExpected() || cachedAtHandshake == null
                || !ctx.channel().isActive() || !"TLSv1.3".equals(engine().getSession().getProtocol())) {
            super.close(ctx, promise);
            return;
        }
        Set<String> before = cachedAtHandshake;
        cachedAtHandshake = null; // one wait per connection
        long deadline = System.nanoTime() + CLIENT_CLOSE_NOTIFY_READ_TIMEOUT.toNanos();
        ctx.read();
        awaitTicket(ctx, promise, before, deadline);
    }

    private void awaitTicket(ChannelHandlerContext ctx, ChannelPromise promise, Set<String> before, long deadline)
            throws Exception {
        boolean late = System.nanoTime() - deadline >= 0;
        if (!ctx.channel().isActive() || late
                || !before.containsAll(cachedIds((ReferenceCountedOpenSslEngine) engine()))) {
            if (late) {
                ticketFor.noDataTickets();
            }
            super.close(ctx, promise);
            return;
        }
        ctx.executor().schedule(() -> {
            try {
                awaitTicket(ctx, promise, before, deadline);
            } catch (Exception e) {
                promise.tryFailure(e);
            }
        }, TICKET_POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Set<String> cachedIds(ReferenceCountedOpenSslEngine e) {
        Set<String> ids = new HashSet<>();
        for (byte[] id : Collections.list(e.getSession().getSessionContext().getIds())) {
            ids.add(HexFormat.of().formatHex(id));
        }
        return ids;
    }

    /** Marks this handler as a data connection of {@code session} (see {@link #close}). */
    void ticketFor(SessionTls session) {
        ticketFor = session;
    }

    /** {@code handler} when this package made it, else an exception naming the mistake. */
    static TlsHandler of(SslHandler handler) {
        if (handler instanceof TlsHandler t) {
            return t;
        }
        throw new IllegalArgumentException("not an SslHandler made by ServerTls or SessionTls");
    }

    /** The ServerTls or SessionTls that made this handler. */
    Object origin() {
        return origin;
    }

    /** The context that made the engine. */
    SslContext context() {
        return context;
    }

    /** True when the handshake resumed a session (meaningful once it has succeeded). */
    boolean resumed() {
        return observed != null ? observed.resumed() : nativeResumed;
    }

    private static boolean sessionReused(ReferenceCountedOpenSslEngine e) {
        // The engine frees its SSL under its own lock; holding it keeps the pointer valid for the call.
        synchronized (e) {
            long ssl = e.sslPointer();
            return ssl != 0 && SSL.isSessionReused(ssl);
        }
    }

    /**
     * BoringSSL as a TLS 1.3 server issues its session tickets on the first SSL_write, and Netty calls it only
     * with application data. On a data connection that ftpgate only reads (an upload) that never comes, so the
     * client's next data connection would have no fresh ticket, and clients that offer a ticket only once
     * (the JDK's) could not resume at all. An empty SSL_write issues them now (into the engine's buffer, which
     * the following flush sends); it writes no application record.
     */
    private static boolean releaseTickets(ReferenceCountedOpenSslEngine e) {
        synchronized (e) {
            long ssl = e.sslPointer();
            if (ssl == 0) {
                return false;
            }
            SSL.writeToSSL(ssl, NO_BYTES_ADDRESS, 0);
            return true;
        }
    }

    private static void refuseRenegotiation(ReferenceCountedOpenSslEngine e) {
        synchronized (e) {
            try {
                SSL.setRenegotiateMode(e.sslPointer(), SSL.SSL_RENEGOTIATE_NEVER);
            } catch (Exception ex) {
                throw new IllegalStateException("BoringSSL refused to turn renegotiation off: " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * TLS 1.3 resumes only by ticket, and data connections must resume (RFC 4217). Netty decides once per JVM,
     * from {@code jdk.tls.client.enableSessionTicketExtension}, whether its OpenSSL clients accept TLS 1.3
     * tickets; {@link ClientTls} sets that property to false for the JDK's TLS 1.2 (see there), which would
     * turn them off too, depending on which class loads first. So the decision is made here, per engine, as
     * Netty's default would: tickets on whenever TLS 1.3 is enabled.
     */
    private static void offerTls13Tickets(ReferenceCountedOpenSslEngine e, TlsSettings settings) {
        if (settings.protocols().contains("TLSv1.3")) {
            synchronized (e) {
                SSL.clearOptions(e.sslPointer(), SSL.SSL_OP_NO_TICKET);
            }
        }
    }
}
