package io.ftpgate.control;

import io.ftpgate.control.DataBroker.ActivePlan;
import io.ftpgate.control.DataBroker.TranslatedPlan;
import io.ftpgate.data.Pinhole;
import io.ftpgate.data.TranslatedPinhole;
import io.ftpgate.data.TranslatingPath;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.event.SessionEvent.Side;
import io.ftpgate.protocol.FtpReply;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;

/**
 * Which transfers the kernel data path carries, and the client-passive negotiation on it. Only transfers
 * whose two legs run the same direction: a passive client with a passive server (the client's connection to
 * the gateway's pinhole becomes a connection to the server's passive port) and an active client with an active
 * server (the server's connection to the gateway's pinhole becomes one to the client's PORT/EPRT port, see
 * {@link ServerActiveLeg}). Everything else stays on the relay, per transfer: mixed directions, TLS data on
 * either side (ftpgate must decrypt it to check it), IPv4 on one side and IPv6 on the other, FXP exceptions,
 * PROXY headers on data connections, and before login. The addresses are the relay's: only the port comes
 * from the peer's PORT/EPRT/227/229, and the kernel connects only to control peers. Runs on the session's
 * event loop.
 */
final class KernelTransfers {

    private KernelTransfers() {
    }

    /** The kernel path for a PASV/EPSV now, or null when it stays on the relay. */
    static TranslatingPath passivePath(Session s, DataBroker broker) {
        TranslatingPath path = s.ctx().translatingPath();
        // A spare relay leg alive on the server means a PASV of its own there: a second one would replace it.
        if (path == null || !broker.serverPassive(true) || !s.isLoggedIn() || !s.serverConnected()
                || broker.spare().alive()
                || !clearBothSides(s) || s.ctx().config().proxy().data().on()
                || !s.ctx().config().listenerPolicy().fxp().isEmpty()
                || !path.serves(s.clientAddress(), s.server().address())) {
            return null;
        }
        return path;
    }

    /** The kernel path for a transfer to an active client with an active server, or null (the relay's). */
    static TranslatingPath activePath(Session s, ActivePlan plan) {
        TranslatingPath path = s.ctx().translatingPath();
        if (path == null || !clearBothSides(s) || !plan.target().getAddress().equals(s.clientAddress())
                || !path.serves(s.server().address(), s.clientAddress())) {
            return null;
        }
        return path;
    }

    /** No TLS on the data connections of either side: the kernel forwards bytes ftpgate never reads. */
    static boolean clearBothSides(Session s) {
        return !s.clientTls().dataPrivate() && s.serverTls().staysClear(false);
    }

    /**
     * PASV/EPSV on the kernel path: the gateway's own PASV/EPSV to the server first (only the port of its
     * final 227/229 is used), then one pinhole for the client's address, forwarded to the server's control
     * address at that port and leaving from the gateway's server-side address; then the client's reply,
     * generated as always:
     * <pre>
     *   client → gateway   EPSV
     *   gateway → server   PASV          ← 227 Entering Passive Mode (10,0,0,5,195,80)   port 50000 only
     *   kernel pinhole     (client . 61123) → 10.0.0.5:50000 from 10.0.0.1
     *   gateway → client   229 Entering Extended Passive Mode (|||61123|)
     * </pre>
     */
    static void negotiatePassive(Session s, DataBroker broker, TranslatingPath path, String verb, boolean extended) {
        s.beginLocal();
        ServerPassiveLeg server = ServerPassiveLeg.targetOnly(s);
        server.target().addListener(t -> {
            if (s.isClosed()) {
                return;
            }
            if (!t.isSuccess()) {
                // The leg has recorded the refusal (a bad or hostile 227/229, or a refused PASV).
                s.reply(FtpReply.of(425, ServerPassiveLeg.failureText(t.cause())));
                s.endLocal();
                return;
            }
            InetSocketAddress target = (InetSocketAddress) t.getNow();
            arm(s, path, Side.CLIENT, s.clientAddress(), target, s.server().gatewaySide()).addListener(f -> {
                if (s.isClosed()) {
                    if (f.isSuccess()) {
                        ((TranslatedPinhole) f.getNow()).close();
                    }
                    return;
                }
                if (f.isSuccess()) {
                    TranslatedPinhole pinhole = (TranslatedPinhole) f.getNow();
                    broker.usePlan(new TranslatedPlan(verb, pinhole, System.nanoTime()));
                    s.reply(s.ctx().nat().passiveReply(extended, s.advertisedClientSide(), pinhole.port()));
                } else {
                    refuse(s, f.cause(), verb);
                }
                s.endLocal();
            });
        });
    }

    /** Arms a kernel pinhole on {@code side}'s range for {@code peer}; records it as armed. */
    static Future<TranslatedPinhole> arm(Session s, TranslatingPath path, Side side, InetAddress peer,
            InetSocketAddress target, InetAddress source) {
        Future<TranslatedPinhole> armed = path.arm(s.loop(), side == Side.CLIENT ? s.ctx().config().clientDataPorts()
                : s.ctx().config().serverDataPorts(), peer, target, source, s.ctx().timeouts().pinhole(),
                side == Side.CLIENT);
        armed.addListener(f -> {
            if (f.isSuccess()) {
                TranslatedPinhole p = (TranslatedPinhole) f.getNow();
                s.publish(new SessionEvent.PinholeArmed(s.origin(), side, p.port()));
                // Known only when it is released: the kernel took the connection, ftpgate never saw it.
                p.used().addListener(u -> {
                    if (Boolean.TRUE.equals(u.getNow())) {
                        s.publish(new SessionEvent.PinholeConsumed(s.origin(), side, p.port()));
                    }
                });
            }
        });
        return armed;
    }

    /** A pinhole that could not be armed: the refusal and the client's 425. */
    static void refuse(Session s, Throwable cause, String input) {
        s.refuse(reason(cause), input + ": " + cause.getMessage(), FtpReply.of(425, text(cause)));
    }

    /** The reason code for a pinhole that could not be armed. */
    static Reason reason(Throwable cause) {
        return cause instanceof Pinhole.PinholeExhaustedException ? Reason.PINHOLE_EXHAUSTED : Reason.KERNEL_PATH_FAILED;
    }

    /** The client's 425 text for a pinhole that could not be armed. */
    static String text(Throwable cause) {
        return cause instanceof Pinhole.PinholeExhaustedException ? "Can't open data connection: no free data port."
                : "Can't open data connection: the kernel data path failed.";
    }

    /**
     * Starts a transfer on a kernel plan: at once while the pinhole's timeout has not passed; after it, only if
     * the client did connect in time ({@code expired} otherwise, as the relay's expired pinhole). Nothing runs
     * once {@code done}.
     */
    static void whenUnexpired(Session s, TranslatedPlan plan, Runnable start, Runnable expired, BooleanSupplier done) {
        if (System.nanoTime() - plan.armedNanos() < s.ctx().timeouts().pinhole().toNanos()) {
            start.run();
            return;
        }
        plan.pinhole().connected().addListener(f -> {
            if (done.getAsBoolean()) {
                return;
            }
            if (f.isSuccess() && Boolean.TRUE.equals(f.getNow())) {
                start.run();
            } else {
                expired.run();
            }
        });
    }

    /**
     * Before a transfer on a kernel plan: true when PROT P came after its PASV/EPSV, so the client's data
     * connection would reach the server without ftpgate's TLS; the transfer is then refused (the pinhole is
     * the plan's to release).
     */
    static boolean protectionChanged(Session s) {
        return !clearBothSides(s);
    }
}
