package io.ftpgate.auditor;

import java.io.IOException;
import java.net.Inet6Address;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;

/**
 * PORT naming the auditor's own address with a port below 1024. The auditor listens there when this host lets
 * it (root, or {@code net.ipv4.ip_unprivileged_port_start}); otherwise the server's acceptance reply is the
 * evidence and no LIST is sent, so the server never connects to whatever really listens on that port.
 */
final class PrivilegedPortCheck implements AuditCheck {

    /** Check id. */
    static final String ID = "privileged-port";
    /** Lowest port tried: above the well-known services most hosts run (22, 25, 80, 443...). */
    static final int LOWEST = 600;
    /** Highest privileged port (RFC 6335: system ports are 0-1023). */
    static final int HIGHEST = 1023;
    /** Ports tried for the listener before falling back to the reply alone. */
    static final int LISTEN_ATTEMPTS = 10;

    private static final String TITLE = "PORT naming a privileged port (below 1024)";
    private static final String MEANING = "A data connection to a port below 1024 reaches a system service: the"
            + " CERT tech tip's 'bypassing export restrictions' bounces an uploaded file of mail commands into an"
            + " SMTP server on port 25. A server that accepts such ports lends itself to attacks on services even"
            + " of hosts that share the client's address (behind NAT).";
    private static final String FIX = "Refuse PORT/EPRT below 1024: vsftpd port_promiscuous=NO (the default),"
            + " pyftpdlib permit_privileged_ports=False (the default), ProFTPD AllowForeignAddress off; or put"
            + " ftpgate in front of it (it refuses them as port-privileged).";

    private final Random random = new SecureRandom();

    @Override
    public List<Finding> run(ProbeContext ctx) {
        boolean eprt = ctx.client() instanceof Inet6Address;
        return Probes.onSession(ctx, true, List.of(new Probes.Step(ID, TITLE)), (s, out) -> {
            try (DataTrap trap = listen(ctx)) {
                int port = trap != null ? trap.port() : LOWEST + random.nextInt(HIGHEST - LOWEST + 1);
                if (trap == null) {
                    s.note("this host does not let the auditor listen below 1024, so only the reply is judged");
                }
                out.add(verdict(ActiveProbe.run(s, trap, ctx.client(), port, eprt), trap != null, port, s));
            }
        });
    }

    private static Finding verdict(ActiveProbe.Outcome o, boolean listened, int port, ControlSession s) {
        List<Evidence> ev = s.evidence();
        if (!o.accepted()) {
            return new Finding(ID, TITLE, "refused (" + o.portReply().code() + ")", Severity.OK, ev,
                    "The server refuses data connections to privileged ports, as the CERT tech tip recommends.", "");
        }
        String verdict = o.caught().isPresent() ? "accepted: connected to port " + port
                : !listened ? "accepted (" + o.portReply().code() + ")"
                : "accepted, but LIST " + o.listReply().code() + " without connecting";
        Severity severity = o.caught().isPresent() || !listened ? Severity.MEDIUM : Severity.LOW;
        return new Finding(ID, TITLE, verdict, severity, ev, MEANING, FIX);
    }

    /** A listener on a random privileged port of the client address, or {@code null} when none can be bound. */
    private DataTrap listen(ProbeContext ctx) {
        for (int i = 0; i < LISTEN_ATTEMPTS; i++) {
            int port = LOWEST + random.nextInt(HIGHEST - LOWEST + 1);
            try {
                return DataTrap.listen(List.of(ctx.client()), port);
            } catch (IOException e) {
                // Not allowed (no privilege) or in use: try another, then give up and judge the reply alone.
            }
        }
        return null;
    }
}
