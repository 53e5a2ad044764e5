package io.ftpgate.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * FEAT (RFC 2389) rewriting. The gateway owns the data channel and reads the control channel in clear, so the
 * server's data-address and security features are replaced by the gateway's own:
 * <pre>
 *   server                      client sees
 *   211-Features:               211-Features:
 *    EPRT                        MDTM
 *    MDTM                        UTF8
 *    AUTH TLS                    EPRT
 *    PBSZ                        EPSV
 *    UTF8                       211 End
 *   211 End
 * </pre>
 */
public final class Features {

    /**
     * Feature names owned by the gateway (compared case-insensitively): the data-address forms it brokers
     * itself, and the RFC 2228/4217 security features, because TLS on the control channel would blind it.
     * {@code AUTH} also drops every {@code AUTH*} name.
     */
    private static final Set<String> OWNED = Set.of("EPRT", "EPSV", "LPRT", "LPSV", "PBSZ", "PROT", "CCC");

    /** The features the gateway adds: it serves RFC 2428 to every client. */
    private static final List<String> ADDED = List.of(" EPRT", " EPSV");
    /** Added when the listener offers FTPS to clients (RFC 4217 §6): TLS is then the gateway's, not the server's. */
    private static final List<String> TLS = List.of(" AUTH TLS", " PBSZ", " PROT");

    private Features() {
    }

    /**
     * Rewrites the server's FEAT reply into a regenerated 211 multi-line reply: the server's feature lines minus
     * those in the owned set, each with exactly one leading space, plus {@code " EPRT"} and {@code " EPSV"}. When
     * the server's reply is not 2xx (for example {@code 500 FEAT not understood}), the result lists only EPRT and
     * EPSV, since the gateway itself supports them. A 4xx or a 530 is different: the server will answer later
     * (typically after login), so it is passed on unchanged and the client asks again then; answering with a
     * short list instead would hide MLST, SIZE, REST STREAM... for the whole session (lftp never re-asks).
     */
    public static FtpReply rewriteFeat(FtpReply serverReply) {
        return rewriteFeat(serverReply, false);
    }

    /** As {@link #rewriteFeat(FtpReply)}, also listing AUTH TLS, PBSZ and PROT when {@code tls} is offered. */
    public static FtpReply rewriteFeat(FtpReply serverReply, boolean tls) {
        int code = serverReply.code();
        if (code == 530 || (code >= 400 && code < 500)) {
            return serverReply;
        }
        List<String> out = new ArrayList<>();
        out.add("Features:");
        if (serverReply.isPositiveCompletion()) {
            List<String> lines = serverReply.lines();
            String codePrefix = serverReply.code() + "-";
            for (int i = 1; i < lines.size() - 1; i++) {
                String feature = lines.get(i);
                // Some servers repeat "211-" on every line; RFC 2389 §3 wants one leading space instead.
                if (feature.startsWith(codePrefix)) {
                    feature = feature.substring(codePrefix.length());
                }
                feature = feature.strip();
                if (!feature.isEmpty() && !isOwned(feature)) {
                    out.add(" " + feature);
                }
            }
        }
        out.addAll(ADDED);
        if (tls) {
            out.addAll(TLS);
        }
        out.add("End");
        return FtpReply.multiLine(211, out);
    }

    private static boolean isOwned(String feature) {
        int sp = feature.indexOf(' ');
        String name = (sp < 0 ? feature : feature.substring(0, sp)).toUpperCase(Locale.ROOT);
        return OWNED.contains(name) || name.startsWith("AUTH");
    }
}
