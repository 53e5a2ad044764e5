package io.ftpgate.control;

import io.ftpgate.data.DataLeg;
import io.ftpgate.data.Pinhole;
import io.ftpgate.data.PinholeSpec;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent.Side;
import io.ftpgate.nat.AddressTranslation;
import java.net.InetAddress;

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

    /** Opens the pinhole, then sends PORT/EPRT; what follows is reported to {@code events}. */
    static ServerActiveLeg open(Session s, Events events) {
        ServerActiveLeg leg = new ServerActiveLeg(s, events);
        leg.start();
        return leg;
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
            String command = AddressTranslation.activeCommand(gatewaySide, pinhole.port());
            s.server().send(command, reply -> {
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
