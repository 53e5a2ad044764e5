package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpReply;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * One active-mode probe, shared by the bounce and privileged-port checks: name an address and port, ask for
 * a listing, and see whether (and where) the server connects.
 * <pre>
 *   &gt; PORT 127,0,0,2,156,65      &lt; 200 PORT command successful.
 *   &gt; LIST                       &lt; 150 Here comes the directory listing.
 *   (the server connects to 127.0.0.2:40001, or to the client, or nowhere)
 *                                 &lt; 226 Directory send OK.
 * </pre>
 */
final class ActiveProbe {

    /** How long to look for a connection after the server refused LIST outright (it should never come). */
    static final Duration AFTER_REFUSAL = Duration.ofMillis(100);

    /**
     * What happened.
     *
     * @param portReply the reply to PORT/EPRT
     * @param listReply the first reply to LIST, or {@code null} when LIST was not sent
     * @param caught    the connection the server made to the trap, if any
     */
    record Outcome(FtpReply portReply, FtpReply listReply, Optional<DataTrap.Caught> caught) {

        /** True when the server accepted PORT/EPRT. */
        boolean accepted() {
            return portReply.isPositiveCompletion();
        }
    }

    private ActiveProbe() {
    }

    /**
     * Sends PORT (or EPRT) naming {@code named:trap.port()}, then, if accepted and {@code trap} is not null, LIST,
     * and waits up to the session's timeout for the server to connect to the trap.
     *
     * @param port the port to name when {@code trap} is null
     */
    static Outcome run(ControlSession s, DataTrap trap, InetAddress named, int port, boolean eprt)
            throws IOException {
        FtpReply portReply = s.command(Probes.activeCommand(named, trap == null ? port : trap.port(), eprt));
        if (!portReply.isPositiveCompletion() || trap == null) {
            return new Outcome(portReply, null, Optional.empty());
        }
        FtpReply listReply = s.command("LIST");
        Optional<DataTrap.Caught> caught = trap.await(listReply.isPreliminary() ? s.timeout() : AFTER_REFUSAL);
        caught.ifPresent(c -> s.note("server connected from " + Probes.show(c.from()) + " to "
                + Probes.show(c.listener()) + " and sent " + c.bytes() + " bytes"));
        if (listReply.isPreliminary()) {
            if (caught.isEmpty()) {
                s.note("no connection reached " + Probes.show(named) + ":" + trap.port() + " within "
                        + Probes.show(s.timeout()));
            }
            s.poll(caught.isPresent() ? s.timeout() : Probes.settle(s.timeout()));
        }
        return new Outcome(portReply, listReply, caught);
    }
}
