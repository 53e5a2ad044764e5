package io.ftpgate.control;

import io.ftpgate.control.DataBroker.ActivePlan;
import io.ftpgate.control.DataBroker.ClientPlan;
import io.ftpgate.control.DataBroker.PassivePlan;
import io.ftpgate.control.DataBroker.TranslatedPlan;
import io.ftpgate.data.DataFlow;
import io.ftpgate.data.DataLeg;
import io.ftpgate.data.FlowResult;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.nat.AddressTranslation;
import io.ftpgate.protocol.FtpCommand;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.SafeText;
import io.ftpgate.protocol.Verbs;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One brokered transfer (RETR, STOR, LIST...): the server-side leg made per the upstream mode, the
 * client-side leg made per the client's plan, the data flow between them, and the transfer's final reply.
 *
 * <p>The whole sequence for a passive client and a passive upstream (EPSV, the gateway's own PASV and the
 * early server leg, RETR, 150, the flow, the held 226) is drawn in docs/architecture.md.
 * Without an early leg the PASV and the connect follow the transfer command ({@link ServerPassiveLeg#open});
 * an active server's leg is a {@link ServerActiveLeg}. Progress is a {@link TransferState}; ABOR may come in any.
 * Every method runs on the session's event loop.
 */
final class Transfer implements ServerActiveLeg.Events {

    private static final Logger LOG = LoggerFactory.getLogger(Transfer.class);

    private final Session s;
    private final DataBroker broker;
    private final FtpCommand cmd;
    private final String line;
    private final ClientPlan plan;
    private final boolean serverActive;
    private final String restart;
    private final long startNanos = System.nanoTime();
    private TransferState state = TransferState.PREPARING;
    /** The server's leg is prepared (passive: connected; active: PORT/EPRT accepted). */
    private boolean serverReady;
    /** ABOR was received (a second ABOR is an ordinary command). */
    private boolean aborted;
    private String serverMode;
    private final TransferLegs legs;
    private DataFlow flow;
    /** Both legs exist and are being secured (or were): the flow starts once they are. */
    private boolean securing;
    private FlowResult result;
    private FtpReply finalReply;
    private String clientFailure;
    private String serverFailure;

    Transfer(Session s, DataBroker broker, FtpCommand cmd, String line, ClientPlan plan, boolean serverActive,
            String restart) {
        this.s = s;
        this.broker = broker;
        this.cmd = cmd;
        this.line = line;
        this.plan = plan;
        this.serverActive = serverActive;
        this.restart = restart;
        this.legs = new TransferLegs(plan, broker);
    }

    /**
     * Starts both legs; the session takes no further command until this transfer is answered.
     *
     * <p>The client leg comes first on purpose: a client-side failure must be answered with 425 before the
     * server has heard of the transfer, or a STOR would already have truncated the server's file.
     */
    void begin() {
        s.beginLocal();
        s.publish(new SessionEvent.TransferStarted(s.origin(), cmd.verb(), plan.verb()));
        if (plan instanceof TranslatedPlan && KernelTransfers.protectionChanged(s)) {
            s.refuse(Reason.DATA_PROTECTION_CHANGED, line, null);
            finish(FtpReply.of(425, "Can't open data connection: PROT changed after " + plan.verb() + "; send "
                    + plan.verb() + " again."), "failed");
            return;
        }
        // FTPS toward the server: its PROT level first (PBSZ 0, PROT P or C, only when it must change).
        s.serverTls().ensureProtection(s.clientTls().dataPrivate(), this::start,
                text -> finish(FtpReply.of(425, text), "failed"));
    }

    private void start() {
        if (state == TransferState.DONE) {
            return;
        }
        if (plan instanceof PassivePlan p && p.pinhole().isClosed() && !p.pinhole().accepted().isSuccess()) {
            expired();
            return;
        }
        if (plan instanceof TranslatedPlan tp) {
            KernelTransfers.whenUnexpired(s, tp, () -> {
                legs.translated = tp.pinhole();
                serverMode = AddressTranslation.passiveVerb(s.server().address());
                serverReady();
            }, () -> expired(), () -> state == TransferState.DONE);
            return;
        }
        ActivePlan kernelActive = serverActive && plan instanceof ActivePlan a && KernelTransfers.activePath(s, a) != null
                ? a : null;
        if (kernelActive == null) {
            startClientLeg();
        }
        if (state == TransferState.DONE) {
            return;
        }
        if (serverActive) {
            serverMode = ServerActiveLeg.verb(s);
            legs.active = ServerActiveLeg.open(s, this, kernelActive == null ? null : kernelActive.target(), legs);
        } else {
            serverPassive(broker.spare().take());
        }
    }

    private void expired() {
        s.refuse(Reason.PINHOLE_EXPIRED, line, null);
        finish(FtpReply.of(425, "Can't open data connection: the data port expired; send PASV or EPSV again."),
                "failed");
    }

    @Override
    public void connected(DataLeg leg) {
        legs.server = leg;
        tryStartFlow();
    }

    @Override
    public void notConnected(String why) {
        serverFailure = why;
        maybeComplete();
    }

    @Override
    public void failed(Reason reason, String input, String text) {
        s.refuse(reason, input, null);
        finish(FtpReply.of(425, text), "failed");
    }

    /** A passive server: the early leg if the broker still has one alive, else a new one (see TransferLegs). */
    private void serverPassive(ServerPassiveLeg early) {
        ServerPassiveLeg used = legs.usePassive(s, early);
        serverMode = used.verb();
        used.leg().addListener(f -> {
            if (state == TransferState.DONE) {
                return; // legs.close() discarded the leg or gave it back to the broker: it is not ours to close
            }
            serverMode = used.verb();
            if (!f.isSuccess()) {
                // The leg has already recorded the refusal (ServerPassiveLeg.fail); the client gets its 425.
                finish(FtpReply.of(425, ServerPassiveLeg.failureText(f.cause())), "failed");
                return;
            }
            legs.server = (DataLeg) f.getNow();
            serverReady();
            tryStartFlow(); // both legs may now exist (a passive client usually connects before sending RETR)
        });
    }

    @Override
    public void serverReady() {
        serverReady = true;
        maybeSendCommand();
    }

    /**
     * Sends the transfer command once the server leg is prepared and, for an active client, the client leg is
     * connected. A passive client may connect only after it has seen the 150, so it is not waited for.
     */
    private void maybeSendCommand() {
        if (state != TransferState.PREPARING || !serverReady
                || (plan instanceof ActivePlan && legs.client == null && legs.translated == null)) {
            return;
        }
        if (restart == null) {
            sendCommand();
            return;
        }
        state = TransferState.RESTARTING;
        RestartOffset.repeat(s, restart, () -> state == TransferState.DONE || aborted, this::sendCommand,
                reply -> finish(reply, "failed"));
    }

    /** The transfer command itself; from here on the server knows of the transfer. */
    private void sendCommand() {
        state = TransferState.COMMANDED;
        s.server().send(line, this::onTransferReply);
    }

    private boolean onTransferReply(FtpReply reply) {
        if (state == TransferState.DONE) {
            return !reply.isPreliminary();
        }
        if ((reply.isPreliminary() || reply.isPositiveCompletion()) && state == TransferState.COMMANDED) {
            // The server has taken the command: its data connection is now in use, so the flow may start.
            state = TransferState.ACCEPTED;
            tryStartFlow();
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
        if (flow == null && !reply.isPositiveCompletion()) {
            // No data moved and the server refused (e.g. 550 No such file): answer at once.
            finish(reply, "failed");
            return;
        }
        // Reserve the reply slot first: aborting the flow below may complete it (and finish) synchronously.
        s.hold();
        state = TransferState.ANSWERED;
        if (flow != null && !reply.isPositiveCompletion()) {
            // The server has given up on the transfer; what is still in flight is not worth waiting for.
            flow.abort("server replied " + reply.code());
        } else if (flow != null) {
            flow.serverAnswered();
        }
        maybeComplete();
    }

    /** The server hung up: data in flight is still delivered; then 426 (unconfirmed), or 425 before the command. */
    void serverControlClosed() {
        if (state == TransferState.DONE) {
            return;
        }
        if (!state.serverKnows()) {
            finish(FtpReply.of(425, "Can't open data connection: the server closed the control connection."),
                    "failed");
        } else if (finalReply == null) {
            acceptFinal(FtpReply.of(426, "The server closed the control connection; transfer not confirmed."));
        }
    }

    private void startClientLeg() {
        legs.startClient(s, () -> state == TransferState.DONE, () -> {
            maybeSendCommand();
            tryStartFlow();
        }, this::clientFailed);
    }

    /**
     * Starts the flow once both legs exist and, for a passive server, the server has answered the transfer
     * command: a server that accepted its data connection early may drop it if data or EOF arrives before the
     * command (pyftpdlib does, and then waits for a connection that never comes). An active server in clear
     * hears nothing before its 150, so its leg is ready as soon as it exists; under TLS ftpgate speaks first
     * (its ClientHello), and pyftpdlib connects on PORT, before the command: TLS waits for the server's answer.
     */
    private void tryStartFlow() {
        boolean serverAcked = state == TransferState.ACCEPTED || state == TransferState.ANSWERED;
        if (legs.translated != null) {
            if (serverAcked && flow == null && state != TransferState.DONE && !aborted) {
                commit(legs.translated.flow());
            }
            return;
        }
        if (securing || legs.client == null || legs.server == null || state == TransferState.DONE || aborted
                || ((!serverActive || s.serverTls().dataPrivate()) && !serverAcked)) {
            return;
        }
        securing = true;
        legs.secure(s).addListener(f -> {
            if (state == TransferState.DONE || aborted) {
                return;
            }
            if (!f.isSuccess()) {
                TransferLegs.DataTlsException e = (TransferLegs.DataTlsException) f.cause();
                s.refuse(e.reason, e.getMessage(), null);
                clientFailed("TLS on the data connection failed");
                return;
            }
            commit(s.ctx().dataPath().prepare(legs.client, legs.server));
        });
    }

    private void commit(DataFlow f) {
        flow = f;
        s.publish(new SessionEvent.TransferFlowing(s.origin(), cmd.verb(), System.nanoTime() - startNanos));
        LOG.debug("#{} flow {} client {} <-> server {} ({})", s.id(), cmd.verb(), legs.client, legs.server,
                legs.pathName(s));
        flow.commit(s.ctx().timeouts().dataIdle()).addListener(r -> {
            result = (FlowResult) r.getNow();
            maybeComplete();
        });
    }

    private void clientFailed(String reason) {
        if (clientFailure != null || state == TransferState.DONE) {
            return;
        }
        clientFailure = reason;
        // Closing the server leg makes the server end the transfer with its own 4xx reply.
        legs.close(state.serverKnows());
        if (!state.serverKnows()) {
            // The server never saw the transfer command, so nothing there was touched.
            finish(FtpReply.of(425, "Can't open data connection: " + reason + "."), "failed");
            return;
        }
        maybeComplete();
    }

    /** Sends the final reply once the data has been fully moved (or the transfer has failed). */
    private void maybeComplete() {
        if (state == TransferState.DONE || finalReply == null) {
            return;
        }
        if (result == null && (flow != null || (clientFailure == null && serverFailure == null && !aborted))) {
            return;
        }
        TransferOutcome o = TransferOutcome.of(finalReply, aborted, clientFailure, serverFailure, result);
        finish(o.reply(), o.outcome());
    }

    private void finish(FtpReply reply, String outcome) {
        TransferState was = state;
        if (was == TransferState.DONE) {
            return;
        }
        state = TransferState.DONE;
        legs.close(was.serverKnows());
        if (restart != null && was == TransferState.PREPARING) {
            RestartOffset.clear(s);
        }
        long moved = publishFinished(outcome, reply.code());
        if (was == TransferState.ANSWERED) {
            s.release(reply);
        } else {
            s.reply(reply);
        }
        broker.finished(this, moved);
        s.endLocal();
    }

    /** Publishes the transfer's end (its audit record); returns the bytes moved. */
    private long publishFinished(String outcome, int replyCode) {
        long up = result != null ? result.clientToServerBytes() : 0;
        long down = result != null ? result.serverToClientBytes() : flow != null ? flow.bytesSoFar() : 0;
        s.publish(new SessionEvent.TransferFinished(s.origin(), s.user(), s.server().destination(), cmd.verb(),
                SafeText.escape(s.directory().resolve(cmd), 1024), plan.verb(), serverMode, up, down,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), outcome,
                replyCode == 0 ? null : replyCode,
                result != null && !result.clean() ? result.failure()
                        : clientFailure != null ? clientFailure : serverFailure,
                legs.pathName(s)));
        return up + down;
    }

    /** ABOR from the client. */
    void abort() {
        if (aborted || state == TransferState.DONE) {
            return;
        }
        aborted = true;
        if (flow != null) {
            flow.abort("client-abort");
        }
        legs.close(state.serverKnows());
        if (!state.serverKnows()) {
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

    boolean isAborted() { // a second ABOR is an ordinary command
        return aborted;
    }

    /** Session end: release everything without replying, but keep the audit trail complete. */
    void close() {
        TransferState was = state;
        if (was == TransferState.DONE) {
            return;
        }
        state = TransferState.DONE;
        if (flow != null) {
            flow.abort("session-closed");
        }
        legs.close(was.serverKnows());
        broker.finished(this, publishFinished("aborted", 0));
    }
}
