package io.ftpgate.control;

import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.net.SocketAddresses;
import io.ftpgate.policy.UpstreamPool;
import io.ftpgate.policy.Placement;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.FtpSyntaxException;
import io.ftpgate.protocol.ReplyAssembler;
import io.ftpgate.protocol.SafeText;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one session: its control connection, the commands outstanding on it and the replies that
 * answer them. Commands are strictly sequential (see {@link Session}), so every reply is attributed to the
 * command that caused it; that is what lets the gateway act on a 227/229 only as the final reply to a PASV/EPSV
 * it sent itself. Owned by the session's event loop.
 */
final class ServerControl {

    private static final Logger LOG = LoggerFactory.getLogger(ServerControl.class);

    /** How a server reply is consumed; returns true when it was the final reply of that command. */
    interface Pending {
        boolean onReply(FtpReply reply);

        /** True only for the gateway's own PASV/EPSV: the one place a 227/229 may be read. */
        default boolean acceptsPassiveReply() {
            return false;
        }
    }

    private final Session s;
    private ReplyAssembler assembler = new ReplyAssembler();
    private final ArrayDeque<Pending> awaiting = new ArrayDeque<>();
    // Null until connected.
    private Channel channel;
    private InetSocketAddress remote;
    private InetSocketAddress local;
    private String destination;
    private String destinationHost = "";
    private boolean gone;
    private Runnable lease;
    private UpstreamPool.Member chosen;
    /** Transparent placement with {@code transparent-source: client}: the client's address; else null. */
    private InetSocketAddress bindFrom;

    ServerControl(Session session) {
        this.s = session;
    }

    /**
     * Reverse placement: connects to the listener's upstream (the pool's choice, failing over to the next
     * server) and answers the client with its greeting. Commands the client pipelines meanwhile wait for it.
     */
    void connectReverse() {
        UpstreamPool pool = s.ctx().upstreams();
        greetFirst(pool.candidates(null), pool);
    }

    /**
     * Transparent placement: the server is the client connection's original destination, which TPROXY keeps as
     * that connection's local address. The forward destination policy decides (address blocks, ports; a host
     * glob has no name to match); the gateway's own addresses never pass, so a client connecting to the
     * listener directly cannot make the gateway connect to itself. With {@code transparent-source: client}
     * the connection leaves from the client's address (IP_TRANSPARENT), else from the gateway's own.
     */
    void connectTransparent() {
        // The accepted connection's own local address: TPROXY leaves the client's destination there.
        InetSocketAddress original = SocketAddresses.canonical((InetSocketAddress) s.client().localAddress());
        String where = SocketAddresses.hostPort(original);
        String why = s.ctx().config().listenerPolicy().destinations().refusePort(original.getPort());
        if (why == null && !s.ctx().addressPolicy().destinationAllowed(original.getAddress(), original.getPort())) {
            why = "address not allowed";
        }
        if (why != null && s.policyRefuses(Reason.DESTINATION_NOT_ALLOWED, where + " (" + why + ")",
                FtpReply.of(421, "Service not available: destination not allowed by gateway policy."))) {
            s.closeAfterFlush("destination-not-allowed");
            return;
        }
        bindFrom = s.ctx().config().transparentSource() == Placement.Source.CLIENT
                ? new InetSocketAddress(s.clientAddress(), 0) : null;
        greetFirst(List.of(new UpstreamPool.Member(where, original)), null);
    }

    /** Connects to the first of {@code candidates} that greets with 220 and relays its greeting to the client. */
    private void greetFirst(List<UpstreamPool.Member> candidates, UpstreamPool pool) {
        new UpstreamConnect(s, candidates, pool, new UpstreamConnect.Outcome() {
            @Override
            public void preliminary(FtpReply reply) {
                s.reply(reply); // 120: the client is told to wait
            }

            @Override
            public void greeted(FtpReply reply) {
                // The listener's banner instead of the server's text when one is set: "220 pyftpdlib 1.5.7
                // ready." tells anyone what to attack.
                String banner = s.ctx().config().banner();
                s.reply(banner != null ? FtpReply.of(220, banner) : reply);
                s.serverTls().afterGreeting(() -> { });
            }

            @Override
            public void refused(FtpReply reply) {
                s.reply(reply);
                s.closeAfterFlush("server-refused");
            }

            @Override
            public void unreachable(String tried) {
                s.refuse(Reason.UPSTREAM_UNREACHABLE, tried,
                        FtpReply.of(421, "Service not available: the server cannot be reached."));
                s.closeAfterFlush("upstream-unreachable");
            }
        }).start();
    }

    /**
     * Connects the server control channel on the session's loop; {@code then} receives null on success or the
     * failure.
     */
    void connect(InetSocketAddress target, Consumer<Throwable> then) {
        long started = System.nanoTime();
        var bootstrap = s.ctx().bootstrap(s.loop(), ControlPipelines.server(s, target.getPort()), true);
        (bindFrom == null ? bootstrap.connect(target) : bootstrap.connect(target, bindFrom))
                .addListener((ChannelFutureListener) f -> {
                    if (s.isClosed()) {
                        f.channel().close();
                        return;
                    }
                    if (!f.isSuccess()) {
                        LOG.info("#{} cannot reach server {}: {}", s.id(), target, f.cause().getMessage());
                        then.accept(f.cause());
                        return;
                    }
                    Channel ch = f.channel();
                    channel = ch;
                    gone = false;
                    remote = SocketAddresses.canonical((InetSocketAddress) channel.remoteAddress());
                    local = SocketAddresses.canonical((InetSocketAddress) channel.localAddress());
                    destination = SocketAddresses.hostPort(remote);
                    s.publish(new SessionEvent.UpstreamConnected(s.origin(), destination, System.nanoTime() - started));
                    channel.closeFuture().addListener(cf -> {
                        if (ch != channel) {
                            return; // abandoned for another server (see abandon)
                        }
                        gone = true;
                        // One task later: a TLS alert that closed the channel (SslHandler closes, then rethrows)
                        // reaches exceptionCaught first and names the cause (ControlHandlers), rather than
                        // "server-closed".
                        channel.eventLoop().execute(s::onServerClosed);
                    });
                    then.accept(null);
                });
    }

    /**
     * Gives up the connected server before the session used it (a failover: it greeted with other than 220):
     * its channel is detached from the session, so nothing it still sends or does reaches it, and closed.
     */
    void abandon() {
        Channel ch = channel;
        channel = null;
        remote = null;
        local = null;
        destination = null;
        awaiting.clear();
        assembler = new ReplyAssembler();
        releaseLease();
        if (ch != null) {
            if (ch.pipeline().get(ControlPipelines.SESSION) != null) {
                ch.pipeline().remove(ControlPipelines.SESSION);
            }
            ch.close();
        }
    }

    /**
     * Ties {@code release} to this connection: it runs once, when the connection is closed or abandoned (an
     * upstream pool's session count).
     */
    void lease(Runnable release) {
        releaseLease();
        lease = release;
    }

    private void releaseLease() {
        Runnable r = lease;
        lease = null;
        if (r != null) {
            r.run();
        }
    }

    /** The pool member this session's server was chosen as, or null (forward placement). */
    UpstreamPool.Member chosen() {
        return chosen;
    }

    void setChosen(UpstreamPool.Member member) {
        chosen = member;
    }

    /** The server control connection (null before connecting). */
    Channel channel() {
        return channel;
    }

    /** True once a server control connection exists (it may have closed since). */
    boolean exists() {
        return channel != null;
    }

    /** True while the connection is up and may be sent commands. */
    boolean isUp() {
        return channel != null && !gone;
    }

    /** The server's control address (canonical), or null before connecting. */
    InetAddress address() {
        return remote == null ? null : remote.getAddress();
    }

    /** The server's control socket address. */
    InetSocketAddress remote() {
        return remote;
    }

    /** The gateway's own address on the server side (the local end of the control connection). */
    InetAddress gatewaySide() {
        return local.getAddress();
    }

    /** {@code address:port} of the server for audit records, or null before connecting. */
    String destination() {
        return destination;
    }

    /** The host name the session asked for (forward placement), or the configured upstream host. */
    String destinationHost() {
        return destinationHost;
    }

    void setDestinationHost(String host) {
        destinationHost = host;
    }

    /** True when no command is outstanding at the server. */
    boolean idle() {
        return awaiting.isEmpty();
    }

    /** Expects a reply that no command asked for (a greeting); it goes to {@code pending}. */
    void expect(Pending pending) {
        awaiting.add(pending);
    }

    /** Sends a command line to the server; its replies go to {@code pending}. */
    void send(String line, Pending pending) {
        if (gone) {
            return;
        }
        awaiting.add(pending);
        // A 0xFF data byte reached us as Telnet IAC IAC (RFC 854) and is re-escaped, so the server reads the
        // same command the gateway checked:  client "RETR a\xFF\xFFb" -> checked "RETR a\xFFb" -> "RETR a\xFF\xFFb".
        String wire = line.indexOf('\u00ff') < 0 ? line : line.replace("\u00ff", "\u00ff\u00ff");
        channel.writeAndFlush(WireWriter.line(channel.alloc(), wire));
    }

    /** Sends the gateway's own PASV or EPSV; only its final reply may be a 227/229 that is read. */
    void sendPassive(String verb, Pending pending) {
        send(verb, new Pending() {
            @Override
            public boolean onReply(FtpReply reply) {
                return pending.onReply(reply);
            }

            @Override
            public boolean acceptsPassiveReply() {
                return true;
            }
        });
    }

    /** One complete line from the server. */
    void onLine(String line) {
        FtpReply reply;
        try {
            reply = assembler.accept(line);
        } catch (FtpSyntaxException e) {
            Reason reason = "reply-too-long".equals(e.code()) ? Reason.REPLY_TOO_LONG : Reason.REPLY_MALFORMED;
            s.refuse(reason, line, FtpReply.of(421, "The server sent an invalid reply; closing."));
            s.closeAfterFlush("protocol-violation");
            return;
        }
        if (reply == null) {
            return;
        }
        if (s.serverTls().negotiating()) {
            // After the server's 234 and before the handshake: the server's cleartext is never acted on.
            s.refuse(Reason.TLS_CLEARTEXT_INJECTION, "server: " + reply.code() + " " + reply.text(), null);
            return;
        }
        Pending head = awaiting.peek();
        if (isPassiveReply(reply) && (head == null || !head.acceptsPassiveReply())) {
            // Only the final reply to a PASV/EPSV that ftpgate sent itself is ever read; this one answers
            // something else (or nothing), so it is replaced before anything relays it: a downstream ALG
            // might act on it.
            s.refuse(Reason.UNEXPECTED_PASV_REPLY, reply.code() + " " + reply.text(), null);
            reply = FtpReply.of(451, "Unexpected reply from the server withheld by the gateway.");
        }
        if (head == null) {
            if (reply.code() == 421) {
                s.reply(reply);
                s.closeAfterFlush("server-closed");
            } else {
                LOG.info("#{} unsolicited reply from server dropped: {}", s.id(), SafeText.escape(reply.text(), 200));
            }
            return;
        }
        if (head.onReply(reply)) {
            awaiting.remove(head);
            s.processQueue();
        }
    }

    private static boolean isPassiveReply(FtpReply reply) {
        return reply.code() == 227 || reply.code() == 228 || reply.code() == 229;
    }

    /** Closes the connection, if any, and ends its lease. */
    void close() {
        releaseLease();
        if (channel != null) {
            channel.close();
        }
    }
}
