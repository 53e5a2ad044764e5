package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpReply;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/**
 * Data-connection theft: after PASV, an impostor connects to the advertised port first, from the third-party
 * address, and the auditor then asks for a listing. A server that serves the impostor hands any client's file
 * to whoever guessed the port (vsftpd {@code pasv_promiscuous=YES}, Apache FtpServer
 * {@code passive-ip-check=false}, pyftpdlib {@code permit_foreign_addresses=True}).
 * <pre>
 *   &gt; PASV  &lt; 227 Entering Passive Mode (127,0,0,1,156,64).
 *   (impostor 127.0.0.2 connects to 127.0.0.1:40000)
 *   &gt; LIST  &lt; 150 ...  then the listing on the impostor's connection and 226: stolen
 *                        or the impostor is closed and 425 (or silence until the real client connects): safe
 * </pre>
 */
final class TheftCheck implements AuditCheck {

    /** Check id. */
    static final String ID = "data-theft";
    /** How long to wait for an unsolicited verdict on the impostor before sending LIST. */
    static final Duration EARLY_VERDICT = Duration.ofMillis(300);

    private static final String TITLE = "Passive data connection taken by a third party";
    private static final String STOLEN = "The server hands a passive data connection to whoever connects first,"
            + " from any address: anyone who guesses the port (see passive-ports) receives the client's download"
            + " or supplies its upload. It is the passive-mode twin of the bounce attack: the server does not"
            + " insist that data connections belong to the client of the control connection.";
    private static final String STOLEN_FIX = "Accept passive data connections only from the control connection's"
            + " address: vsftpd pasv_promiscuous=NO, Apache FtpServer passive-ip-check=true, pyftpdlib"
            + " permit_foreign_addresses=False; or put ftpgate in front (its pinholes accept only the client).";
    private static final String SAFE = "The server refused the impostor's data connection and only serves the"
            + " client of the control connection.";

    @Override
    public List<Finding> run(ProbeContext ctx) {
        if (ctx.thirdParty() == null) {
            return List.of(new Finding(ID, TITLE, "not tested: " + ctx.noThirdParty(), Severity.INFO, List.of(),
                    "Without a third-party address the auditor cannot pose as an impostor.",
                    "Pass --third-party with another address of this host that can reach the server."));
        }
        return Probes.onSession(ctx, true, List.of(new Probes.Step(ID, TITLE)),
                (s, out) -> out.add(probe(ctx, s)));
    }

    private static Finding probe(ProbeContext ctx, ControlSession s) throws IOException {
        Duration settle = Probes.settle(ctx.timeout());
        InetSocketAddress data = new InetSocketAddress(s.remote().getAddress(), Probes.passive(s).port());
        long stolen;
        FtpReply early;
        FtpReply fin;
        try (Socket impostor = Probes.connect(ctx.thirdParty(), data, ctx.timeout())) {
            s.note("impostor connected from " + Probes.show((InetSocketAddress) impostor.getLocalSocketAddress())
                    + " to " + Probes.show(data) + " before the client");
            early = s.poll(EARLY_VERDICT.compareTo(settle) < 0 ? EARLY_VERDICT : settle);
            FtpReply first = s.command("LIST", settle);
            stolen = DataTrap.drain(impostor, ctx.timeout());
            s.note("the impostor received " + stolen + " bytes");
            fin = first != null && !first.isPreliminary() ? first : s.poll(settle);
        } catch (java.net.ConnectException e) {
            s.note("the impostor could not connect to " + Probes.show(data) + ": " + e.getMessage());
            return new Finding(ID, TITLE, "refused: the impostor could not connect", Severity.OK, s.evidence(),
                    SAFE, "");
        }
        if (stolen > 0 || (fin != null && fin.isPositiveCompletion())) {
            return new Finding(ID, TITLE, "stolen: the server served the impostor", Severity.HIGH, s.evidence(),
                    STOLEN, STOLEN_FIX);
        }
        if (refusal(early) || refusal(fin)) {
            return new Finding(ID, TITLE, "refused: impostor rejected (" + (refusal(fin) ? fin : early).code() + ")",
                    Severity.OK, s.evidence(), SAFE, "");
        }
        return realClient(ctx, s, data);
    }

    /**
     * The server neither served nor refused the impostor: it may be waiting for the real client. Connect as the
     * client; a completed transfer then proves the impostor was turned away.
     */
    private static Finding realClient(ProbeContext ctx, ControlSession s, InetSocketAddress data) throws IOException {
        boolean connected;
        try (Socket client = Probes.connect(ctx.client(), data, ctx.timeout())) {
            s.note("the real client connected from " + Probes.show(ctx.client()) + " and received "
                    + DataTrap.drain(client, ctx.timeout()) + " bytes");
            connected = true;
        } catch (IOException e) {
            s.note("the real client could not connect: " + e.getMessage());
            connected = false;
        }
        FtpReply fin = s.poll(ctx.timeout());
        if (fin != null && fin.isPositiveCompletion()) {
            return connected
                    ? new Finding(ID, TITLE, "refused: impostor dropped, real client served", Severity.OK,
                            s.evidence(), SAFE, "")
                    : new Finding(ID, TITLE, "stolen: the server completed the transfer with the impostor",
                            Severity.HIGH, s.evidence(), STOLEN, STOLEN_FIX);
        }
        if (refusal(fin)) {
            return new Finding(ID, TITLE, "refused (" + fin.code() + ")", Severity.OK, s.evidence(), SAFE, "");
        }
        return Probes.inconclusive(ID, TITLE, new IOException("no transfer completed for either connection"),
                s.evidence());
    }

    private static boolean refusal(FtpReply r) {
        return r != null && r.code() >= 400;
    }
}
