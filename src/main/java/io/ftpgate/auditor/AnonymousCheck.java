package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpReply;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * Anonymous access: may {@code anonymous} log in, and may it write? The write test uploads a uniquely named
 * marker into the login directory, then deletes it; a marker that cannot be deleted is reported by name so
 * the administrator can remove it.
 * <pre>
 *   &gt; USER anonymous          &lt; 331 ...
 *   &gt; PASS ***                &lt; 230 ...
 *   &gt; PASV                    &lt; 227 ...
 *   &gt; STOR ftpgate-audit-3f9c2a1b7d4e6f80.txt   &lt; 150 ... &lt; 226 ...   (or 550: refused)
 *   &gt; DELE ftpgate-audit-3f9c2a1b7d4e6f80.txt   &lt; 250 ...
 * </pre>
 */
final class AnonymousCheck implements AuditCheck {

    /** Check id of anonymous login. */
    static final String LOGIN_ID = "anonymous-login";
    /** Check id of anonymous write. */
    static final String WRITE_ID = "anonymous-write";
    /** Prefix of the marker file's name. */
    static final String MARKER_PREFIX = "ftpgate-audit-";
    /** Random bytes in the marker's name, so it never collides with a real file. */
    static final int MARKER_RANDOM_BYTES = 8;
    /** What the marker holds. */
    static final String MARKER_TEXT = "Written by ftpgate audit to test anonymous write access; safe to delete.\n";

    private static final String LOGIN_TITLE = "Anonymous login";
    private static final String WRITE_TITLE = "Anonymous write (STOR in the login directory)";
    private static final String WRITE_MEANING = "Anyone can store files on the server: the CERT tech tip warns that"
            + " uploaded files can be bounced to other services (bypassing export restrictions, forging mail),"
            + " and such servers end up distributing other people's warez and malware.";
    private static final String WRITE_FIX = "Disable anonymous upload unless it is essential; if it is, confine it"
            + " to a write-only incoming directory whose files cannot be read back or listed (vsftpd"
            + " anon_upload_enable=NO, Apache FtpServer: no WritePermission for anonymous).";

    private final SecureRandom random = new SecureRandom();

    @Override
    public List<Finding> run(ProbeContext ctx) {
        return Probes.onSession(ctx, false, List.of(new Probes.Step(LOGIN_ID, LOGIN_TITLE),
                new Probes.Step(WRITE_ID, WRITE_TITLE)), (s, out) -> {
                    s.clearEvidence();
                    FtpReply login = ProbeContext.login(s, AuditOptions.ANONYMOUS, AuditOptions.ANONYMOUS_PASSWORD);
                    if (login.code() != 230) {
                        out.add(new Finding(LOGIN_ID, LOGIN_TITLE, "refused (" + login.code() + ")", Severity.OK,
                                s.evidence(), "The server offers no anonymous access.", ""));
                        out.add(new Finding(WRITE_ID, WRITE_TITLE, "not possible: anonymous login refused",
                                Severity.OK, List.of(), "Without anonymous login there is no anonymous write.", ""));
                        return;
                    }
                    out.add(new Finding(LOGIN_ID, LOGIN_TITLE, "allowed", Severity.LOW, s.evidence(),
                            "Anyone can log in and read what the anonymous user can read. Fine for a public"
                                    + " archive, as long as it is intended and confined to public files.",
                            "If the server is not meant to be public: vsftpd anonymous_enable=NO, Apache FtpServer"
                                    + " anonymous-enabled=false, pyftpdlib: no add_anonymous()."));
                    s.clearEvidence();
                    out.add(write(ctx, s));
                });
    }

    private Finding write(ProbeContext ctx, ControlSession s) throws IOException {
        String name = MARKER_PREFIX + HexFormat.of().formatHex(randomBytes()) + ".txt";
        InetSocketAddress data = new InetSocketAddress(s.remote().getAddress(), Probes.passive(s).port());
        FtpReply stor;
        FtpReply fin = null;
        try (Socket d = Probes.connect(null, data, ctx.timeout())) {
            stor = s.command("STOR " + name);
            if (stor.isPreliminary()) {
                OutputStream out = d.getOutputStream();
                out.write(MARKER_TEXT.getBytes(StandardCharsets.US_ASCII));
                // Half-close: the FIN ends the upload (RFC 959 stream mode) while the socket stays ours to close.
                d.shutdownOutput();
                fin = s.next();
            }
        }
        if (!stor.isPreliminary() && !stor.isPositiveCompletion()) {
            return new Finding(WRITE_ID, WRITE_TITLE, "refused (" + stor.code() + ")", Severity.OK, s.evidence(),
                    "Anonymous users cannot store files in their login directory.", "");
        }
        FtpReply dele = s.command("DELE " + name);
        boolean stored = fin == null || fin.isPositiveCompletion();
        if (!stored && !dele.isPositiveCompletion()) {
            return new Finding(WRITE_ID, WRITE_TITLE, "refused (" + fin.code() + " after the upload began)",
                    Severity.OK, s.evidence(), "Anonymous users cannot store files in their login directory.", "");
        }
        String verdict = dele.isPositiveCompletion() ? "allowed: stored and deleted " + name
                : "allowed: stored " + name + ", DELE failed (" + dele.code() + "): remove it by hand";
        return new Finding(WRITE_ID, WRITE_TITLE, verdict, Severity.HIGH, s.evidence(), WRITE_MEANING, WRITE_FIX);
    }

    private byte[] randomBytes() {
        byte[] b = new byte[MARKER_RANDOM_BYTES];
        random.nextBytes(b);
        return b;
    }
}
