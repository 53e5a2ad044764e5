package io.ftpgate.control;

import io.ftpgate.event.Reason;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.policy.Placement;
import io.ftpgate.policy.UpstreamPool;
import io.ftpgate.protocol.FtpCommand;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.Verbs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The deferred login: the gateway greets the client itself and connects to a server only once USER names the
 * user. Forward placement learns the destination from {@code USER user@host[:port]}, the convention of SUSE
 * ftp-proxy, frox and Squid; a reverse listener with a {@code per-user} pool chooses the pool's server for the
 * user ({@link UpstreamPool#candidates}), as ProFTPD mod_proxy's {@code PerUser} policy does. Both connect
 * through {@link UpstreamConnect} and log in the same way once the server greeted.
 *
 * <p>Wire form, client → gateway → server:
 * <pre>
 *   client:  USER alice@ftp.example.net:2121
 *   gateway: (resolves ftp.example.net, checks every candidate address against allow-destination,
 *             connects to the first allowed one, consumes its 220 greeting)
 *   server:  USER alice
 * </pre>
 * The policy is applied to the resolved address, never to the name, so a name pointing at an internal host
 * is refused like the address itself.
 */
final class ForwardLogin {

    /** A DNS name (RFC 1123 labels) or an address literal; anything else is not looked up at all. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|[0-9A-Fa-f:.]+");
    /** Default FTP control port (RFC 959 §5.4 / IANA). */
    private static final int FTP_PORT = 21;

    private final Session s;

    ForwardLogin(Session session) {
        this.s = session;
    }

    /** A command before any server is connected (forward placement, per-user pools). */
    void beforeConnect(FtpCommand cmd) {
        switch (cmd.verb()) {
            case Verbs.USER -> {
                if (!s.clientTls().permitsLogin(cmd.toLine())) {
                    return;
                }
                if (s.ctx().upstreams() != null) {
                    connectPerUser(cmd);
                } else {
                    connect(cmd);
                }
            }
            case Verbs.QUIT -> {
                s.reply(FtpReply.of(221, "Goodbye."));
                s.closeAfterFlush("client-quit");
            }
            case Verbs.NOOP -> s.reply(FtpReply.of(200, "NOOP ok."));
            // Like a server that wants a login first: the client asks again once connected and gets the
            // destination's real feature list (lftp never re-asks after a 211).
            case Verbs.FEAT -> s.reply(FtpReply.of(530, loginHint()));
            case Verbs.AUTH, Verbs.CCC, Verbs.PBSZ, Verbs.PROT -> s.clientTls().command(cmd, cmd.toLine());
            default -> s.refuse(Reason.NOT_LOGGED_IN, cmd.toLine(), FtpReply.of(530, loginHint()));
        }
    }

    private String loginHint() {
        return s.ctx().upstreams() != null ? "Please log in with USER first."
                : "Log in with USER user@host[:port] first.";
    }

    /** The gateway's own 220 greeting: the listener's banner, or one saying how to log in. */
    void greet() {
        String banner = s.ctx().config().banner();
        s.reply(FtpReply.of(220, banner != null ? banner : s.ctx().upstreams() != null ? "ftpgate ready."
                : "ftpgate forward gateway ready; log in as USER user@host[:port]."));
    }

    /**
     * USER on a per-user pool: the user's server, or the next one when it fails. The name is checked (anonymous
     * rule) before any server hears of it.
     */
    private void connectPerUser(FtpCommand cmd) {
        String user = cmd.argument();
        if (s.sessionPolicy().refusesUser(user, cmd.toLine())) {
            return;
        }
        s.setUser(user);
        UpstreamPool pool = s.ctx().upstreams();
        new UpstreamConnect(s, pool.candidates(user), pool,
                login(user, FtpReply.of(421, "Service not available: no server can be reached."))).start();
    }

    /**
     * Logs {@code user} in once the server greeted. A server that refused the session ends it; one that cannot
     * be reached is answered with {@code unreachable}: a 530 lets a forward client name another server, a 421
     * ends a pool's session (every server was tried).
     */
    private UpstreamConnect.Outcome login(String user, FtpReply unreachable) {
        return new UpstreamConnect.Outcome() {
            @Override
            public void greeted(FtpReply greeting) {
                s.serverTls().afterGreeting(() -> s.relay(Verbs.USER + " " + user, Verbs.USER));
            }

            @Override
            public void refused(FtpReply greeting) {
                s.reply(FtpReply.of(421, "The server refused the session (" + greeting.code() + ")."));
                s.closeAfterFlush("server-refused");
            }

            @Override
            public void unreachable(String tried) {
                s.refuse(Reason.UPSTREAM_UNREACHABLE, tried, unreachable);
                if (unreachable.code() == 421) {
                    s.closeAfterFlush("upstream-unreachable");
                }
            }
        };
    }

    /** USER once a server is connected. */
    void user(FtpCommand cmd, String line) {
        // Only forward placement reads user@host; elsewhere an '@' is part of the user name.
        if (s.ctx().config().placement() != Placement.FORWARD || cmd.argument().indexOf('@') < 0) {
            if (s.sessionPolicy().refusesUser(cmd.argument(), line)) {
                return;
            }
            s.setUser(cmd.argument());
            s.relay(line, Verbs.USER);
            return;
        }
        // Re-login on the same connection: the destination cannot change mid-session.
        Target t = Target.parse(cmd.argument());
        if (t == null || !s.server().destinationHost().equalsIgnoreCase(t.host())
                || s.server().remote().getPort() != t.port()) {
            s.refuse(Reason.DESTINATION_INVALID, cmd.toLine(),
                    FtpReply.of(530, "Already connected to " + s.server().destination() + "; reconnect to change server."));
            return;
        }
        if (s.sessionPolicy().refusesUser(t.user(), line)) {
            return;
        }
        s.setUser(t.user());
        s.relay(Verbs.USER + " " + t.user(), Verbs.USER);
    }

    private void connect(FtpCommand cmd) {
        Target t = Target.parse(cmd.argument());
        if (t == null) {
            s.refuse(Reason.DESTINATION_INVALID, cmd.toLine(),
                    FtpReply.of(530, "Log in as USER user@host[:port] to name the server to reach."));
            return;
        }
        if (s.sessionPolicy().refusesUser(t.user(), cmd.toLine())) {
            return;
        }
        // Name and port are checked as typed, before any lookup is made on the client's behalf.
        String why = s.ctx().config().listenerPolicy().destinations().refuseName(t.host(), t.port());
        if (why != null && s.policyRefuses(Reason.DESTINATION_NOT_ALLOWED, cmd.toLine() + " (" + why + ")",
                FtpReply.of(530, "Destination not allowed by gateway policy."))) {
            return;
        }
        s.setUser(t.user());
        s.beginLocal();
        // Name resolution blocks, so it runs on the resolver pool and the result comes back to the session loop.
        CompletableFuture.supplyAsync(() -> resolve(t.host()), s.ctx().resolver())
                .whenComplete((addresses, err) -> s.loop().execute(() -> resolved(t, cmd, addresses)));
    }

    private static InetAddress[] resolve(String host) {
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return new InetAddress[0];
        }
    }

    private void resolved(Target t, FtpCommand cmd, InetAddress[] addresses) {
        if (s.isClosed()) {
            return;
        }
        if (addresses == null || addresses.length == 0) {
            s.refuse(Reason.DESTINATION_INVALID, cmd.toLine(), FtpReply.of(530, "Cannot resolve " + t.host() + "."));
            s.endLocal();
            return;
        }
        InetAddress chosen = null;
        for (InetAddress a : addresses) {
            if (s.ctx().addressPolicy().destinationAllowed(a, t.port())) {
                chosen = a;
                break;
            }
        }
        if (chosen == null) {
            if (s.policyRefuses(Reason.DESTINATION_NOT_ALLOWED, cmd.toLine() + " -> "
                    + io.netty.util.NetUtil.toAddressString(addresses[0]), FtpReply.of(530, "Destination not allowed by gateway policy."))) {
                s.endLocal();
                return;
            }
            chosen = addresses[0]; // monitor mode: recorded, not enforced
        }
        InetSocketAddress target = new InetSocketAddress(chosen, t.port());
        String name = new HostAndPort(t.host(), t.port()).toString();
        new UpstreamConnect(s, List.of(new UpstreamPool.Member(name, target)), null,
                login(t.user(), FtpReply.of(530, "Cannot reach " + name + "."))).start();
        s.endLocal();
    }

    /** The parts of {@code user@host[:port]}; the last '@' separates, so user names may contain '@'. */
    record Target(String user, String host, int port) {
        static Target parse(String argument) {
            int at = argument.lastIndexOf('@');
            if (at <= 0 || at == argument.length() - 1) {
                return null;
            }
            try {
                HostAndPort hp = HostAndPort.parse(argument.substring(at + 1), FTP_PORT);
                if (hp.port() == 0 || !HOST.matcher(hp.host()).matches()) {
                    return null;
                }
                return new Target(argument.substring(0, at), hp.host(), hp.port());
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }
}
