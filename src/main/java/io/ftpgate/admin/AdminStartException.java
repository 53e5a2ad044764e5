package io.ftpgate.admin;

/** The admin listener cannot start; the message is one complete line (e.g. a port in use, a bad token file). */
public final class AdminStartException extends Exception {

    private static final long serialVersionUID = 1L;

    AdminStartException(String message) {
        super(message);
    }
}
