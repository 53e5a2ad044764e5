package io.ftpgate.control;

import io.ftpgate.data.DataLeg;
import io.ftpgate.data.Pinhole;
import io.ftpgate.data.PinholeSpec;
import io.ftpgate.data.TranslatedPinhole;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent.Side;
import io.ftpgate.nat.AddressTranslation;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The server side of one data connection when the server is active: a pinhole on the gateway's server-side
 * address that accepts only the server's control address, and the gateway's own PORT/EPRT naming it.
 *
 * <pre>
 *   gateway → server   PORT 10,0,0,1,242,100        (the gateway's inside address and its pinhole, never the
 *                                                    client's: the server only ever connects to the gateway)
 *   server → gateway   200 PORT command successful  → {@link Events#serverReady}
 *   server → pinhole   connect                      → {@link Events#connected}
 * </pre>
 * Runs on the session's event loop.
 */
final class ServerActiveLeg {

    /** What the leg reports to its transfer. */
    interface Events {
        /** The server has agreed to the data connection (200 to PORT/EPRT): the command may go out. */
        void serverReady();

        /** The server's leg is connected. */
        void connected(DataLeg leg);

        /** The server never connected; its own reply decides the outcome. */
        void notConnected(String why);

        /** No leg can be made: the refusal is recorded and the client gets 425 with {@code text}. */
        void failed(Reason reason, String input, String text);
    }

    private final Session s;
    private final Events events;
    private Pinhole pinhole;
    private boolean closed;

    private ServerActiveLeg(Session s, Events events) {
        this.s = s;
        this.events = events;
    }

    /**
     * Opens the pinhole, then sends PORT/EPRT; what follows is reported to {@code events}. With a
     * {@code kernelTarget} (the client's PORT/EPRT address: an active client on the kernel path) the pinhole is
     * the kernel's, kept in {@code legs}: the server's connection to it goes straight to the client.
     */
    static ServerActiveLeg open(Session s, Events events, InetSocketAddress kernelTarget, TransferLegs legs) {
        ServerActiveLeg leg = new ServerActiveLeg(s, events);
        if (kernelTarget == null) {
            leg.start();
        } else {
            leg.startTranslated(kernelTarget, legs);
        }
        return leg;
    }

    /**
     * The kernel's pinhole for the server's address, forwarded to the client's PORT/EPRT address and leaving
     * from the gateway's client-side address; then the same PORT/EPRT naming the gateway:
     * <pre>
     *   client → gateway   PORT 198,51,100,7,195,80   → only the port: 198.51.100.7:50000 (the client's own)
     *   kernel pinhole     (10.0.0.5 . 62417) → 198.51.100.7:50000 from 203.0.113.10
     *   gateway → server   PORT 10,0,0,1,243,209
     * </pre>
     */
    private void startTranslated(InetSocketAddress target, TransferLegs legs) {
        KernelTransfers.arm(s, s.ctx().translatingPath(), Side.SERVER, s.server().address(), target,
                s.gatewayClientSide()).addListener(f -> {
                    if (closed) {
                        if (f.isSuccess()) {
                            ((TranslatedPinhole) f.getNow()).close();
                        }
                        return;
                    }
                    if (!f.isSuccess()) {
                        events.failed(KernelTransfers.reason(f.cause()), "server data ports "
                                + s.ctx().config().serverDataPorts() + ": " + f.cause().getMessage(),
                                KernelTransfers.text(f.cause()));
                        return;
                    }
                    legs.translated = (TranslatedPinhole) f.getNow();
                    sendPort(s.server().gatewaySide(), legs.translated.port());
                });
    }

    /** PORT or EPRT, as the server-side address family requires. */
    static String verb(Session s) {
        return AddressTranslation.activeVerb(s.server().gatewaySide());
    }

    private void start() {
        InetAddress gatewaySide = s.server().gatewaySide();
        PinholeSpec spec = new PinholeSpec(gatewaySide, s.ctx().config().serverDataPorts(), s.server().address(),
                null, s.ctx().timeouts().pinhole(), null, s.ctx().transparent());
        Pinholes.open(s, Side.SERVER, spec).addListener(f -> {
            if (closed) {
                if (f.isSuccess()) {
                    ((Pinhole) f.getNow()).close();
                }
                return;
            }
            if (!f.isSuccess()) {
                events.failed(Reason.PINHOLE_EXHAUSTED, "server data ports " + spec.range(),
                        "Can't open data connection: no free data port.");
                return;
            }
            pinhole = (Pinhole) f.getNow();
            pinhole.accepted().addListener(a -> {
                if (closed) {
                    return;
                }
                if (a.isSuccess()) {
                    events.connected((DataLeg) a.getNow());
                } else {
                    // The server never connected; its own reply (usually 425) is still awaited.
                    events.notConnected("server did not connect");
                }
            });
            sendPort(gatewaySide, pinhole.port());
        });
    }

    private void sendPort(InetAddress gatewaySide, int port) {
        s.server().send(AddressTranslation.activeCommand(gatewaySide, port), reply -> {
            if (reply.isPreliminary()) {
                return false;
            }
            if (!closed) {
                if (reply.isPositiveCompletion()) {
                    events.serverReady();
                } else {
                    events.failed(Reason.DATA_CONNECT_FAILED, verb(s) + " -> " + reply.text(),
                            "Can't open data connection: the server refused active mode.");
                }
            }
            return true;
        });
    }

    /** Stops listening (the accepted leg, if any, is the transfer's to close). Idempotent. */
    void close() {
        closed = true;
        if (pinhole != null) {
            pinhole.close();
        }
    }
}
