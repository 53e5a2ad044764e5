package io.ftpgate.control;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.event.Reason;
import io.ftpgate.control.DataBroker.ActivePlan;
import io.ftpgate.control.DataBroker.ClientPlan;
import io.ftpgate.control.DataBroker.PassivePlan;
import io.ftpgate.data.DataRelay;
import io.ftpgate.data.EarlyDataBuffer;
import io.ftpgate.data.Pinhole;
import io.ftpgate.protocol.DataAddresses;
import io.ftpgate.protocol.FtpCommand;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.SafeText;
import io.ftpgate.protocol.Verbs;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import java.net.Inet4Address;
import java.util.concurrent.TimeUnit;

/**
 * One brokered transfer (RETR, STOR, LIST...): the server-side leg made per the upstream mode, the
 * client-side leg made per the client's plan, the relay between them, and the transfer's final reply.
 *
 * <p>Sequence for a passive client and a passive upstream:
 * <pre>
 *   client → gateway   EPSV                  → 229 (|||50123|): the gateway's own pinhole, and at once:
 *   gateway → server   PASV                  ← 227 (h1,h2,h3,h4,p1,p2): only the port is used
 *   gateway → server   connect serverControlAddress:port   (the early server leg, while the client connects)
 *   client → gateway   RETR f                (plan: the pinhole and the early server leg)
 *   gateway → server   RETR f
 *   server → gateway   150 ...               → relayed; client leg = the pinhole's accepted connection
 *   data               server leg ⇄ relay ⇄ client leg, until EOF
 *   server → gateway   226 ...               → held until the relay has flushed the last byte, then relayed
 * </pre>
 * Without an early leg (disabled, not logged in yet, or closed by the server meanwhile) the PASV and the
 * connect happen after the transfer command instead, as {@link ServerPassiveLeg#open}.
 * Every method runs on the session's event loop.
 */
final class Transfer {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Transfer.class);

    private final Session s;
    private final DataBroker broker;
    private final FtpCommand cmd;
    private final String line;
    private final ClientPlan plan;
    private final boolean serverActive;
    private final long startNanos = System.nanoTime();
    private String serverMode;
    private Channel clientLeg;
    private Channel serverLeg;
    private Pinhole serverPinhole;
    /** The server leg when the server is passive (given back to the broker if no command used it). */
    private ServerPassiveLeg passiveLeg;
    /** The server has answered the transfer command (1xx or 2xx): only now may data flow to its leg. */
    private boolean serverAcked;
    private DataRelay relay;
    private DataRelay.Result result;
    private FtpReply finalReply;
    private String clientFailure;
    private String serverFailure;
    private final String restart;
    private boolean serverReady;
    private boolean commandSent;
    /** The repeated REST is out and its 350 awaited; the transfer command is not sent yet. */
    private boolean restSent;
    private boolean held;
    private boolean aborted;
    private boolean finished;

    Transfer(Session s, DataBroker broker, FtpCommand cmd, String line, ClientPlan plan, boolean serverActive,
            String restart) {
        this.restart = restart;
        this.s = s;
        this.broker = broker;
        this.cmd = cmd;
        this.line = line;
        this.plan = plan;
        this.serverActive = serverActive;
    }

    /**
     * Starts both legs; the session takes no further command until this transfer is answered.
     *
     * <p>The client leg comes first on purpose: a client-side failure must be answered with 425 before the
     * server has heard of the transfer, or a STOR would already have truncated the server's file.
     */
    void begin() {
        s.beginLocal();
        if (plan instanceof PassivePlan p && p.pinhole().isClosed() && !p.pinhole().accepted().isSuccess()) {
            s.refuse(Reason.PINHOLE_EXPIRED, line, null);
            finish(FtpReply.of(425, "Can't open data connection: the data port expired; send PASV or EPSV again."),
                    "failed");
            return;
        }
        startClientLeg();
        if (finished) {
            return;
        }
        if (serverActive) {
            openServerPinhole();
        } else {
            serverPassive(broker.takeServerLeg());
        }
    }

    // ---------------------------------------------------------------- server leg, upstream passive

    /**
     * Uses the leg the broker opened early ({@code early}, alive or null), otherwise opens one now. Either way
     * the transfer command goes out only once the leg is connected.
     */
    private void serverPassive(ServerPassiveLeg early) {
        ServerPassiveLeg used = early != null ? early : ServerPassiveLeg.open(s);
        passiveLeg = used;
        serverMode = used.verb();
        used.leg().addListener(f -> {
            if (finished) {
                return; // closeLegs() discarded the leg or gave it back to the broker: it is not ours to close
            }
            serverMode = used.verb();
            if (!f.isSuccess()) {
                // The leg has already recorded the refusal (ServerPassiveLeg.fail); the client gets its 425.
                String text = f.cause() instanceof ServerPassiveLeg.Failure why ? why.getMessage()
                        : "Can't open data connection to the server.";
                finish(FtpReply.of(425, text), "failed");
                return;
            }
            serverLeg = (Channel) f.getNow();
            serverReady();
            // Both legs may now exist (a passive client usually connects before sending RETR).
            tryStartRelay();
        });
    }

    // ---------------------------------------------------------------- server leg, upstream active

    private void openServerPinhole() {
        Pinhole.open(s.loop(), s.ctx.transport, s.serverLocal.getAddress(), s.ctx.config.serverDataPorts(),
                s.serverAddress, s.ctx.timeouts.pinhole(), broker.pinholeEvents("server")).addListener(f -> {
                    if (finished) {
                        if (f.isSuccess()) {
                            ((Pinhole) f.getNow()).close();
                        }
                        return;
                    }
                    if (!f.isSuccess()) {
                        fail(Reason.PINHOLE_EXHAUSTED, "server data ports " + s.ctx.config.serverDataPorts(),
                                "Can't open data connection: no free data port.");
                        return;
                    }
                    serverPinhole = (Pinhole) f.getNow();
                    serverPinhole.accepted().addListener(a -> {
                        if (finished) {
                            return;
                        }
                        if (a.isSuccess()) {
                            serverLeg = (Channel) a.getNow();
                            ListenerContext.tuneAcceptedLeg(serverLeg);
                            tryStartRelay();
                        } else {
                            // The server never connected; its own reply (usually 425) is still awaited.
                            serverFailure = "server did not connect";
                            maybeComplete();
                        }
                    });
                    // PORT h1,h2,h3,h4,p1,p2 naming the gateway's own server-side address (EPRT for IPv6).
                    boolean v4 = s.serverLocal.getAddress() instanceof Inet4Address;
                    serverMode = v4 ? Verbs.PORT : Verbs.EPRT;
                    String portLine = v4
                            ? Verbs.PORT + " " + DataAddresses.formatPort((Inet4Address) s.serverLocal.getAddress(),
                                    serverPinhole.port())
                            : Verbs.EPRT + " " + DataAddresses.formatEprt(s.serverLocal.getAddress(),
                                    serverPinhole.port());
                    s.sendToServer(portLine, reply -> {
                        if (reply.isPreliminary()) {
                            return false;
                        }
                        if (!finished) {
                            if (reply.isPositiveCompletion()) {
                                serverReady();
                            } else {
                                fail(Reason.DATA_CONNECT_FAILED, serverMode + " -> " + reply.text(),
                                        "Can't open data connection: the server refused active mode.");
                            }
                        }
                        return true;
                    });
                });
    }

    // ---------------------------------------------------------------- the transfer command

    private void serverReady() {
        serverReady = true;
        maybeSendCommand();
    }

    /**
     * Sends the transfer command once the server leg is prepared and, for an active client, the client leg is
     * connected. A passive client may connect only after it has seen the 150, so it is not waited for.
     */
    private void maybeSendCommand() {
        if (finished || commandSent || restSent || !serverReady
                || (plan instanceof ActivePlan && clientLeg == null)) {
            return;
        }
        if (restart == null) {
            sendCommand();
            return;
        }
        // REST must immediately precede the transfer command (RFC 959 §4.1.3), but the gateway's own PASV or
        // PORT came in between, so the client's REST is repeated here:  PASV, REST 3000000, RETR f.
        restSent = true;
        s.sendToServer(Verbs.REST + " " + restart, reply -> {
            if (reply.isPreliminary()) {
                return false;
            }
            if (finished || aborted) {
                // Aborted (or failed on the client's side) before the command went out: the server must not
                // start a transfer nobody wants, nor apply this offset to the next one.  REST 5, ABOR, REST 0.
                if (reply.code() == 350) {
                    s.sendToServer(Verbs.REST + " 0", r -> !r.isPreliminary());
                }
                return true;
            }
            if (reply.code() == 350) {
                sendCommand();
            } else {
                finish(reply, "failed");
            }
            return true;
        });
    }

    /** The transfer command itself; from here on the server knows of the transfer. */
    private void sendCommand() {
        commandSent = true;
        s.sendToServer(line, this::onTransferReply);
    }

    private boolean onTransferReply(FtpReply reply) {
        if (finished) {
            return !reply.isPreliminary();
        }
        if (reply.isPreliminary() || reply.isPositiveCompletion()) {
            // The server has taken the command: its data connection is now in use, so the relay may start.
            serverAcked = true;
            tryStartRelay();
        }
        if (reply.isPreliminary()) {
            s.reply(reply);
            return false;
        }
        acceptFinal(reply);
        return true;
    }

    /** The transfer command's final reply (or a stand-in when the server hung up without one). */
    private void acceptFinal(FtpReply reply) {
        finalReply = reply;
        if (relay == null && !reply.isPositiveCompletion()) {
            // No data moved and the server refused (e.g. 550 No such file): answer at once.
            finish(reply, "failed");
            return;
        }
        // Reserve the reply slot first: aborting the relay below may complete it (and finish) synchronously.
        s.hold();
        held = true;
        if (relay != null && !reply.isPositiveCompletion()) {
            // The server has given up on the transfer; what is still in flight is not worth waiting for.
            relay.abort("server replied " + reply.code());
        }
        maybeComplete();
    }

    /**
     * The server closed its control connection. Data already flowing is still delivered; without a final
     * reply the client is told the transfer is unconfirmed (426), and before the command went out, 425.
     */
    void serverControlClosed() {
        if (finished) {
            return;
        }
        if (!commandSent) {
            finish(FtpReply.of(425, "Can't open data connection: the server closed the control connection."),
                    "failed");
        } else if (finalReply == null) {
            acceptFinal(FtpReply.of(426, "The server closed the control connection; transfer not confirmed."));
        }
    }

    private void startClientLeg() {
        Future<Channel> leg;
        if (plan instanceof ActivePlan a) {
            // The only address ever connected to on the client side: the client's control address.
            leg = s.ctx.connectDataLeg(s.loop(), a.target(), s.clientLocal.getAddress());
        } else {
            leg = ((PassivePlan) plan).pinhole().accepted();
        }
        leg.addListener(f -> {
            if (finished) {
                closeIfConnected(f);
                return;
            }
            if (f.isSuccess()) {
                clientLeg = (Channel) f.getNow();
                if (plan instanceof PassivePlan) {
                    ListenerContext.tuneAcceptedLeg(clientLeg);
                }
                maybeSendCommand();
                tryStartRelay();
            } else {
                if (plan instanceof ActivePlan a) {
                    s.refuse(Reason.DATA_CONNECT_FAILED, "client " + a.target(), null);
                }
                clientFailed(plan instanceof ActivePlan ? "connect to client failed" : "client did not connect");
            }
        });
    }

    /**
     * Starts the relay once both legs exist and, for a passive server, the server has answered the transfer
     * command: a server that accepted its data connection early may drop it if data or EOF arrives before the
     * command (pyftpdlib does, and then waits for a connection that never comes). An active server connects
     * only after taking the command, so its leg is ready as soon as it exists.
     */
    private void tryStartRelay() {
        if (relay != null || clientLeg == null || serverLeg == null || finished || aborted
                || (!serverActive && !serverAcked)) {
            return;
        }
        relay = new DataRelay(clientLeg, serverLeg);
        LOG.debug("#{} relay {} client {} <-> server {}", s.id, cmd.verb(), clientLeg, serverLeg);
        relay.start(s.ctx.timeouts.dataIdle()).addListener(f -> {
            result = (DataRelay.Result) f.getNow();
            maybeComplete();
        });
    }

    private void clientFailed(String reason) {
        if (clientFailure != null || finished) {
            return;
        }
        clientFailure = reason;
        // Closing the server leg makes the server end the transfer with its own 4xx reply.
        closeLegs();
        if (!commandSent) {
            // The server never saw the transfer command, so nothing there was touched.
            finish(FtpReply.of(425, "Can't open data connection: " + reason + "."), "failed");
            return;
        }
        maybeComplete();
    }

    /** Sends the final reply once the data has been fully relayed (or the transfer has failed). */
    private void maybeComplete() {
        if (finished || finalReply == null) {
            return;
        }
        if (result == null && (relay != null || (clientFailure == null && serverFailure == null && !aborted))) {
            return;
        }
        boolean positive = finalReply.isPositiveCompletion();
        if (aborted) {
            finish(positive ? FtpReply.of(426, "Connection closed; transfer aborted.") : finalReply, "aborted");
        } else if (clientFailure != null) {
            finish(FtpReply.of(425, "Can't open data connection: " + clientFailure + "."), "failed");
        } else if (serverFailure != null && result == null) {
            finish(positive ? FtpReply.of(425, "Can't open data connection: " + serverFailure + ".") : finalReply,
                    "failed");
        } else if (positive && !result.clean()) {
            finish(FtpReply.of(426, "Data connection broken; transfer incomplete."), "failed");
        } else {
            finish(finalReply, positive ? "ok" : "failed");
        }
    }

    private void finish(FtpReply reply, String outcome) {
        if (finished) {
            return;
        }
        finished = true;
        closeLegs();
        long moved = auditTransfer(outcome, reply.code());
        if (held) {
            s.release(reply);
        } else {
            s.reply(reply);
        }
        broker.finished(this, moved);
        s.endLocal();
    }

    /** Writes the transfer's audit record; returns the bytes moved. */
    private long auditTransfer(String outcome, int replyCode) {
        long moved = result != null ? result.totalBytes() : relay != null ? relay.bytesSoFar() : 0;
        s.audit(AuditEvent.of("transfer", s.id, s.clientText())
                .with("user", s.user())
                .with("destination", s.destination)
                .with("command", cmd.verb())
                .with("path", SafeText.escape(cmd.argument(), 1024))
                .with("client-mode", plan.verb())
                .with("server-mode", serverMode)
                .with("bytes", moved)
                .with("duration-ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos))
                .with("outcome", outcome)
                .with("reply", replyCode == 0 ? null : replyCode)
                .with("detail", result != null && !result.clean() ? result.failure()
                        : clientFailure != null ? clientFailure : serverFailure));
        return moved;
    }

    /** Refuses the transfer before any data moved. */
    private void fail(Reason reason, String input, String text) {
        s.refuse(reason, input, null);
        finish(FtpReply.of(425, text), "failed");
    }

    // ---------------------------------------------------------------- ABOR and teardown

    /** ABOR from the client. */
    void abort() {
        if (aborted || finished) {
            return;
        }
        aborted = true;
        if (relay != null) {
            relay.abort("client-abort");
        }
        closeLegs();
        if (!commandSent) {
            // The server never saw the transfer command: both replies come from the gateway (RFC 959 §4.1.3).
            // The local-work mark keeps any queued command from answering between the two.
            s.beginLocal();
            finish(FtpReply.of(426, "Connection closed; transfer aborted."), "aborted");
            s.reply(FtpReply.of(226, "ABOR command successful."));
            s.endLocal();
            return;
        }
        s.relay(Verbs.ABOR, Verbs.ABOR);
        maybeComplete();
    }

    /** True once ABOR was received for this transfer (a second ABOR is an ordinary command). */
    boolean isAborted() {
        return aborted;
    }

    /** Session end: release everything without replying, but keep the audit trail complete. */
    void close() {
        if (finished) {
            return;
        }
        finished = true;
        if (relay != null) {
            relay.abort("session-closed");
        }
        closeLegs();
        broker.finished(this, auditTransfer("aborted", 0));
    }

    private void closeLegs() {
        plan.discard();
        if (serverPinhole != null) {
            serverPinhole.close();
        }
        if (passiveLeg != null) {
            if (commandSent) {
                passiveLeg.discard();
            } else {
                // The server never heard of this transfer: its leg is as good as new (see ServerPassiveLeg).
                broker.returnServerLeg(passiveLeg);
                serverLeg = null;
            }
            passiveLeg = null;
        }
        for (Channel leg : new Channel[] {clientLeg, serverLeg}) {
            if (leg != null) {
                leg.close();
                EarlyDataBuffer.discard(leg);
            }
        }
    }

    private static void closeIfConnected(Future<?> f) {
        if (f.isSuccess() && f.getNow() instanceof Channel ch) {
            ch.close();
            EarlyDataBuffer.discard(ch);
        }
    }
}
