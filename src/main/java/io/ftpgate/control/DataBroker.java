package io.ftpgate.control;

import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.event.SessionEvent.Side;
import io.ftpgate.nat.AddressTranslation;
import io.ftpgate.data.Pinhole;
import io.ftpgate.data.PinholeSpec;
import io.ftpgate.data.TranslatedPinhole;
import io.ftpgate.data.TranslatingPath;
import io.ftpgate.net.Cidr;
import io.ftpgate.net.SocketAddresses;
import io.ftpgate.protocol.DataAddresses;
import io.ftpgate.protocol.FtpCommand;
import io.ftpgate.protocol.FtpLimits;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.FtpSyntaxException;
import io.ftpgate.protocol.HostPort;
import io.ftpgate.protocol.Verbs;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The client side of data-connection negotiation for one session: PORT/EPRT/PASV/EPSV are answered by the
 * gateway itself and never reach the server; the resulting {@link ClientPlan} is consumed by the next
 * transfer command, which hands it to a {@link Transfer}.
 *
 * <p>Bounce-proof by construction: from PORT/EPRT only the port is kept, and the client leg is always
 * connected to the client's control address. An argument naming any other address is refused rather than
 * silently redirected, so the attempt is visible to the administrator.
 */
final class DataBroker {

    /** What the client asked for its side of the next transfer. */
    sealed interface ClientPlan permits ActivePlan, PassivePlan, TranslatedPlan {
        String verb();

        void discard();
    }

    /** PORT/EPRT: the gateway connects to the client's control address at {@code port}. */
    record ActivePlan(String verb, InetSocketAddress target) implements ClientPlan {
        @Override
        public void discard() {
        }
    }

    /** PASV/EPSV: the client connects to {@code pinhole}. */
    record PassivePlan(String verb, Pinhole pinhole) implements ClientPlan {
        @Override
        public void discard() {
            pinhole.close();
        }
    }

    /**
     * PASV/EPSV on the kernel path ({@link KernelTransfers}): the kernel forwards the client's connection to
     * {@code pinhole} straight to the server's passive port; {@code armedNanos} dates it for the expiry check.
     */
    record TranslatedPlan(String verb, TranslatedPinhole pinhole, long armedNanos) implements ClientPlan {
        @Override
        public void discard() {
            pinhole.close();
        }
    }

    private final Session s;
    // Owned by the session's event loop.
    private ClientPlan plan;

    /** The server leg opened early for the next transfer (see {@link #prepareServerLeg}). */
    private final SpareServerLeg spare;
    private Transfer transfer;
    private boolean epsvAll;
    private String restart;
    private int transfers;
    private long bytes;

    DataBroker(Session session) {
        this.s = session;
        this.spare = new SpareServerLeg(session);
    }

    /** PORT, EPRT, PASV or EPSV from the client. */
    void negotiate(FtpCommand cmd) {
        switch (cmd.verb()) {
            case Verbs.PORT, Verbs.EPRT -> active(cmd);
            case Verbs.PASV -> passive(cmd, false);
            default -> epsv(cmd);
        }
    }

    private void active(FtpCommand cmd) {
        String line = cmd.toLine();
        boolean eprt = Verbs.EPRT.equals(cmd.verb());
        if (epsvAll) {
            s.refuse(Reason.EPSV_ALL, line, FtpReply.of(501, cmd.verb() + " not allowed after EPSV ALL."));
            return;
        }
        HostPort hp;
        try {
            hp = eprt ? DataAddresses.parseEprt(cmd.argument()) : DataAddresses.parsePort(cmd.argument());
        } catch (FtpSyntaxException e) {
            if ("port-family".equals(e.code())) {
                refuseFamily(line);
            } else {
                s.refuse(Reason.PORT_SYNTAX, line, FtpReply.of(501, "Syntax error in " + cmd.verb() + " argument."));
            }
            return;
        }
        InetAddress claimed = Cidr.canonical(hp.address());
        if (claimed.getClass() != s.clientAddress().getClass()) {
            refuseFamily(line);
            return;
        }
        boolean fxp = !claimed.equals(s.clientAddress()) && fxpAllowed(claimed);
        if (!claimed.equals(s.clientAddress()) && !fxp) {
            // The FTP bounce attack: a data address other than the client's own. Never connected to.
            s.refuse(Reason.PORT_FOREIGN_ADDRESS, line,
                    FtpReply.of(501, "Illegal " + cmd.verb() + " command: the data address must be your own."));
            return;
        }
        if (hp.port() < FtpLimits.MIN_DATA_PORT) {
            s.refuse(Reason.PORT_PRIVILEGED, line,
                    FtpReply.of(501, "Illegal " + cmd.verb() + " command: privileged port."));
            return;
        }
        if (fxp) {
            // A configured FXP exception: the client leg goes to that peer, and the record says so.
            s.publish(new SessionEvent.FxpAllowed(s.origin(), cmd.verb(), SocketAddresses.hostPort(claimed, hp.port())));
        }
        replacePlan(null);
        prepareServerLeg(false);
        // Only the port is taken from the client's PORT/EPRT: PORT 198,51,100,7,195,80 -> connect clientAddress:50000.
        plan = new ActivePlan(cmd.verb(), AddressTranslation.clientTarget(fxp ? claimed : s.clientAddress(), hp.port()));
        s.reply(FtpReply.of(200, cmd.verb() + " command successful."));
    }

    private void refuseFamily(String line) {
        s.refuse(Reason.PORT_FAMILY, line, FtpReply.of(522, "Network protocol not supported, use ("
                + familyNumber(s.clientAddress()) + ")."));
    }

    private static int familyNumber(InetAddress a) {
        return a instanceof Inet6Address ? 2 : 1;
    }

    private void epsv(FtpCommand cmd) {
        DataAddresses.EpsvArgument arg;
        try {
            arg = DataAddresses.parseEpsvArgument(cmd.argument());
        } catch (FtpSyntaxException e) {
            if ("port-family".equals(e.code())) {
                refuseFamily(cmd.toLine());
            } else {
                s.refuse(Reason.PORT_SYNTAX, cmd.toLine(), FtpReply.of(501, "Syntax error in EPSV argument."));
            }
            return;
        }
        switch (arg) {
            case ALL -> {
                // RFC 2428 §4: after EPSV ALL only EPSV may set up data connections.
                epsvAll = true;
                s.reply(FtpReply.of(200, "EPSV ALL command successful."));
            }
            case IPV4, IPV6 -> {
                if ((arg == DataAddresses.EpsvArgument.IPV6) != (s.clientAddress() instanceof Inet6Address)) {
                    refuseFamily(cmd.toLine());
                } else {
                    passive(cmd, true);
                }
            }
            default -> passive(cmd, true);
        }
    }

    private void passive(FtpCommand cmd, boolean extended) {
        if (!extended && epsvAll) {
            s.refuse(Reason.EPSV_ALL, cmd.toLine(), FtpReply.of(501, "PASV not allowed after EPSV ALL."));
            return;
        }
        if (!extended && s.ctx().nat().pasvAddress(s.advertisedClientSide()) == null) {
            s.refuse(Reason.PORT_FAMILY, cmd.toLine(),
                    FtpReply.of(425, "PASV cannot carry an IPv6 address; use EPSV."));
            return;
        }
        replacePlan(null);
        TranslatingPath kernel = KernelTransfers.passivePath(s, this);
        if (kernel != null) {
            KernelTransfers.negotiatePassive(s, this, kernel, cmd.verb(), extended);
            return;
        }
        s.beginLocal();
        // The server's PASV goes out first: its round trip is the long pole, and it overlaps with binding the
        // client's pinhole, the 229, and the client's connect.
        prepareServerLeg(true);
        ServerPassiveLeg serverLeg = spare.peek();
        PinholeSpec spec = Pinholes.clientSpec(s, this::fxpAllowed);
        Pinholes.open(s, Side.CLIENT, spec).addListener(f -> {
                    if (s.isClosed() || !f.isSuccess()) {
                        if (f.isSuccess()) {
                            ((Pinhole) f.getNow()).close();
                        }
                        if (s.isClosed()) {
                            return;
                        }
                        s.refuse(Reason.PINHOLE_EXHAUSTED, cmd.toLine(),
                                FtpReply.of(425, "Can't open data connection: no free data port."));
                    } else {
                        Pinhole pinhole = (Pinhole) f.getNow();
                        plan = new PassivePlan(cmd.verb(), pinhole);
                        // The reply is generated, never edited from anything the server said:
                        //   227 Entering Passive Mode (203,0,113,10,195,80).   or
                        //   229 Entering Extended Passive Mode (|||50000|)
                        replyAfterServer(serverLeg,
                                s.ctx().nat().passiveReply(extended, s.advertisedClientSide(), pinhole.port()));
                        return;
                    }
                    s.endLocal();
                });
    }

    /**
     * Sends the client's 227/229 once the server has answered the gateway's own PASV/EPSV for the early server
     * leg ({@code serverLeg}; at once when there is none, or when it was answered already), then lets the
     * session take its next command (which waited for that answer anyway).
     *
     * <p>Never sooner than the server's answer: a gateway that answers faster than any server could (tens of
     * microseconds) exposes clients to races direct servers rarely trigger. curl 7.88 (Debian 12) fetching
     * several files over one connection stalls 1 s whenever the 229 is already readable when it polls right
     * after sending EPSV (a third to a half of its transfers; docs/benchmarks.md, "curl's figure"). Waiting for
     * the server's answer, not for a clock, puts the reply where a direct server's would be on any network,
     * while the gateway's connect to the server still overlaps with the client's connect and transfer command.
     */
    private void replyAfterServer(ServerPassiveLeg serverLeg, FtpReply reply) {
        if (serverLeg == null) {
            s.reply(reply);
            s.endLocal();
            return;
        }
        serverLeg.answered().addListener(a -> {
            if (!s.isClosed()) {
                s.reply(reply);
                s.endLocal();
            }
        });
    }

    /**
     * Opens the server leg of the next transfer now, as the client's PASV/EPSV/PORT/EPRT is being answered,
     * when the server will be passive for it: the server's PASV round trip and the connect then overlap with
     * the client's own connect and transfer command instead of following it (two round trips less per
     * transfer; see docs/benchmarks.md). A spare leg that is still alive is kept, whatever the client's new
     * plan: the server does not care how the client connects. Not before login (the server would answer 530),
     * not before the server's PROT level is set (FTPS: the transfer sets it first), and not when the listener
     * turned it off ({@code early-server-leg: false}). The session takes its next command only once the server
     * has answered this PASV, so commands never overtake each other on the server's connection.
     */
    private void prepareServerLeg(boolean clientPassive) {
        if (!serverPassive(clientPassive) || !s.ctx().config().earlyServerLeg() || !s.isLoggedIn() || !s.serverConnected()
                || spare.alive() || !s.serverTls().protectionSettled(s.clientTls().dataPrivate())) {
            return;
        }
        spare.discard(); // failed, or closed by the server: nothing left to close
        spare.keep(ServerPassiveLeg.open(s));
    }

    /** Whether the server side of a transfer is passive, given the client's choice (the upstream mode). */
    boolean serverPassive(boolean clientPassive) {
        return switch (s.ctx().config().upstreamMode()) {
            case ACTIVE -> false;
            case PASSIVE -> true;
            case CLIENT -> clientPassive;
        };
    }

    /** The spare server leg, for transfers to take and give back. */
    SpareServerLeg spare() {
        return spare;
    }

    /** True when a configured FXP exception lets this client use {@code peer} as its data peer. */
    boolean fxpAllowed(InetAddress peer) {
        return io.ftpgate.policy.FxpRule.allows(s.ctx().config().listenerPolicy().fxp(), s.clientAddress(), peer);
    }

    /** The plan a kernel-path negotiation made (the previous one was discarded before it began). */
    void usePlan(ClientPlan next) {
        replacePlan(next);
    }

    private void replacePlan(ClientPlan next) {
        if (plan != null) {
            plan.discard();
        }
        plan = next;
    }

    /** A transfer command (RETR, STOR, LIST...). */
    void transfer(FtpCommand cmd, String line) {
        if (plan == null) {
            s.refuse(Reason.NO_DATA_CONNECTION, line, FtpReply.of(425, "Use PORT, EPRT, PASV or EPSV first."));
            return;
        }
        ClientPlan p = plan;
        plan = null;
        boolean serverActive = !serverPassive(!(p instanceof ActivePlan));
        String offset = restart;
        restart = null;
        transfer = new Transfer(s, this, cmd, line, p, serverActive, offset);
        transfer.begin();
    }

    /** Called by a transfer once its final reply has been sent. */
    void finished(Transfer t, long movedBytes) {
        if (transfer == t) {
            transfer = null;
        }
        transfers++;
        bytes += movedBytes;
    }

    boolean transferActive() {
        return transfer != null;
    }

    /** ABOR from the client while a transfer is under way. */
    void abortTransfer() {
        transfer.abort();
    }

    /** True when the running transfer has already been aborted. */
    boolean abortRequested() {
        return transfer != null && transfer.isAborted();
    }

    /** The server's control connection is gone; the running transfer, if any, finishes without it. */
    void serverControlClosed() {
        if (transfer != null) {
            transfer.serverControlClosed();
        }
    }

    /** REST accepted (350): repeated right before the next transfer command; {@code null} forgets it. */
    void restartAt(String offset) {
        restart = offset;
    }

    /** REIN: forget negotiation state (the server drops its data connections on REIN too). */
    void reset() {
        replacePlan(null);
        spare.discard();
        epsvAll = false;
        restart = null;
    }

    /** Session end: nothing of this session may outlive it. */
    void close() {
        replacePlan(null);
        if (transfer != null) {
            transfer.close();
        }
        spare.discard();
    }

    int transfers() {
        return transfers;
    }

    long bytes() {
        return bytes;
    }
}
