package io.ftpgate.auditor;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import javax.net.ssl.SSLException;

/**
 * {@code implicit-ftps}: whether one port speaks implicit FTPS (TLS from the first byte, then the 220 greeting
 * over TLS; by convention port 990). Only the port given with {@code --implicit-port}, or the audited port when
 * it is 990, is probed: the auditor does not scan. When the handshake fails, a cleartext connection tells a plain
 * FTP server on that port from no FTP at all.
 */
final class ImplicitCheck implements AuditCheck {

    /** Check id. */
    static final String ID = "implicit-ftps";
    /** Check title. */
    static final String TITLE = "Implicit FTPS (TLS from the first byte)";

    private static final String NO_FTPS = "Clients configured for implicit FTPS cannot use this port; explicit FTPS"
            + " (AUTH TLS, see auth-tls) is the standard way and needs no port of its own.";

    /** The finding for the implicit port, or none when no port is to be probed. */
    @Override
    public List<Finding> run(ProbeContext ctx) {
        OptionalInt port = ctx.options().implicitProbePort();
        if (port.isEmpty()) {
            return List.of();
        }
        InetSocketAddress target = new InetSocketAddress(ctx.server().getAddress(), port.getAsInt());
        String where = "port " + port.getAsInt();
        try (ControlSession s = ControlSession.open(target, ctx.timeout(), ctx.tlsClient(TlsClient.MODERN))) {
            return List.of(new Finding(ID, TITLE, "speaks implicit FTPS on " + where + " (" + s.tls().protocol()
                    + ", greeting " + s.banner().code() + ")", Severity.OK, s.evidence(),
                    "Clients that start TLS at once (implicit FTPS, port 990) are served over TLS.", ""));
        } catch (ConnectException e) {
            return List.of(new Finding(ID, TITLE, "nothing listening on " + where, Severity.INFO,
                    List.of(Evidence.observed("connect to " + Probes.show(target) + ": " + e.getMessage())), NO_FTPS,
                    ""));
        } catch (SSLException e) {
            return List.of(cleartext(ctx, target, where, "TLS handshake on " + Probes.show(target) + " failed: "
                    + e.getMessage()));
        } catch (IOException e) {
            return List.of(new Finding(ID, TITLE, "no implicit FTPS on " + where + ": " + e.getMessage(),
                    Severity.INFO, List.of(Evidence.observed(Probes.show(target) + ": " + e.getMessage())), NO_FTPS,
                    ""));
        }
    }

    /** The handshake failed: does the port greet in clear? */
    private static Finding cleartext(ProbeContext ctx, InetSocketAddress target, String where, String failure) {
        try (ControlSession s = ControlSession.open(target, Probes.settle(ctx.timeout()))) {
            List<Evidence> ev = new ArrayList<>(List.of(Evidence.observed(failure)));
            ev.add(Evidence.observed("then, in clear:"));
            ev.addAll(s.evidence());
            return new Finding(ID, TITLE, "cleartext FTP on " + where + ", not implicit FTPS (greeting "
                    + s.banner().code() + " in clear)", Severity.INFO, ev, NO_FTPS
                    + " This port greets in clear, so it is one more cleartext FTP port.", "");
        } catch (IOException e) {
            return new Finding(ID, TITLE, "no implicit FTPS on " + where + ": the TLS handshake failed",
                    Severity.INFO, List.of(Evidence.observed(failure),
                            Evidence.observed("no greeting in clear either: " + e.getMessage())), NO_FTPS, "");
        }
    }
}
