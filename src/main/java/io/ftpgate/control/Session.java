package io.ftpgate.control;

import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.net.Cidr;
import io.ftpgate.net.SocketAddresses;
import io.ftpgate.policy.Placement;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.LineViolation;
import io.ftpgate.protocol.SafeText;
import io.ftpgate.protocol.TlsOpening;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.ftpgate.tls.TlsFacts;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's FTP session through the gateway: the client control connection, the server side
 * ({@link ServerControl}) and the data brokering between them ({@link DataBroker}).
 *
 * <p>A session is created by {@link ControlPipelines} once the client's real address is known: the connection's
 * peer, or behind a balancer the client its PROXY header names ({@link ProxyIn}).
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
    /** A server that closes the control connection gets this long to let the client read what is queued. */
    static final long CLOSE_FLUSH_TIMEOUT_MS = 5_000;

    private final ListenerContext ctx;
    private final String id;
    private final Channel client;
    private final InetSocketAddress clientLocal;
    private final InetAddress clientAddress;
    private final SessionEvent.Origin origin;
    private final String via;
    private final ServerControl server = new ServerControl(this);
    private final DataBroker data;
    private final ForwardLogin forward;
    private final SessionPolicy sessionPolicy;
    private final FtpsClientSide clientTls;
    private final FtpsServerSide serverTls;
    private final WorkingDirectory directory = new WorkingDirectory(this);
    private final CommandRouter router = new CommandRouter(this);
    private final Refusals refusals = new Refusals(this);
    private final SessionTimers timers = new SessionTimers(this);
    private final long openedNanos = System.nanoTime();
    private final ArrayDeque<String> queued = new ArrayDeque<>();
    private final ClientReplies replies;
    private boolean loggedIn;
    private String user;
    private int busy;
    private boolean quitting;
    private boolean closing;
    private boolean closed;

    /** The client and the address it connected to (ours, or as a PROXY header said), and the balancer or null. */
    Session(ListenerContext ctx, Channel client, InetSocketAddress clientRemote, InetSocketAddress clientLocal,
            InetSocketAddress via) {
        this.ctx = ctx;
        this.client = client;
        this.id = ControlPipelines.newSessionId();
        this.via = via == null ? null : SocketAddresses.hostPort(SocketAddresses.canonical(via));
        this.clientLocal = SocketAddresses.canonical(clientLocal);
        this.clientAddress = Cidr.canonical(clientRemote.getAddress());
        this.origin = new SessionEvent.Origin(id, SocketAddresses.hostPort(clientAddress, clientRemote.getPort()));
        this.data = new DataBroker(this);
        this.forward = new ForwardLogin(this);
        this.replies = new ClientReplies(client);
        this.sessionPolicy = new SessionPolicy(this);
        this.clientTls = new FtpsClientSide(this);
        this.serverTls = new FtpsServerSide(this);
    }

    /** FTPS toward the client. */
    FtpsClientSide clientTls() {
        return clientTls;
    }

    /** FTPS toward the server. */
    FtpsServerSide serverTls() {
        return serverTls;
    }

    /** The client control connection. */
    Channel client() {
        return client;
    }

    ListenerContext ctx() {
        return ctx;
    }

    String id() {
        return id;
    }

    EventLoop loop() {
        return client.eventLoop();
    }

    /** The client's control address (canonical): the only address a client-side data leg may involve. */
    InetAddress clientAddress() {
        return clientAddress;
    }

    /** The gateway's own address on the client side (transparent placement: the server's, as TPROXY keeps it). */
    InetAddress gatewayClientSide() {
        // Behind a balancer clientLocal is its front address (from the header); this host binds its own.
        return client.localAddress() instanceof InetSocketAddress own ? Cidr.canonical(own.getAddress())
                : clientLocal.getAddress();
    }

    /** The address the client connected to (behind a balancer its front): 227/229 without a public address. */
    InetAddress advertisedClientSide() {
        return clientLocal.getAddress();
    }

    ServerControl server() {
        return server;
    }

    DataBroker data() {
        return data;
    }

    ForwardLogin forward() {
        return forward;
    }

    SessionPolicy sessionPolicy() {
        return sessionPolicy;
    }

    /** The server's current directory, as far as the gateway knows it. */
    WorkingDirectory directory() {
        return directory;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Called once, when the client connection is active and its real address known. */
    void start() {
        ControlPipelines.installClient(client, this);
        SslHandler implicit = client.pipeline().get(SslHandler.class);
        if (implicit != null) {
            clientTls.implicit(implicit);
        }
        client.closeFuture().addListener(f -> close(
                ctx.stopping().get() ? "gateway-shutdown" : quitting ? "client-quit" : "client-closed"));
        publish(new SessionEvent.Opened(origin, ctx.config().name(),
                ctx.config().placement().name().toLowerCase(Locale.ROOT), SocketAddresses.hostPort(clientLocal), via));
        Reason refused = sessionPolicy.admit();
        if (refused != null) {
            closeAfterFlush(refused.code());
            return;
        }
        timers.start(true);
        if (ctx.config().placement() == Placement.REVERSE && !ctx.upstreams().deferred()) {
            // Commands a client pipelines before the upstream is even connected wait for it (and its greeting);
            // without this mark they would be handled as if no server were coming.
            server.connectReverse();
        } else if (ctx.transparent()) {
            server.connectTransparent();
        } else {
            forward.greet(); // the server is chosen at USER
        }
    }

    /** The server's control connection closed (see {@link ServerControl}). */
    void onServerClosed() {
        if (closed) {
            return;
        }
        // A transfer still delivering data finishes first (its 226 may already be held); then the session ends.
        data.serverControlClosed();
        processQueue();
    }

    private void endIfServerGone() {
        if (server.exists() && !server.isUp() && !closing && !data.transferActive()) {
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
        sessionPolicy.release();
        data.close();
        client.close();
        server.close();
        publish(new SessionEvent.Closed(origin, reason, user(), server.destination(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedNanos), data.transfers(), data.bytes()));
        LOG.debug("#{} closed: {}", id, reason);
    }

    /** Flushes, then closes; a client that does not read is cut off after {@link #CLOSE_FLUSH_TIMEOUT_MS}. */
    void closeAfterFlush(String reason) {
        if (closing) {
            return;
        }
        closing = true;
        client.config().setAutoRead(false);
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> close(reason));
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
        return server.isUp() && !closing && !closed;
    }

    /** QUIT was relayed: the server's hang-up that follows is the client's doing. */
    void markQuitting() {
        quitting = true;
    }

    // ---------------------------------------------------------------- client side

    void onClientLine(String line) {
        timers.lineReceived();
        if (clientTls.negotiating()) {
            // Sent in clear after AUTH TLS, before the handshake: never executed (STARTTLS command injection).
            refuse(Reason.TLS_CLEARTEXT_INJECTION, line, null);
            return;
        }
        if (SafeText.looksLikeOtherProtocol(line)) {
            refuse(Reason.PROTOCOL_CONFUSION, TlsOpening.auditInput(line), null);
            close("protocol-confusion");
            return;
        }
        if (data.transferActive() && !data.abortRequested() && CommandRouter.isAbort(line)) {
            // ABOR overtakes the queue: it is the one command meant to interrupt the outstanding one.
            data.abortTransfer();
            return;
        }
        if (ready() && client.isWritable()) {
            router.handle(line);
        } else {
            queued.add(line);
            if (queued.size() >= MAX_QUEUED_COMMANDS || !client.isWritable()) {
                // Backpressure: a client that sends faster than it reads its replies is not read further.
                client.config().setAutoRead(false);
            }
        }
    }

    private boolean ready() {
        return server.idle() && busy == 0 && !closed && !closing;
    }

    /** A framing violation on either control connection: refused, and the session ends. */
    void onViolation(LineViolation v, boolean fromClient) {
        refusals.violation(v, fromClient);
        closeAfterFlush("protocol-violation");
    }

    /** Drops the queued client lines: they arrived in clear behind an AUTH TLS (see {@link FtpsClientSide}). */
    void discardQueued() {
        for (String line : queued) {
            refuse(Reason.TLS_CLEARTEXT_INJECTION, line, null);
        }
        queued.clear();
    }

    /** Runs queued client lines while nothing is outstanding and the client reads its replies. */
    void processQueue() {
        endIfServerGone();
        while (ready() && client.isWritable() && !queued.isEmpty()) {
            router.handle(queued.poll());
        }
        if (queued.size() < MAX_QUEUED_COMMANDS / 2 && client.isWritable() && !closed && !closing
                && !client.config().isAutoRead()) {
            client.config().setAutoRead(true);
        }
    }

    // ---------------------------------------------------------------- commands to the server

    /** Relays a client command and its replies (see {@link CommandRouter#relay}). */
    void relay(String line, String verb) {
        router.relay(line, verb, null);
    }

    /** Relays a client command; {@code after} (may be null) also sees the final reply once it was relayed. */
    void relay(String line, String verb, Consumer<FtpReply> after) {
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

    // ---------------------------------------------------------------- events

    /** Which session events belong to. */
    SessionEvent.Origin origin() {
        return origin;
    }

    void publish(SessionEvent event) {
        ctx.events().publish(event);
    }

    /** Records a completed control-connection TLS handshake on {@code side}; returns what it negotiated. */
    TlsFacts publishTls(SessionEvent.Side side, SslHandler handler) {
        TlsFacts f = TlsFacts.of(handler);
        publish(new SessionEvent.TlsEstablished(origin, side, f.protocol(), f.cipherSuite(), f.resumed(),
                f.peerSubject()));
        return f;
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
