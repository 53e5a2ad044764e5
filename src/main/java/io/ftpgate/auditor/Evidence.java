package io.ftpgate.auditor;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One piece of evidence behind a finding: a command the auditor sent with the reply it received, a reply the
 * server sent unasked (the banner; pyftpdlib's {@code 425 Rejected data connection from foreign address}), or
 * something the auditor observed on its own sockets ({@code server connected from 127.0.0.1:20 to
 * 127.0.0.2:40001}). All texts are escaped with {@link io.ftpgate.protocol.SafeText#escape}; a PASS argument is
 * never kept.
 *
 * @param sent     the command line as sent, or {@code null}
 * @param reply    the reply as received ({@code 200 PORT command successful.}), or {@code null}
 * @param observed what the auditor saw outside the control connection, or {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Evidence(String sent, String reply, String observed) {

    /** A command and its reply ({@code reply} may be null when none came). */
    public static Evidence exchange(String sent, String reply) {
        return new Evidence(sent, reply, null);
    }

    /** A reply that answered no command of ours. */
    public static Evidence unsolicited(String reply) {
        return new Evidence(null, reply, null);
    }

    /** An observation on the auditor's own sockets. */
    public static Evidence observed(String what) {
        return new Evidence(null, null, what);
    }
}
