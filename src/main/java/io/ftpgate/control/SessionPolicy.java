package io.ftpgate.control;

import io.ftpgate.event.Reason;
import io.ftpgate.policy.CommandProfile;
import io.ftpgate.policy.ListenerPolicy;
import io.ftpgate.protocol.FtpCommand;
import io.ftpgate.protocol.FtpPaths;
import io.ftpgate.protocol.FtpReply;

/**
 * The policy side of one session: admission when it opens, anonymous rules at USER, the command profile
 * chosen at login, the check of every later command, and the failed-login block.
 *
 * <p>Every verdict goes through {@link Session#policyRefuses}, which records it and, in monitor mode, lets
 * the action through with {@code "enforced": false}. Protocol-safety refusals never come here. Owned by the
 * session's event loop.
 */
final class SessionPolicy {

    private final Session s;
    private final ListenerPolicy listenerPolicy;
    private CommandProfile profile = CommandProfile.FULL;
    private boolean anonymous;
    private boolean counted;

    SessionPolicy(Session session) {
        this.s = session;
        this.listenerPolicy = session.ctx().config().listenerPolicy();
    }

    /**
     * Decides whether the new session may proceed: allow-client, deny-client, then the admission limits.
     *
     * @return null when admitted, else the enforced refusal (the caller closes the session with it)
     */
    Reason admit() {
        FtpReply no = FtpReply.of(421, "Service not available for your address.");
        String addr = io.netty.util.NetUtil.toAddressString(s.clientAddress());
        if (!s.ctx().addressPolicy().clientAllowed(s.clientAddress())
                && s.policyRefuses(Reason.CLIENT_NOT_ALLOWED, addr, no)) {
            return Reason.CLIENT_NOT_ALLOWED;
        }
        if (io.ftpgate.net.Cidr.anyContains(listenerPolicy.denyClient(), s.clientAddress())
                && s.policyRefuses(Reason.CLIENT_DENIED, addr, no)) {
            return Reason.CLIENT_DENIED;
        }
        Reason limit = s.ctx().admission().admit(s.clientAddress());
        if (limit != null) {
            FtpReply busy = limit == Reason.CLIENT_BLOCKED
                    ? FtpReply.of(421, "Too many failed logins from your address; try again later.")
                    : FtpReply.of(421, "Too many sessions; try again later.");
            if (s.policyRefuses(limit, addr, busy)) {
                return limit;
            }
            s.ctx().admission().admitUnchecked(s.clientAddress());
        }
        counted = true;
        return null;
    }

    /** The session ended: give its admission slot back. */
    void release() {
        if (counted) {
            counted = false;
            s.ctx().admission().release(s.clientAddress());
        }
    }

    /** USER: true when the (anonymous) user is refused here and the command must not be relayed. */
    boolean refusesUser(String user, String line) {
        return !listenerPolicy.anonymous() && ListenerPolicy.isAnonymous(user)
                && s.policyRefuses(Reason.ANONYMOUS_DENIED, line,
                        FtpReply.of(530, "Anonymous login is not allowed here."));
    }

    /** Login accepted (230): choose the profile for this user, client and destination. */
    void loggedIn(String user) {
        anonymous = ListenerPolicy.isAnonymous(user);
        profile = s.ctx().gatewayPolicy().profile(
                listenerPolicy.profileFor(user, s.clientAddress(), s.server().address(), s.clientTls().peerSubject()));
        s.ctx().admission().loginSucceeded(s.clientAddress());
    }

    /** True when the session's current directory matters to the policy (anonymous user, incoming area). */
    boolean tracksDirectory() {
        return anonymous && listenerPolicy.incoming() != null;
    }

    /** Login refused: count it, and end the session when the address is now blocked. */
    void loginFailed() {
        if (s.ctx().admission().loginFailed(s.clientAddress())
                && s.policyRefuses(Reason.LOGIN_FAILURES, io.netty.util.NetUtil.toAddressString(s.clientAddress()),
                        FtpReply.of(421, "Too many failed logins; your address is blocked for a while."))) {
            s.closeAfterFlush("client-blocked");
        }
    }

    /** The profile in force (for audit). */
    String profileName() {
        return profile.name();
    }

    /** True when a logged-in session may use {@code cmd}; otherwise the refusal has been sent. */
    boolean permits(FtpCommand cmd, String line) {
        String verb = cmd.verb();
        if (tracksDirectory()) {
            Boolean v = incomingVerdict(cmd, line);
            if (v != null) {
                return v;
            }
        }
        if (anonymous && !listenerPolicy.anonymousWrite() && CommandProfile.WRITE_VERBS.contains(verb)
                && s.policyRefuses(Reason.ANONYMOUS_WRITE_DENIED, line,
                        FtpReply.of(550, "Anonymous users may not write here."))) {
            return false;
        }
        return profile.permits(verb) || !s.policyRefuses(Reason.COMMAND_DENIED, line,
                FtpReply.of(profile.replyCode(), profile.replyText()));
    }

    /** Verbs that read what is in a directory or file. */
    private static final java.util.Set<String> READS = java.util.Set.of("RETR", "LIST", "NLST", "MLSD", "MLST",
            "SIZE", "MDTM", "STAT");
    /** Verbs that change what someone else uploaded. */
    private static final java.util.Set<String> CHANGES = java.util.Set.of("APPE", "DELE", "RNFR", "RNTO", "RMD",
            "XRMD", "MKD", "XMKD");

    /**
     * The incoming-area rule for an anonymous user: uploads (STOR, STOU) are allowed inside the area even
     * though anonymous users may not write elsewhere, and nothing inside it can be listed, downloaded, appended
     * to, renamed or deleted, so the area cannot serve as a drop box for others (the CERT bounce-payload
     * scenario). Returns null when the rule does not decide.
     */
    private Boolean incomingVerdict(FtpCommand cmd, String line) {
        String verb = cmd.verb();
        boolean upload = verb.equals("STOR") || verb.equals("STOU");
        if (!upload && !READS.contains(verb) && !CHANGES.contains(verb)) {
            return null;
        }
        if (verb.equals("STAT") && cmd.argument().isEmpty()) {
            return null; // server status, not a listing
        }
        String cwd = s.directory().path();
        if (cwd == null) {
            // Without a known directory a relative path cannot be placed; refuse rather than guess.
            return !s.policyRefuses(Reason.ANONYMOUS_INCOMING, line,
                    FtpReply.of(550, "Cannot determine the current directory; refused."));
        }
        String arg = READS.contains(verb) && !verb.equals("RETR") ? FtpPaths.listingPath(cmd.argument())
                : cmd.argument();
        boolean inside = FtpPaths.within(FtpPaths.resolve(cwd, arg), listenerPolicy.incoming());
        if (!inside) {
            return null;
        }
        if (upload) {
            return true;
        }
        return !s.policyRefuses(Reason.ANONYMOUS_INCOMING, line,
                FtpReply.of(550, "The incoming area is upload-only."));
    }
}
