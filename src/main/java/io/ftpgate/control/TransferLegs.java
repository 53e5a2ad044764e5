package io.ftpgate.control;

import io.ftpgate.control.DataBroker.ActivePlan;
import io.ftpgate.control.DataBroker.ClientPlan;
import io.ftpgate.control.DataBroker.PassivePlan;
import io.ftpgate.data.DataLeg;
import io.ftpgate.data.TranslatedPinhole;
import io.ftpgate.event.Reason;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The legs of one {@link Transfer}, and how they are released. Fields are the transfer's to set; owned by the
 * session's event loop.
 */
final class TransferLegs {

    private final ClientPlan plan;
    private final DataBroker broker;
    /** The connection with the client, once made. */
    DataLeg client;
    /** The connection with the server, once made. */
    DataLeg server;
    /** The server's pinhole when the server is active. */
    ServerActiveLeg active;
    /** The server leg when the server is passive (given back to the broker if no command used it). */
    ServerPassiveLeg passive;
    /** The kernel pinhole when the kernel carries the transfer (no legs of ftpgate's own then). */
    TranslatedPinhole translated;

    TransferLegs(ClientPlan plan, DataBroker broker) {
        this.plan = plan;
        this.broker = broker;
    }

    /**
     * The client leg as the client's plan says: connected to the client's control address (PORT/EPRT: the only
     * address ever connected to on the client side), or accepted by the client's pinhole (PASV/EPSV).
     */
    Future<DataLeg> openClient(Session s) {
        if (plan instanceof ActivePlan a) {
            return s.ctx().dataPath().connect(s.loop(), a.target(), s.gatewayClientSide(),
                    s.ctx().timeouts().connect(), s.ctx().transparent());
        }
        return ((PassivePlan) plan).pinhole().accepted();
    }

    /**
     * Opens the client leg ({@link #openClient}) and keeps it: then {@code connected} runs. A failure is
     * recorded (a refused connect to the client's PORT/EPRT address) and {@code failed} gets the reason; a leg
     * that arrives after the transfer ended ({@code done}) is closed.
     */
    void startClient(Session s, BooleanSupplier done, Runnable connected, Consumer<String> failed) {
        openClient(s).addListener(f -> {
            if (done.getAsBoolean()) {
                if (f.isSuccess()) {
                    ((DataLeg) f.getNow()).close();
                }
                return;
            }
            if (f.isSuccess()) {
                client = (DataLeg) f.getNow();
                connected.run();
            } else {
                if (plan instanceof ActivePlan a) {
                    s.refuse(Reason.DATA_CONNECT_FAILED, "client " + a.target(), null);
                }
                failed.accept(plan instanceof ActivePlan ? "connect to client failed" : "client did not connect");
            }
        });
    }

    /** The data path that carries this transfer, for its record: the kernel's when it has a kernel pinhole. */
    String pathName(Session s) {
        return translated != null ? s.ctx().translatingPath().name() : s.ctx().dataPath().name();
    }

    /**
     * The passive server leg this transfer uses: the one the broker opened early ({@code early}, alive or null),
     * otherwise one opened now. Either way the transfer command goes out only once it is connected.
     */
    ServerPassiveLeg usePassive(Session s, ServerPassiveLeg early) {
        passive = early != null ? early : ServerPassiveLeg.open(s);
        return passive;
    }

    /**
     * Puts TLS on the legs whose side uses PROT P, when the flow is about to start: ftpgate is the TLS server on
     * the client's leg and the TLS client on the server's, whoever opened the TCP connection (RFC 4217 §7). A
     * client data connection that must resume the client's control TLS session and does not is refused here.
     */
    Future<Void> secure(Session s) {
        Promise<Void> done = s.loop().newPromise();
        Future<Void> toServer = s.serverTls().dataPrivate()
                ? server.secure(s.serverTls().dataHandler(s.client().alloc())) : s.loop().newSucceededFuture(null);
        if (!s.clientTls().dataPrivate()) {
            toServer.addListener(f -> relay(f, done));
            return done;
        }
        SslHandler tls = s.ctx().serverTls().newDataHandler(s.client().alloc(), s.clientTls().controlHandler());
        client.secure(tls).addListener(c -> {
            if (!c.isSuccess()) {
                done.tryFailure(new DataTlsException(Reason.TLS_HANDSHAKE_FAILED, "client: " + c.cause().getMessage()));
            } else if (s.ctx().config().tls().requireDataSessionReuse()
                    && !s.ctx().serverTls().resumedFrom(tls, s.clientTls().controlHandler())) {
                done.tryFailure(new DataTlsException(Reason.TLS_DATA_SESSION_NOT_REUSED,
                        "client data connection without its control TLS session"));
            } else {
                toServer.addListener(f -> relay(f, done));
            }
        });
        return done;
    }

    private static void relay(Future<?> f, Promise<Void> done) {
        if (f.isSuccess()) {
            done.trySuccess(null);
        } else {
            done.tryFailure(f.cause() instanceof DataTlsException ? f.cause()
                    : new DataTlsException(Reason.TLS_HANDSHAKE_FAILED, "server: " + f.cause().getMessage()));
        }
    }

    /** Why a data leg's TLS failed: the reason code and its detail. */
    static final class DataTlsException extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Reason reason;

        DataTlsException(Reason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    /**
     * Releases both legs. A passive server's leg that never carried the transfer command ({@code serverKnows}
     * false) is as good as new and goes back to the broker (see {@link ServerPassiveLeg}). Idempotent.
     */
    void close(boolean serverKnows) {
        plan.discard();
        if (translated != null) {
            translated.close();
        }
        if (active != null) {
            active.close();
        }
        if (passive != null) {
            if (serverKnows) {
                passive.discard();
            } else {
                broker.spare().giveBack(passive);
                server = null;
            }
            passive = null;
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
