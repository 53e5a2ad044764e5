package io.ftpgate.control;

import io.ftpgate.config.ListenerTls;
import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.config.ListenerTls.DataProtection;
import io.ftpgate.config.ListenerTls.ServerTlsMode;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent.Side;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.Verbs;
import io.ftpgate.tls.SessionTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * FTPS toward the server of one session, ftpgate being the TLS client (RFC 4217). Every session has its own
 * TLS client context ({@link SessionTls}), so two users of one server never share a TLS session, and each data
 * connection offers the session of this session's own control connection (servers such as vsftpd refuse a data
 * connection that does not resume it).
 *
 * <pre>
 *   server → gateway   220 ...                 (relayed to the client)
 *   gateway → server   AUTH TLS → 234          (server-tls required, auto after FEAT lists AUTH TLS,
 *                                               match-client when the client did AUTH TLS)
 *   gateway ⇄ server   TLS handshake           (verified, pinned, or explicitly unverified)
 *   gateway → server   PBSZ 0, PROT P          (before the first transfer that needs it; replies not relayed)
 * </pre>
 * Owned by the session's event loop.
 */
final class FtpsServerSide {

    private final Session s;
    private final ListenerTls settings;
    private SessionTls contexts;
    private boolean secure;
    private boolean negotiating;
    private boolean pbszSent;
    private boolean protP;

    FtpsServerSide(Session session) {
        this.s = session;
        this.settings = session.ctx().config().tls();
    }

    /** True while the server's lines must not be acted on: its 234 came and the handshake is running. */
    boolean negotiating() {
        return negotiating;
    }

    /** True when data connections with the server are TLS. */
    boolean dataPrivate() {
        return secure && protP;
    }

    private SessionTls contexts() {
        if (contexts == null) {
            contexts = s.ctx().clientTls().forSession();
        }
        return contexts;
    }

    /** The TLS handler for a connection to the server that is TLS from the first byte, or null. */
    SslHandler implicitHandler(ByteBufAllocator alloc, int port) {
        boolean implicit = settings.server() == ServerTlsMode.IMPLICIT
                || (settings.server() == ServerTlsMode.MATCH_CLIENT && settings.client() == ClientTlsMode.IMPLICIT);
        if (!implicit) {
            return null;
        }
        SslHandler h = contexts().control(alloc, s.server().destinationHost(), port);
        negotiating = true;
        awaitHandshake(h, () -> { });
        return h;
    }

    /** The TLS handler of a data connection with the server: offers this session's control TLS session. */
    SslHandler dataHandler(ByteBufAllocator alloc) {
        return contexts().data(alloc, s.server().destinationHost(), s.server().remote().getPort());
    }

    /** The server's 220 greeting was relayed: secure the control connection as the settings say, then go on. */
    void afterGreeting(Runnable then) {
        if (secure || negotiating) {
            then.run();
            return;
        }
        switch (settings.server()) {
            case REQUIRED -> auth(true, then);
            case AUTO -> {
                s.beginLocal();
                s.server().send(Verbs.FEAT, reply -> {
                    if (reply.isPreliminary()) {
                        return false;
                    }
                    if (!reply.isPositiveCompletion()) {
                        // No answer before login (MINA says 530): ask for TLS and stay in clear if refused.
                        auth(false, then);
                    } else if (reply.lines().stream().anyMatch(l -> l.trim().toUpperCase(Locale.ROOT)
                            .startsWith("AUTH") && l.toUpperCase(Locale.ROOT).contains("TLS"))) {
                        auth(true, then);
                    } else {
                        then.run();
                    }
                    s.endLocal();
                    return true;
                });
            }
            case MATCH_CLIENT -> {
                if (s.clientTls().secure() || s.clientTls().negotiating()) {
                    auth(true, then);
                } else {
                    then.run();
                }
            }
            default -> then.run();
        }
    }

    /** The client started TLS: with server-tls match-client the server side follows. */
    void clientWentSecure() {
        if (settings.server() == ServerTlsMode.MATCH_CLIENT && s.serverConnected() && !secure && !negotiating) {
            auth(true, () -> { });
        }
    }

    private void auth(boolean required, Runnable then) {
        s.beginLocal();
        s.server().send(Verbs.AUTH + " TLS", reply -> {
            if (reply.isPreliminary()) {
                return false;
            }
            if (reply.code() == 234) {
                SslHandler h = contexts().control(s.server().channel().alloc(), s.server().destinationHost(),
                        s.server().remote().getPort());
                negotiating = true;
                ControlPipelines.startTls(s.server().channel(), h, false);
                awaitHandshake(h, then);
            } else if (required) {
                s.refuse(Reason.SERVER_TLS_REFUSED, "AUTH TLS -> " + reply.code() + " " + reply.text(),
                        FtpReply.of(421, "The server refused TLS, which this gateway requires; closing."));
                s.closeAfterFlush("server-tls-refused");
            } else {
                then.run();
            }
            s.endLocal();
            return true;
        });
    }

    private void awaitHandshake(SslHandler h, Runnable then) {
        s.beginLocal();
        h.handshakeFuture().addListener(f -> {
            negotiating = false;
            if (s.isClosed()) {
                return;
            }
            if (f.isSuccess()) {
                secure = true;
                s.publishTls(Side.SERVER, h);
                then.run();
                s.endLocal();
            } else {
                tlsFailed(f.cause().getMessage());
            }
        });
    }

    /** TLS with the server failed (the handshake, or a fatal alert after it): recorded, the client gets 421. */
    void tlsFailed(String cause) {
        s.refuse(Reason.TLS_HANDSHAKE_FAILED, "server: " + cause,
                FtpReply.of(421, "TLS with the server failed; closing."));
        s.closeAfterFlush("tls-handshake-failed");
    }

    /** True when the server's data connections are in clear now and the next transfer keeps them so. */
    boolean staysClear(boolean clientPrivate) {
        return !protectionWanted(clientPrivate) && protectionSettled(clientPrivate);
    }

    private boolean protectionWanted(boolean clientPrivate) {
        return secure && (settings.serverDataProtection() == DataProtection.PRIVATE
                || (settings.serverDataProtection() == DataProtection.MATCH_CLIENT && clientPrivate));
    }

    /**
     * True when the server's PROT level is already the one a transfer needs, so that {@link #ensureProtection}
     * sends nothing. Until then no PASV/EPSV may go to the server ahead of the transfer (the early server leg):
     * a server that requires PROT P before any data command refuses it (pyftpdlib's tls_data_required: "522
     * SSL/TLS required on the data channel").
     */
    boolean protectionSettled(boolean clientPrivate) {
        boolean wanted = protectionWanted(clientPrivate);
        // Servers start at PROT C; PROT P is only ever set after PBSZ, so the level alone decides.
        return !secure || wanted == protP;
    }

    /**
     * Before a transfer: sets the server's PROT level as the settings want (PBSZ 0 once, then PROT P or C), then
     * runs {@code then}; when the server refuses, {@code fail} gets the client's 425 text.
     */
    void ensureProtection(boolean clientPrivate, Runnable then, Consumer<String> fail) {
        boolean wanted = protectionWanted(clientPrivate);
        if (protectionSettled(clientPrivate)) {
            then.run();
            return;
        }
        s.beginLocal();
        if (!pbszSent) {
            s.server().send(Verbs.PBSZ + " 0", reply -> !reply.isPreliminary());
            pbszSent = true;
        }
        s.server().send(Verbs.PROT + (wanted ? " P" : " C"), reply -> {
            if (reply.isPreliminary()) {
                return false;
            }
            if (reply.isPositiveCompletion()) {
                protP = wanted;
                then.run();
            } else {
                s.refuse(Reason.SERVER_TLS_REFUSED, "PROT -> " + reply.code() + " " + reply.text(), null);
                fail.accept("Can't open data connection: the server refused the data protection level.");
            }
            s.endLocal();
            return true;
        });
    }
}
