package io.ftpgate.control;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.audit.Reason;
import io.ftpgate.config.Placement;
import io.ftpgate.policy.Cidr;
import io.ftpgate.protocol.FtpCommand;
import io.ftpgate.protocol.FtpLimits;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.FtpSyntaxException;
import io.ftpgate.protocol.LineViolation;
import io.ftpgate.protocol.ReplyAssembler;
import io.ftpgate.protocol.SafeText;
import io.ftpgate.protocol.TlsOpening;
import io.ftpgate.protocol.Verbs;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's FTP session through the gateway: the client control connection, the server control
 * connection, and the data brokering between them.
 *
 * <p>Threading: every field is owned by the client channel's event loop; the server control channel and all
 * data channels of the session are registered on that same loop, so no field needs a lock.
 *
 * <p>Commands are strictly sequential: one command is outstanding at the server at a time (plus ABOR, which
 * may overtake a transfer), further client lines wait in a bounded queue. That keeps every reply attributable
 * to the command that caused it, which is what lets the gateway act on a 227/229 only as the final reply to
 * a PASV/EPSV it sent itself.
 */
final class Session {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /** Client lines buffered while a command is outstanding before the gateway stops reading the client. */
    static final int MAX_QUEUED_COMMANDS = 32;
    /** Refused commands tolerated per session (after login) before the gateway hangs up. */
    static final int MAX_ERRORS = 20;
    /** Refused commands tolerated before login: a client that cannot speak FTP is not given many tries. */
    static final int MAX_ERRORS_BEFORE_LOGIN = 3;

    /** How a server reply is consumed; returns true when it was the final reply of that command. */
    interface Pending {
        boolean onReply(FtpReply reply);

        /** True only for the gateway's own PASV/EPSV: the one place a 227/229 may be read. */
        default boolean acceptsPassiveReply() {
            return false;
        }
    }

    /** A server that closes the control connection gets this long to let the client read what is queued. */
    static final long CLOSE_FLUSH_TIMEOUT_MS = 5_000;

    final ListenerContext ctx;
    final String id;
    final Channel client;
    final InetSocketAddress clientRemote;
    final InetSocketAddress clientLocal;
    final InetAddress clientAddress;
    final DataBroker data;
    final ForwardLogin forward;
    private final CommandRouter router = new CommandRouter(this);
    private final Refusals refusals = new Refusals(this);
    private final long openedNanos = System.nanoTime();
    private final ReplyAssembler assembler = new ReplyAssembler();
    private final ArrayDeque<Pending> awaiting = new ArrayDeque<>();
    private final ArrayDeque<String> queued = new ArrayDeque<>();
    private final ClientReplies replies;
    final SessionPolicy policy;
    private final SessionTimers timers = new SessionTimers(this);
    // Server side; null until connected.
    Channel server;
    InetSocketAddress serverRemote;
    InetSocketAddress serverLocal;
    InetAddress serverAddress;
    String destination;
    String destinationHost = "";
    // Session state.
    private boolean loggedIn;
    private String user;
    private int handled;
    private int busy;
    private int errors;
    private boolean quitting;
    private boolean closing;
    private boolean serverGone;
    private boolean closed;

    Session(ListenerContext ctx, Channel client) {
        this.ctx = ctx;
        this.client = client;
        this.id = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        this.clientRemote = (InetSocketAddress) client.remoteAddress();
        this.clientLocal = Addresses.canonical((InetSocketAddress) client.localAddress());
        this.clientAddress = Cidr.canonical(clientRemote.getAddress());
        this.data = new DataBroker(this);
        this.forward = new ForwardLogin(this);
        this.replies = new ClientReplies(client);
        this.policy = new SessionPolicy(this);
    }

    EventLoop loop() {
        return client.eventLoop();
    }

    String clientText() {
        return Addresses.hostPort(clientAddress, clientRemote.getPort());
    }

    // ---------------------------------------------------------------- lifecycle

    /** Called once the client connection is active. */
    void start() {
        client.pipeline().addLast(new FtpLineDecoder(FtpLimits.MAX_LINE_BYTES, true),
                ControlHandlers.clientSide(this));
        client.closeFuture().addListener(f -> close(
                ctx.stopping.get() ? "gateway-shutdown" : quitting ? "client-quit" : "client-closed"));
        audit(AuditEvent.of("session-open", id, clientText())
                .with("listener", ctx.config.name())
                .with("placement", ctx.config.placement().name().toLowerCase(java.util.Locale.ROOT))
                .with("gateway", Addresses.hostPort(clientLocal.getAddress(), clientLocal.getPort())));
        Reason refused = policy.admit();
        if (refused != null) {
            closeAfterFlush(refused.code());
            return;
        }
        timers.start(true);
        if (ctx.config.placement() == Placement.REVERSE) {
            // Commands a client pipelines before the upstream is even connected wait for it (and its greeting);
            // without this mark they would be handled as if no server were coming.
            beginLocal();
            connectServer(ctx.upstream, this::onReverseConnected);
        } else {
            reply(FtpReply.of(220, "ftpgate forward gateway ready; log in as USER user@host[:port]."));
        }
    }

    private void onReverseConnected(Throwable failure) {
        if (failure != null) {
            refuse(Reason.UPSTREAM_UNREACHABLE, ctx.upstream.toString(),
                    FtpReply.of(421, "Service not available: the server cannot be reached."));
            closeAfterFlush("upstream-unreachable");
            return;
        }
        destinationHost = ctx.upstream.getHostString();
        expect(this::onGreeting);
        endLocal();
    }

    /** The server's greeting: 120 (wait) is relayed, 220 opens the session, anything else ends it. */
    private boolean onGreeting(FtpReply reply) {
        reply(reply);
        if (reply.isPreliminary()) {
            return false;
        }
        if (reply.code() != 220) {
            closeAfterFlush("server-refused");
        }
        return true;
    }

    /**
     * Connects the server control channel on this session's loop; {@code then} receives null on success or
     * the failure.
     */
    void connectServer(InetSocketAddress target, java.util.function.Consumer<Throwable> then) {
        ctx.bootstrap(loop(), new io.netty.channel.ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new FtpLineDecoder(FtpLimits.MAX_LINE_BYTES, false),
                        ControlHandlers.serverSide(Session.this));
            }
        }, true).connect(target).addListener((ChannelFutureListener) f -> {
            if (closed) {
                f.channel().close();
                return;
            }
            if (!f.isSuccess()) {
                LOG.info("#{} cannot reach server {}: {}", id, target, f.cause().getMessage());
                then.accept(f.cause());
                return;
            }
            server = f.channel();
            serverRemote = Addresses.canonical((InetSocketAddress) server.remoteAddress());
            serverLocal = Addresses.canonical((InetSocketAddress) server.localAddress());
            serverAddress = serverRemote.getAddress();
            destination = Addresses.hostPort(serverRemote.getAddress(), serverRemote.getPort());
            server.closeFuture().addListener(cf -> onServerClosed());
            then.accept(null);
        });
    }

    private void onServerClosed() {
        if (closed) {
            return;
        }
        serverGone = true;
        // A transfer still delivering data finishes first (its 226 may already be held); then the session ends.
        data.serverControlClosed();
        processQueue();
    }

    private void endIfServerGone() {
        if (serverGone && !closing && !data.transferActive()) {
            if (!quitting) {
                reply(FtpReply.of(421, "Service not available: the server closed the control connection."));
            }
            closeAfterFlush(quitting ? "client-quit" : "server-closed");
        }
    }

    /** Ends the session now: both control connections, every pinhole and data leg. Idempotent. */
    void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        timers.cancel();
        policy.release();
        data.close();
        client.close();
        if (server != null) {
            server.close();
        }
        audit(AuditEvent.of("session-close", id, clientText())
                .with("reason", reason)
                .with("user", user())
                .with("destination", destination)
                .with("duration-ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedNanos))
                .with("transfers", data.transfers())
                .with("bytes", data.bytes()));
        LOG.debug("#{} closed: {}", id, reason);
    }

    /**
     * Flushes what was written to the client, then closes the session; a client that does not read is cut off
     * after {@link #CLOSE_FLUSH_TIMEOUT_MS}. No further command is handled meanwhile.
     */
    void closeAfterFlush(String reason) {
        if (closing) {
            return;
        }
        closing = true;
        client.config().setAutoRead(false);
        client.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> close(reason));
        loop().schedule(() -> close(reason), CLOSE_FLUSH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    boolean isClosed() {
        return closed;
    }

    boolean isLoggedIn() {
        return loggedIn;
    }

    /** True while the server's control connection is up and may be sent commands. */
    boolean serverConnected() {
        return server != null && !serverGone && !closing && !closed;
    }

    /** QUIT was relayed: the server's hang-up that follows is the client's doing. */
    void markQuitting() {
        quitting = true;
    }

    // ---------------------------------------------------------------- client side

    void onClientLine(String line) {
        timers.lineReceived();
        if (SafeText.looksLikeOtherProtocol(line)) {
            refuse(Reason.PROTOCOL_CONFUSION, TlsOpening.auditInput(line), null);
            close("protocol-confusion");
            return;
        }
        if (data.transferActive() && !data.abortRequested() && isAbort(line)) {
            // ABOR overtakes the queue: it is the one command meant to interrupt the outstanding one.
            data.abortTransfer();
            return;
        }
        if (ready() && client.isWritable()) {
            handle(line);
        } else {
            queued.add(line);
            if (queued.size() >= MAX_QUEUED_COMMANDS || !client.isWritable()) {
                // Backpressure: a client that sends faster than it reads its replies is not read further.
                client.config().setAutoRead(false);
            }
        }
    }

    private static boolean isAbort(String line) {
        try {
            return Verbs.ABOR.equals(FtpCommand.parse(line).verb());
        } catch (FtpSyntaxException e) {
            return false;
        }
    }

    /** Handles one client line in its turn. */
    private void handle(String line) {
        boolean first = handled++ == 0;
        FtpCommand cmd;
        try {
            cmd = FtpCommand.parse(line);
        } catch (FtpSyntaxException e) {
            refuseCommand(Reason.COMMAND_SYNTAX, line, FtpReply.of(500, "Syntax error, command unrecognized."), first);
            return;
        }
        if (Verbs.LPRT.equals(cmd.verb()) || Verbs.LPSV.equals(cmd.verb())) {
            refuse(Reason.LONG_ADDRESS_UNSUPPORTED, line, FtpReply.of(502, "LPRT/LPSV not supported; use EPRT/EPSV."));
            return;
        }
        if (!Verbs.isKnown(cmd.verb())) {
            refuseCommand(Reason.COMMAND_UNKNOWN, line, FtpReply.of(502, "Command not implemented."), first);
            return;
        }
        router.dispatch(cmd, line);
    }

    private void refuseCommand(Reason reason, String line, FtpReply reply, boolean first) {
        refuse(reason, line, reply);
        errors++;
        if (first || errors > (loggedIn ? MAX_ERRORS : MAX_ERRORS_BEFORE_LOGIN)) {
            // A session must open with a valid FTP dialogue (defeats protocol confusion such as NAT slipstreaming).
            refuse(Reason.TOO_MANY_ERRORS, line, FtpReply.of(421, "Too many invalid commands; closing."));
            closeAfterFlush(first ? "protocol-violation" : "too-many-errors");
        }
    }

    private boolean ready() {
        return awaiting.isEmpty() && busy == 0 && !closed && !closing;
    }

    /** A framing violation on either control connection: refused, and the session ends. */
    void onViolation(LineViolation v, boolean fromClient) {
        refusals.violation(v, fromClient);
        closeAfterFlush("protocol-violation");
    }

    /** Runs queued client lines while nothing is outstanding and the client reads its replies. */
    void processQueue() {
        endIfServerGone();
        while (ready() && client.isWritable() && !queued.isEmpty()) {
            handle(queued.poll());
        }
        if (queued.size() < MAX_QUEUED_COMMANDS / 2 && client.isWritable() && !closed && !closing
                && !client.config().isAutoRead()) {
            client.config().setAutoRead(true);
        }
    }

    // ---------------------------------------------------------------- server side

    /** Expects a reply that no command asked for (a greeting); it goes to {@code pending}. */
    void expect(Pending pending) {
        awaiting.add(pending);
    }

    /** Sends a command line to the server; its replies go to {@code pending}. */
    void sendToServer(String line, Pending pending) {
        if (serverGone) {
            return;
        }
        awaiting.add(pending);
        // A 0xFF data byte reached us as Telnet IAC IAC (RFC 854) and is re-escaped, so the server reads the
        // same command the gateway checked:  client "RETR a\xFF\xFFb" -> checked "RETR a\xFFb" -> "RETR a\xFF\xFFb".
        String wire = line.indexOf('\u00ff') < 0 ? line : line.replace("\u00ff", "\u00ff\u00ff");
        server.writeAndFlush(WireWriter.line(server.alloc(), wire));
    }

    /** Sends the gateway's own PASV or EPSV; only its final reply may be a 227/229 that is read. */
    void sendPassive(String verb, Pending pending) {
        sendToServer(verb, new Pending() {
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

    /** Relays a client command and its replies (see {@link CommandRouter#relay}). */
    void relay(String line, String verb) {
        router.relay(line, verb, null);
    }

    /** Relays a client command; {@code after} (may be null) also sees the final reply once it was relayed. */
    void relay(String line, String verb, java.util.function.Consumer<FtpReply> after) {
        router.relay(line, verb, after);
    }

    /** Login state changes come from the server's replies (230 in, REIN out). */
    void setLoggedIn(boolean in) {
        loggedIn = in;
    }

    /** The raw user name (for policy matching), or null. */
    String rawUser() {
        return user;
    }

    void setUser(String user) {
        this.user = user;
    }

    /** The user name as logged in (escaped for audit), or null. */
    String user() {
        return user == null ? null : SafeText.escape(user, 256);
    }

    void onServerLine(String line) {
        FtpReply reply;
        try {
            reply = assembler.accept(line);
        } catch (FtpSyntaxException e) {
            Reason reason = "reply-too-long".equals(e.code()) ? Reason.REPLY_TOO_LONG : Reason.REPLY_MALFORMED;
            refuse(reason, line, FtpReply.of(421, "The server sent an invalid reply; closing."));
            closeAfterFlush("protocol-violation");
            return;
        }
        if (reply == null) {
            return;
        }
        Pending head = awaiting.peek();
        if (isPassiveReply(reply) && (head == null || !head.acceptsPassiveReply())) {
            // Only the final reply to a PASV/EPSV that ftpgate sent itself is ever read; this one answers
            // something else (or nothing), so it is replaced before anything relays it: a downstream ALG
            // might act on it.
            refuse(Reason.UNEXPECTED_PASV_REPLY, reply.code() + " " + reply.text(), null);
            reply = FtpReply.of(451, "Unexpected reply from the server withheld by the gateway.");
        }
        if (head == null) {
            if (reply.code() == 421) {
                reply(reply);
                closeAfterFlush("server-closed");
            } else {
                LOG.info("#{} unsolicited reply from server dropped: {}", id, SafeText.escape(reply.text(), 200));
            }
            return;
        }
        if (head.onReply(reply)) {
            awaiting.remove(head);
            processQueue();
        }
    }

    private static boolean isPassiveReply(FtpReply reply) {
        return reply.code() == 227 || reply.code() == 228 || reply.code() == 229;
    }

    // ---------------------------------------------------------------- replies to the client, in order

    /** Writes a reply to the client in command order (see {@link ClientReplies}). */
    void reply(FtpReply reply) {
        replies.send(reply);
    }

    /** Reserves the next reply slot for a transfer's final reply (see {@link ClientReplies#reserve}). */
    void hold() {
        replies.reserve();
    }

    /** Fills the slot reserved by {@link #hold}. */
    void release(FtpReply reply) {
        replies.fill(reply);
    }

    /** Marks local asynchronous work (e.g. binding a pinhole) that must finish before the next command. */
    void beginLocal() {
        busy++;
    }

    /** Ends local work started with {@link #beginLocal}. */
    void endLocal() {
        busy--;
        processQueue();
    }

    // ---------------------------------------------------------------- audit

    void audit(AuditEvent event) {
        ctx.audit.emit(event);
    }

    /** Records a refusal and, when {@code reply} is not null, answers the client with it. */
    void refuse(Reason reason, String input, FtpReply reply) {
        refusals.refuse(reason, input, reply);
    }

    /** Records a policy verdict; true when enforced (see {@link Refusals#policyRefuses}). */
    boolean policyRefuses(Reason reason, String input, FtpReply reply) {
        return refusals.policyRefuses(reason, input, reply);
    }
}
