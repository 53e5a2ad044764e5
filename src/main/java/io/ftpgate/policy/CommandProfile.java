package io.ftpgate.policy;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A named set of FTP verbs a session may use, with the reply a refused command gets.
 *
 * <p>Either an allow list (only these verbs) or a deny list (everything but these). The verbs every
 * session needs to log in, leave and stay alive (USER, PASS, ACCT, QUIT, NOOP, FEAT) are never denied,
 * so no profile can lock a client into a session it cannot end.
 *
 * @param name       profile name, used in audit events
 * @param allow      verbs allowed; empty = every verb not in {@code deny}
 * @param deny       verbs refused
 * @param replyCode  reply code for a refused command (a 4xx or 5xx code)
 * @param replyText  reply text for a refused command
 */
public record CommandProfile(String name, Set<String> allow, Set<String> deny, int replyCode, String replyText) {

    /** Verbs that are never refused by a profile. */
    public static final Set<String> ALWAYS_ALLOWED = Set.of("USER", "PASS", "ACCT", "QUIT", "NOOP", "FEAT");

    /** Verbs that change the server's file system (RFC 959, RFC 3659 and the X* aliases of RFC 775). */
    public static final Set<String> WRITE_VERBS = Set.of("STOR", "STOU", "APPE", "DELE", "RMD", "XRMD", "MKD",
            "XMKD", "RNFR", "RNTO", "SITE", "MFMT", "MFCT", "MFF");

    /** Default refusal reply: 550 "Requested action not taken" (RFC 959). */
    public static final int DEFAULT_REPLY_CODE = 550;
    public static final String DEFAULT_REPLY_TEXT = "Permission denied by gateway policy.";

    /** Everything allowed. */
    public static final CommandProfile FULL = new CommandProfile("full", Set.of(), Set.of(), DEFAULT_REPLY_CODE,
            DEFAULT_REPLY_TEXT);
    /** No writes of any kind (the CERT advice for anonymous areas). */
    public static final CommandProfile READ_ONLY = new CommandProfile("read-only", Set.of(), WRITE_VERBS,
            DEFAULT_REPLY_CODE, DEFAULT_REPLY_TEXT);
    /** No SITE commands (SITE EXEC and friends are the classic server-side escape hatch). */
    public static final CommandProfile NO_SITE = new CommandProfile("no-site", Set.of(), Set.of("SITE"),
            DEFAULT_REPLY_CODE, DEFAULT_REPLY_TEXT);

    /** The built-in profiles by name. */
    public static final Map<String, CommandProfile> BUILT_IN = Map.of(FULL.name, FULL, READ_ONLY.name, READ_ONLY,
            NO_SITE.name, NO_SITE);

    public CommandProfile {
        allow = upper(allow);
        deny = upper(deny);
        if (!allow.isEmpty() && !deny.isEmpty()) {
            throw new IllegalArgumentException("profile '" + name + "': give either allow or deny, not both");
        }
        if (replyCode < 400 || replyCode > 599) {
            throw new IllegalArgumentException("profile '" + name + "': reply code must be 4xx or 5xx, got "
                    + replyCode);
        }
        if (replyText == null || replyText.isBlank() || replyText.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            throw new IllegalArgumentException("profile '" + name + "': reply text must be printable ASCII");
        }
    }

    private static Set<String> upper(Set<String> verbs) {
        return verbs == null ? Set.of()
                : verbs.stream().map(v -> v.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /** True when {@code verb} (upper case) may be used. */
    public boolean permits(String verb) {
        if (ALWAYS_ALLOWED.contains(verb)) {
            return true;
        }
        return allow.isEmpty() ? !deny.contains(verb) : allow.contains(verb);
    }
}
