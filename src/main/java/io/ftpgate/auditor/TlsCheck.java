package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpReply;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * {@code auth-tls}: whether the server really speaks TLS, not just whether FEAT says so: {@code FEAT},
 * {@code AUTH TLS}, the handshake, then {@code PBSZ 0} over TLS (on an implicit FTPS port the connection starts with
 * the handshake instead). The same handshake gives {@code tls-certificate} its certificate.
 * <pre>
 *   &gt; FEAT  &lt; 211 ... AUTH TLS ...
 *   &gt; AUTH TLS  &lt; 234 ...  (handshake: TLSv1.3, full)
 *   &gt; PBSZ 0  &lt; 200 ...  (over TLS): offered
 * </pre>
 */
final class TlsCheck {

    /** Check id. */
    static final String ID = "auth-tls";
    /** Check title. */
    static final String TITLE = "TLS offered and working (AUTH TLS, RFC 4217)";

    private static final String NOT_OFFERED_MEANING = "Passwords and files cross the network in cleartext; anyone on"
            + " the path can read them.";
    private static final String NOT_OFFERED_FIX = "Enable FTPS (vsftpd ssl_enable=YES, ProFTPD mod_tls, pyftpdlib"
            + " TLS_FTPHandler) or move named users to SFTP; keep cleartext for anonymous access only. ftpgate in"
            + " front can add it (client-tls: optional or required).";

    private TlsCheck() {
    }

    /** The auth-tls finding, followed by tls-certificate when a handshake succeeded. */
    static List<Finding> run(ProbeContext ctx) {
        return Probes.onSession(ctx, false, List.of(new Probes.Step(ID, TITLE),
                new Probes.Step(CertificateCheck.ID, CertificateCheck.TITLE)), (s, out) -> {
                    TlsClient.Handshake hs = s.tls();
                    if (hs == null) {
                        s.clearEvidence();
                        hs = explicit(ctx, s, out);
                        if (hs == null) {
                            return;
                        }
                    }
                    FtpReply pbsz = s.command("PBSZ 0");
                    out.add(new Finding(ID, TITLE, (ctx.implicit() ? "implicit TLS" : "offered") + ": "
                            + hs.protocol() + ", PBSZ 0 answered over TLS (" + pbsz.code() + ")", Severity.OK,
                            s.evidence(), "Clients can protect their passwords and files with TLS; whether they can"
                                    + " trust it is tls-certificate's question.", ""));
                    out.add(CertificateCheck.run(hs, ctx.options().host(),
                            List.of(Evidence.observed("TLS handshake: " + hs.describe()))));
                });
    }

    /** FEAT, AUTH TLS and the handshake; null (with the finding added) when TLS is not usable. */
    private static TlsClient.Handshake explicit(ProbeContext ctx, ControlSession s, List<Finding> out)
            throws IOException {
        boolean advertised = advertised(s.command("FEAT"));
        FtpReply auth = s.command("AUTH TLS");
        if (auth.code() != 234) {
            out.add(new Finding(ID, TITLE, "not offered (" + auth.code() + ")"
                    + (advertised ? " although FEAT lists AUTH TLS" : ""), Severity.MEDIUM, s.evidence(),
                    NOT_OFFERED_MEANING, NOT_OFFERED_FIX));
            return null;
        }
        try {
            return s.startTls(ctx.tlsClient(TlsClient.MODERN));
        } catch (IOException e) {
            out.add(new Finding(ID, TITLE, "offered (234), but the TLS handshake failed: " + e.getMessage(),
                    Severity.MEDIUM, s.evidence(), "The server announces TLS but no client gets it, so everyone"
                            + " falls back to cleartext (or fails). " + NOT_OFFERED_MEANING,
                    "Check the server's certificate and key files and its TLS versions; its log names the error."));
            return null;
        }
    }

    /** True when a FEAT reply lists {@code AUTH TLS} (RFC 4217 §6: {@code AUTH} followed by the mechanisms). */
    static boolean advertised(FtpReply feat) {
        if (feat.code() != 211) {
            return false;
        }
        for (String line : feat.lines()) {
            String l = line.trim().toUpperCase(Locale.ROOT);
            if (l.startsWith("AUTH ") && List.of(l.substring(5).split("[ ;]")).contains("TLS")) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code findings} (from {@link #run}) show a working TLS control connection. */
    static boolean usable(List<Finding> findings) {
        return findings.stream().anyMatch(f -> f.check().equals(ID) && f.severity() == Severity.OK);
    }
}
