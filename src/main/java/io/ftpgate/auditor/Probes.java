package io.ftpgate.auditor;

import io.ftpgate.protocol.DataAddresses;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.FtpSyntaxException;
import io.ftpgate.protocol.HostPort;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Shared steps and limits of the checks: passive-mode replies, data connections, address forms. */
final class Probes {

    /** How long {@code QUIT} may take before the auditor just closes the socket. */
    static final Duration QUIT_WAIT = Duration.ofMillis(500);
    /**
     * How long to wait for a reply that may never come, e.g. the verdict on an impostor data connection; a
     * server that says nothing in this time is waiting for the real client. Never longer than the timeout.
     */
    static final Duration SETTLE = Duration.ofSeconds(1);

    /** What {@link #passive} learned. */
    record Passive(FtpReply reply, HostPort advertised, int port) {
    }

    private Probes() {
    }

    /** {@link #SETTLE}, or the timeout when that is shorter. */
    static Duration settle(Duration timeout) {
        return timeout.compareTo(SETTLE) < 0 ? timeout : SETTLE;
    }

    /**
     * Enters passive mode: {@code PASV} on IPv4 (the 227 carries an address to compare), {@code EPSV} on IPv6.
     *
     * @throws IOException when the server refuses or its reply cannot be parsed
     */
    static Passive passive(ControlSession s) throws IOException {
        boolean v4 = s.remote().getAddress() instanceof Inet4Address;
        FtpReply reply = s.command(v4 ? "PASV" : "EPSV");
        try {
            if (v4 && reply.code() == 227) {
                HostPort hp = DataAddresses.parsePasvReply(reply.text());
                return new Passive(reply, hp, hp.port());
            } else if (!v4 && reply.code() == 229) {
                return new Passive(reply, null, DataAddresses.parseEpsvReply(reply.text()));
            }
        } catch (FtpSyntaxException e) {
            throw new IOException("cannot parse the passive-mode reply: " + e.getMessage());
        }
        throw new IOException((v4 ? "PASV" : "EPSV") + " was refused: " + ControlSession.show(reply));
    }

    /**
     * The active-mode command naming {@code address:port}: {@code PORT 127,0,0,2,156,65} for IPv4 unless
     * {@code eprt}, else {@code EPRT |1|127.0.0.2|40001|} or {@code EPRT |2|::1|40001|}.
     */
    static String activeCommand(InetAddress address, int port, boolean eprt) {
        if (!eprt && address instanceof Inet4Address v4) {
            return "PORT " + DataAddresses.formatPort(v4, port);
        }
        return "EPRT " + DataAddresses.formatEprt(address, port);
    }

    /**
     * Opens a data connection to {@code to}, from {@code local} when it is not null (the theft check's
     * impostor comes from the third-party address).
     */
    static Socket connect(InetAddress local, InetSocketAddress to, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            if (local != null) {
                s.bind(new InetSocketAddress(local, 0));
            }
            s.connect(to, ControlSession.millis(timeout));
            s.setSoTimeout(ControlSession.millis(timeout));
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** {@code 127.0.0.1:2121} or {@code [::1]:2121}. */
    static String show(InetSocketAddress a) {
        return show(a.getAddress()) + ":" + a.getPort();
    }

    /** {@code 127.0.0.1} or {@code [::1]}. */
    static String show(InetAddress a) {
        String s = NetUtil.toAddressString(a);
        return a instanceof Inet6Address ? "[" + s + "]" : s;
    }

    /** {@code 5 s} or {@code 500 ms}, for messages. */
    static String show(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** One finding a check produces, in order: its id and title, for an inconclusive verdict. */
    record Step(String id, String title) {
    }

    /** The body of a check: adds its findings, in the order of its steps, to {@code out}. */
    interface Body {
        void run(ControlSession s, List<Finding> out) throws IOException;
    }

    /** How a check's session is opened: {@link ProbeContext#connect}, {@link ProbeContext#login}, or under TLS. */
    interface Opener {
        ControlSession open() throws IOException;
    }

    /**
     * Runs {@code body} on a new session (logged in as the audit user when {@code login}, else just greeted,
     * its greeting kept as evidence) and closes it. An I/O failure becomes an inconclusive finding for the
     * first step the body had not reported yet, with the session's evidence so far.
     */
    static List<Finding> onSession(ProbeContext ctx, boolean login, List<Step> steps, Body body) {
        return onSession(login ? ctx::login : ctx::connect, steps, body);
    }

    /** As {@link #onSession(ProbeContext, boolean, List, Body)}, on a session {@code opener} opens. */
    static List<Finding> onSession(Opener opener, List<Step> steps, Body body) {
        List<Finding> out = new ArrayList<>();
        ControlSession s = null;
        try {
            s = opener.open();
            body.run(s, out);
        } catch (IOException e) {
            Step next = steps.get(Math.min(out.size(), steps.size() - 1));
            out.add(inconclusive(next.id(), next.title(), e, s == null ? List.of() : s.evidence()));
        } finally {
            if (s != null) {
                s.close();
            }
        }
        return out;
    }

    /**
     * A check that could not run because the server has no working TLS; severity info, so that every FTPS
     * check has a finding and scripts can rely on its name.
     */
    static Finding notTested(String check, String title, String why) {
        return new Finding(check, title, "not tested: " + why, Severity.INFO, List.of(),
                "This check needs a TLS control connection, and the server gave none (see auth-tls).", "");
    }

    /** A check that ran into an error it cannot judge; severity info. */
    static Finding inconclusive(String check, String title, IOException e, List<Evidence> evidence) {
        return new Finding(check, title, "inconclusive: " + e.getMessage(), Severity.INFO, evidence,
                "The check could not finish, so it says nothing about the server either way.",
                "Rerun with a longer --timeout; if it persists, check the server's logs for this session.");
    }
}
