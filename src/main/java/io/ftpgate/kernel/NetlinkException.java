package io.ftpgate.kernel;

/**
 * A netlink operation failed: the socket could not be opened or used, the kernel refused a request, or it did
 * not answer in time. The message is one line meant for the operator (errno's name and text included), never
 * a stack trace.
 */
public final class NetlinkException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    public NetlinkException(String message) {
        this(message, 0);
    }

    public NetlinkException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The errno behind it, 0 when there is none (a timeout, a malformed answer). */
    public int errno() {
        return errno;
    }
}
