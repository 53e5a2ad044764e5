package io.ftpgate.control;

/** The gateway could not start (e.g. a listen address is in use); the message is fit for an administrator. */
public final class GatewayStartException extends Exception {
    public GatewayStartException(String message) {
        super(message);
    }

    public GatewayStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
