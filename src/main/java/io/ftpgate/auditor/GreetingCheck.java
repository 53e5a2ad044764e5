package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the server says about itself: the banner and SYST (after login when the server wants one first). Whether
 * it offers TLS is {@link TlsCheck}'s.
 */
final class GreetingCheck implements AuditCheck {

    /** Check id of banner disclosure. */
    static final String BANNER_ID = "banner";
    /** Check id of SYST disclosure. */
    static final String SYST_ID = "syst";

    /** Server products whose name in a banner or SYST reply gives them away. */
    static final Pattern PRODUCT = Pattern.compile("(?i)\\b(?:vsftpd|proftpd|pure-ftpd|filezilla|serv-u|wu-ftpd"
            + "|pyftpdlib|microsoft ftp|apache ftpserver|glftpd|crushftp|bftpd)\\b");
    /**
     * A version number: two or three dot-separated numbers ({@code 3.0.3}, {@code 1.5}) not inside a longer
     * dotted run, so an IPv4 address such as {@code 10.0.0.1} in a banner does not count.
     */
    static final Pattern VERSION = Pattern.compile("(?<![\\d.])\\d+\\.\\d+(?:\\.\\d+)?(?![\\d.])");

    private static final String DISCLOSURE_MEANING = "The server names its software (and version), so an attacker"
            + " can pick exploits for exactly that release without probing further.";
    private static final String BANNER_FIX = "Set a neutral banner (vsftpd ftpd_banner, ProFTPD ServerIdent off,"
            + " pyftpdlib FTPHandler.banner).";

    @Override
    public List<Finding> run(ProbeContext ctx) {
        String bannerTitle = "Banner discloses software or version";
        String systTitle = "SYST discloses software or version";
        return Probes.onSession(ctx, false, List.of(
                new Probes.Step(BANNER_ID, bannerTitle), new Probes.Step(SYST_ID, systTitle)), (s, out) -> {
                    out.add(disclosure(BANNER_ID, bannerTitle, s.banner(), s.evidence(), BANNER_FIX));
                    s.clearEvidence();
                    FtpReply syst = s.command("SYST");
                    if (syst.code() == 530) {
                        ProbeContext.login(s, ctx.options().loginUser(), ctx.options().loginPassword());
                        syst = s.command("SYST");
                    }
                    out.add(disclosure(SYST_ID, systTitle, syst, s.evidence(),
                            "Answer SYST with the plain '215 UNIX Type: L8'."));
                });
    }

    /** The matched product or version in {@code text}, if any. */
    static Optional<String> disclosed(String text) {
        List<String> found = new ArrayList<>();
        for (Pattern p : List.of(PRODUCT, VERSION)) {
            Matcher m = p.matcher(text);
            if (m.find()) {
                found.add(m.group());
            }
        }
        return found.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", found));
    }

    private static Finding disclosure(String id, String title, FtpReply reply, List<Evidence> ev, String fix) {
        Optional<String> what = disclosed(reply.text());
        if (what.isPresent()) {
            return new Finding(id, title, "discloses '" + what.get() + "'", Severity.LOW, ev, DISCLOSURE_MEANING,
                    fix);
        }
        return new Finding(id, title, "neutral (" + reply.code() + ")", Severity.OK, ev,
                "No product name or version number is given away.", "");
    }
}
