package io.ftpgate.auditor;

/**
 * The audit could not be carried out (exit code 2): the server is unreachable, did not greet with 220, refused
 * the login, or the third-party address cannot be used. The message is complete and meant for the user, e.g.
 * {@code cannot connect to 127.0.0.1:2121: Connection refused}.
 */
public final class AuditException extends Exception {

    private static final long serialVersionUID = 1L;

    /** An exception with a complete, user-facing message. */
    public AuditException(String message) {
        super(message);
    }

    /** An exception with a complete, user-facing message and its cause (for debug logs only). */
    public AuditException(String message, Throwable cause) {
        super(message, cause);
    }
}
