package io.ftpgate.control;

import io.ftpgate.data.DataLeg;
import io.ftpgate.event.Reason;
import io.ftpgate.protocol.Verbs;
import io.ftpgate.nat.AddressTranslation;
import io.ftpgate.protocol.FtpLimits;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.FtpSyntaxException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The server side of one data connection when the server is passive: the gateway's own PASV (EPSV for an
 * IPv6 server, or when PASV is refused), only the port taken from the final 227/229, and a connection from
 * the gateway's server-side address to the server's control address at that port.
 *
 * <pre>
 *   gateway → server   PASV
 *   server → gateway   227 Entering Passive Mode (10,0,0,5,195,80)   → only 195,80 is used: port 50000
 *   gateway → server   connect serverControlAddress:50000            (never 10.0.0.5 unless that is the peer)
 * </pre>
 *
 * <p>A leg is opened either by the transfer command, or <em>early</em>: as soon as the client's own
 * PASV/EPSV/PORT/EPRT arrives, so that the server's round trip and the connect run while the client connects
 * and sends its transfer command, instead of after it (see {@link DataBroker}). The security properties are
 * the same either way: the 227/229 is read only as the final reply to this PASV/EPSV, and the only address
 * connected to is the server's control address.
 *
 * <p>Some servers (pyftpdlib) accept a passive connection at once, and if anything arrives on it before their
 * transfer command (data, or EOF) they drop it silently and the command then waits for a new connection that
 * never comes. So nothing is relayed to the server's leg before the server has answered the transfer command
 * ({@link Transfer}); and a leg that never carried a command is not closed while the session lives but kept,
 * as the session's spare, for its next transfer. Every method runs on the session's event loop.
 */
final class ServerPassiveLeg {

    /** No leg could be made; the message is the text of the client's 425 (the refusal is already recorded). */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String text) {
            super(text, null, false, false);
        }
    }

    private final Session s;
    /** False for the kernel path: the server's data address is used by the kernel, not connected to here. */
    private final boolean connect;
    private final Promise<DataLeg> leg;
    private final Promise<InetSocketAddress> target;
    /** Done once the server's final reply to this leg's PASV/EPSV has been read (or the leg was released). */
    private final Promise<Void> answered;
    private String verb;
    private boolean triedEpsv;
    private boolean discarded;

    private ServerPassiveLeg(Session s, boolean connect) {
        this.s = s;
        this.connect = connect;
        this.leg = s.loop().newPromise();
        this.target = s.loop().newPromise();
        this.answered = s.loop().newPromise();
    }

    /** Sends PASV (EPSV to an IPv6 server) and connects to the port of the answer. */
    static ServerPassiveLeg open(Session s) {
        ServerPassiveLeg l = new ServerPassiveLeg(s, true);
        l.negotiate(AddressTranslation.passiveVerb(s.server().address()));
        return l;
    }

    /**
     * Sends PASV (EPSV to an IPv6 server) and only reads the answer: {@link #target} is the server's control
     * address with the answer's port, for the kernel path to forward the client's connection to. The same
     * checks and refusals as {@link #open}; nothing is connected.
     */
    static ServerPassiveLeg targetOnly(Session s) {
        ServerPassiveLeg l = new ServerPassiveLeg(s, false);
        l.negotiate(AddressTranslation.passiveVerb(s.server().address()));
        return l;
    }

    /** The server's data address (its control address, the answer's port), or a {@link Failure}. */
    Future<InetSocketAddress> target() {
        return target;
    }

    /** The client's 425 text for a leg that failed with {@code cause}. */
    static String failureText(Throwable cause) {
        return cause instanceof Failure why ? why.getMessage() : "Can't open data connection to the server.";
    }

    /** The connected leg, or a {@link Failure}. */
    Future<DataLeg> leg() {
        return leg;
    }

    /**
     * Done once the server has given its final answer to this leg's PASV/EPSV (227/229, or a refusal after the
     * EPSV retry), or the leg was discarded: the moment a direct server would have answered the client's own
     * PASV/EPSV. The connect to the server's port may still be under way. Never fails.
     */
    Future<Void> answered() {
        return answered;
    }

    /** PASV or EPSV: the verb whose answer was (or is being) used. */
    String verb() {
        return verb;
    }

    /**
     * True while the leg can still carry a transfer: being made, or connected and not closed by the server.
     * A failed or discarded leg is not alive.
     */
    boolean alive() {
        return !discarded && (!leg.isDone() || (leg.isSuccess() && leg.getNow().isOpen()));
    }

    /** Releases the leg: a pending answer is still consumed, but nothing more is connected. Idempotent. */
    void discard() {
        discarded = true;
        answered.trySuccess(null);
        if (leg.isDone()) {
            if (leg.isSuccess()) {
                leg.getNow().close();
            }
        } else {
            leg.tryFailure(new Failure("Can't open data connection."));
        }
        target.tryFailure(new Failure("Can't open data connection."));
    }

    private void negotiate(String v) {
        verb = v;
        s.server().sendPassive(v, reply -> {
            if (reply.isPreliminary()) {
                return false;
            }
            onReply(reply);
            return true;
        });
    }

    private void onReply(FtpReply reply) {
        if (discarded) {
            return;
        }
        boolean pasv = Verbs.PASV.equals(verb);
        if (reply.code() != 227 && pasv && !triedEpsv && reply.code() >= 500) {
            triedEpsv = true;
            negotiate(Verbs.EPSV);
            return;
        }
        try {
            useReply(reply, pasv);
        } finally {
            // After the connect has started (or the leg has failed): the client's 227/229 waiting for this goes
            // out while the gateway connects to the server, as the client connects to the gateway.
            answered.trySuccess(null);
        }
    }

    private void useReply(FtpReply reply, boolean pasv) {
        if (reply.code() != (pasv ? 227 : 229)) {
            fail(Reason.DATA_CONNECT_FAILED, verb + " -> " + reply.text(),
                    "Can't open data connection: the server refused passive mode.");
            return;
        }
        // Only the final line of the final reply to our own PASV/EPSV is parsed, and only its port is used.
        AddressTranslation.ServerPassive answer;
        try {
            answer = AddressTranslation.serverTarget(verb, reply, s.server().address());
        } catch (FtpSyntaxException e) {
            List<String> lines = reply.lines();
            fail(Reason.PASV_SYNTAX, reply.code() + " " + lines.get(lines.size() - 1),
                    "Can't open data connection: bad reply from server.");
            return;
        }
        if (answer.foreignClaim() != null) {
            // A NATed or hostile server: recorded, and ignored by construction (only the port is used).
            s.refuse(Reason.PASV_FOREIGN_ADDRESS, answer.foreignClaim(), null);
        }
        InetSocketAddress target = answer.target();
        if (target.getPort() < FtpLimits.MIN_DATA_PORT) {
            List<String> lines = reply.lines();
            fail(Reason.PASV_PRIVILEGED_PORT, reply.code() + " " + lines.get(lines.size() - 1),
                    "Can't open data connection: the server named a privileged port.");
            return;
        }
        if (!connect) {
            this.target.trySuccess(target);
            return;
        }
        s.ctx().dataPath().connect(s.loop(), target, s.server().gatewaySide(), s.ctx().timeouts().connect(),
                        s.ctx().transparent())
                .addListener(f -> {
                    if (f.isSuccess()) {
                        DataLeg connected = (DataLeg) f.getNow();
                        if (discarded || !leg.trySuccess(connected)) {
                            connected.close();
                            return;
                        }
                        // A server sends nothing before its transfer command; one that closes the idle leg must
                        // still be noticed (and the leg replaced) before a transfer tries to use it.
                        connected.watch();
                    } else {
                        fail(Reason.DATA_CONNECT_FAILED, "server " + target,
                                "Can't open data connection to the server.");
                    }
                });
    }

    /**
     * Records the refusal now, whether or not a transfer ever uses this leg (a hostile 227 answering an early
     * PASV must leave a trace even if the client never transfers), and fails the leg with the 425 text.
     */
    private void fail(Reason reason, String input, String text) {
        if (discarded || leg.isDone() || target.isDone()) {
            return;
        }
        s.refuse(reason, input, null);
        leg.tryFailure(new Failure(text));
        target.tryFailure(new Failure(text));
    }
}
