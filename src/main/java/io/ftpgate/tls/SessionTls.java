package io.ftpgate.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The TLS of one FTP session toward its server: a context of its own ({@link ClientTls#forSession()}), so its
 * session cache holds this session's TLS sessions only.
 *
 * <p>Data connections resume the control connection's session: their handlers are made with the control
 * connection's host and port, the key under which the cache keeps the session (RFC 4217; servers such as
 * vsftpd with {@code require_ssl_reuse=YES} refuse a data connection that does not resume, with {@code 522}).
 * The cache keeps one entry per key, replaced by the newest session: under TLS 1.3 each resumption brings a
 * fresh ticket, and tickets may be single-use (OpenSSL servers: two at login, then one per resumption), so the
 * next data connection must offer the newest one, never the control connection's original, which is used up
 * after the first data connection. The JDK's client cache does exactly that; the tests check it against a
 * server whose tickets are single-use.
 *
 * <p>Used by one FTP session at a time.
 */
public final class SessionTls {

    private final SslContext context;
    private final TlsSettings settings;
    private volatile String controlKey;
    /** Set when a data connection closed without the server's TLS 1.3 ticket having come (see TlsHandler). */
    private volatile boolean noDataTickets;

    SessionTls(SslContext context, TlsSettings settings) {
        this.context = context;
        this.settings = settings;
    }

    /**
     * The handler of the control connection to {@code host:port}: the name (or address) the server was given
     * by, which is what its certificate is checked against, and what SNI carries when it is a DNS name.
     */
    public SslHandler control(ByteBufAllocator alloc, String host, int port) {
        controlKey = key(host, port);
        return handler(alloc, host, port);
    }

    /**
     * The handler of a data connection. {@code host} and {@code port} are the control connection's (not the
     * data connection's own address), so that the handshake offers the control connection's session.
     *
     * @throws IllegalArgumentException when they differ from those given to {@link #control}
     */
    public SslHandler data(ByteBufAllocator alloc, String host, int port) {
        String key = controlKey;
        if (key != null && !key.equals(key(host, port))) {
            throw new IllegalArgumentException("a data connection's TLS must use the control connection's host and"
                    + " port (" + key + ") to resume its session, got " + key(host, port));
        }
        SslHandler h = handler(alloc, host, port);
        TlsHandler.of(h).ticketFor(this);
        return h;
    }

    /** Whether closing data connections should still wait for the server's ticket. */
    boolean dataTicketsExpected() {
        return !noDataTickets;
    }

    void noDataTickets() {
        noDataTickets = true;
    }

    private SslHandler handler(ByteBufAllocator alloc, String host, int port) {
        Objects.requireNonNull(host, "host");
        SSLEngine engine = context.newEngine(alloc, host, port);
        SSLParameters p = engine.getSSLParameters();
        // The JDK sends SNI by itself only for names with a dot; an address literal must never be sent (RFC 6066).
        p.setServerNames(sniFor(host));
        engine.setSSLParameters(p);
        return TlsHandler.create(engine, this, context, settings, false);
    }

    static List<SNIServerName> sniFor(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty() || SelfSigned.isAddressLiteral(name)) {
            return List.of();
        }
        try {
            return List.of(new SNIHostName(name));
        } catch (IllegalArgumentException e) {
            return List.of(); // not a valid DNS name (e.g. an underscore): no SNI rather than no connection
        }
    }

    private static String key(String host, int port) {
        return host.toLowerCase(Locale.ROOT) + ":" + port;
    }
}
