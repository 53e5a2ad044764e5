package io.ftpgate.protocol;

import java.util.Objects;

/**
 * Thrown for malformed protocol input. {@link #code()} is a stable audit reason code (the same strings as
 * {@code io.ftpgate.event.Reason}); the message is for humans and may quote the input, so escape it with
 * {@link SafeText#escape} before logging.
 */
public final class FtpSyntaxException extends Exception {

    /** A line that is not {@code VERB [SP argument]}. */
    public static final String COMMAND_SYNTAX = "command-syntax";
    /** A malformed or out-of-range PORT/EPRT argument. */
    public static final String PORT_SYNTAX = "port-syntax";
    /** A 227/229 reply whose address could not be parsed. */
    public static final String PASV_SYNTAX = "pasv-syntax";
    /** A server line that is not an FTP reply. */
    public static final String REPLY_MALFORMED = "reply-malformed";
    /** A multi-line reply over the line or byte cap. */
    public static final String REPLY_TOO_LONG = "reply-too-long";
    /** An EPRT/EPSV network protocol other than 1 (IPv4) or 2 (IPv6); the answer is 522 (RFC 2428 §2). */
    public static final String PORT_FAMILY = "port-family";

    private final String code;

    /** Creates an exception with a reason {@code code} and a human-readable {@code message}. */
    public FtpSyntaxException(String code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The stable audit reason code, such as {@code "port-syntax"}. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return "FtpSyntaxException[" + code + "]: " + getMessage();
    }
}
