package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpReply;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which CERT category the server is in: PORT (and EPRT) naming a third-party address that the auditor itself
 * listens on, then LIST.
 * <ul>
 *   <li>the server connects to the third party: category 1, strict RFC 959 conformance, bounce-capable;</li>
 *   <li>it refuses (5xx to PORT, or 425 to LIST without connecting): category 2, strict suppression;</li>
 *   <li>it connects to the client's own address instead: redirected, as safe as category 2.</li>
 * </ul>
 */
final class BounceCheck implements AuditCheck {

    /** Check id of the PORT probe. */
    static final String PORT_ID = "bounce-port";
    /** Check id of the EPRT probe. */
    static final String EPRT_ID = "bounce-eprt";

    private static final String CATEGORY_1 = "CERT category 1 (strict RFC 959 conformance): the server connects"
            + " wherever PORT says. Anyone who can log in can make it scan ports, reach hosts your packet filter"
            + " protects (the CERT example: an internal web server on port 8080) and replay uploaded files to other"
            + " services, with this server as the visible source: the FTP bounce attack.";
    private static final String CATEGORY_1_FIX = "Make the server connect only back to the client ('strict"
            + " suppression'): vsftpd port_promiscuous=NO, pyftpdlib permit_foreign_addresses=False, Apache"
            + " FtpServer active-ip-check=true, ProFTPD AllowForeignAddress off; or put ftpgate in front of it.";
    private static final String CATEGORY_2 = "CERT category 2 (strict suppression): the server will not open a"
            + " data connection to any host but the client, as the CERT tech tip recommends; the bounce attack"
            + " cannot use it.";
    private static final String REDIRECTED = "The server takes only the port from PORT and connects back to the"
            + " client's own address, so the bounce attack cannot reach a third party (as safe as category 2).";
    private static final String UNCLEAR = "The server accepted a data port on a third-party address and started"
            + " a transfer, but no connection arrived: it may be bounce-capable with its outbound connections"
            + " blocked by a firewall, so its category is unknown.";
    private static final String UNCLEAR_FIX = "Rerun with a longer --timeout or a third-party address the server"
            + " can reach; configure strict suppression regardless (see the bounce fix for your server).";

    /** How servers word a 500 for a verb they do not implement. */
    private static final Pattern UNKNOWN_VERB =
            Pattern.compile("(?i)unknown|not (?:understood|implemented|recogni[sz]ed)|unrecogni[sz]ed");

    @Override
    public List<Finding> run(ProbeContext ctx) {
        List<Finding> findings = new ArrayList<>();
        if (ctx.server().getAddress() instanceof Inet4Address) {
            findings.add(probe(ctx, false));
        }
        findings.add(probe(ctx, true));
        return findings;
    }

    private static Finding probe(ProbeContext ctx, boolean eprt) {
        String id = eprt ? EPRT_ID : PORT_ID;
        String verb = eprt ? "EPRT" : "PORT";
        String title = "FTP bounce via " + verb + " to a third party";
        if (ctx.thirdParty() == null) {
            return new Finding(id, title, "not tested: " + ctx.noThirdParty(), Severity.INFO, List.of(),
                    "Without a third-party address the auditor cannot tell whether the server is category 1 or 2.",
                    "Pass --third-party with another address of this host that the server can reach.");
        }
        return Probes.onSession(ctx, true, List.of(new Probes.Step(id, title)), (s, out) -> {
            try (DataTrap trap = DataTrap.listen(List.of(ctx.thirdParty(), ctx.client()), 0)) {
                out.add(verdict(id, title, verb, ActiveProbe.run(s, trap, ctx.thirdParty(), 0, eprt), ctx, s));
            }
        }).get(0);
    }

    /**
     * True when the reply says the verb is unknown rather than refused: {@code 502}, or a {@code 500} such as
     * {@code 500 Unknown command.} (vsftpd's refusal is also a 500: {@code 500 Illegal EPRT command.}).
     */
    static boolean unsupported(FtpReply reply) {
        return reply.code() == 502 || (reply.code() == 500 && UNKNOWN_VERB.matcher(reply.text()).find());
    }

    private static Finding verdict(String id, String title, String verb, ActiveProbe.Outcome o, ProbeContext ctx,
            ControlSession s) {
        List<Evidence> ev = s.evidence();
        if (o.caught().isPresent()) {
            boolean toThirdParty = o.caught().get().listener().getAddress().equals(ctx.thirdParty());
            return toThirdParty
                    ? new Finding(id, title, "category 1: connected to the third party", Severity.HIGH, ev,
                            CATEGORY_1, CATEGORY_1_FIX)
                    : new Finding(id, title, "redirected: connected to the client instead", Severity.OK, ev,
                            REDIRECTED, "");
        }
        int code = o.portReply().code();
        if (!o.accepted()) {
            if (verb.equals("EPRT") && unsupported(o.portReply())) {
                return new Finding(id, title, "not supported (" + code + ")", Severity.OK, ev,
                        "The server does not implement EPRT, so EPRT cannot be used for a bounce.", "");
            }
            return new Finding(id, title, "category 2: " + verb + " refused (" + code + ")", Severity.OK, ev,
                    CATEGORY_2, "");
        }
        int list = o.listReply().code();
        if (o.listReply().isPreliminary()) {
            return new Finding(id, title, "unknown: " + verb + " accepted, no connection arrived", Severity.MEDIUM,
                    ev, UNCLEAR, UNCLEAR_FIX);
        }
        if (list == 425) {
            return new Finding(id, title, "category 2: " + verb + " accepted, LIST refused (425) without connecting",
                    Severity.OK, ev, CATEGORY_2, "");
        }
        return new Finding(id, title, "inconclusive: LIST answered " + list, Severity.INFO, ev,
                "The listing was refused for another reason, so the server never had to decide where to connect.",
                "Audit with a user that may list its home directory (--user/--password).");
    }
}
