package io.ftpgate.control;

import io.ftpgate.control.DataBroker.ActivePlan;
import io.ftpgate.control.DataBroker.ClientPlan;
import io.ftpgate.control.DataBroker.PassivePlan;
import io.ftpgate.data.DataLeg;
import io.netty.util.concurrent.Future;

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
                    s.ctx().timeouts().connect());
        }
        return ((PassivePlan) plan).pinhole().accepted();
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
     * Releases both legs. A passive server's leg that never carried the transfer command ({@code serverKnows}
     * false) is as good as new and goes back to the broker (see {@link ServerPassiveLeg}). Idempotent.
     */
    void close(boolean serverKnows) {
        plan.discard();
        if (active != null) {
            active.close();
        }
        if (passive != null) {
            if (serverKnows) {
                passive.discard();
            } else {
                broker.returnServerLeg(passive);
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
