package io.ftpgate.policy;

/**
 * An inclusive span of destination ports (1-65535) in a policy rule. Unlike a pinhole range, it may include
 * privileged ports: port 21 is the normal destination of a forward session.
 *
 * @param low  first port
 * @param high last port
 */
public record PortSpan(int low, int high) {

    public PortSpan {
        if (low < 1 || high > 65535 || low > high) {
            throw new IllegalArgumentException("expected a port (1-65535) or a range LO-HI, got " + low + "-" + high);
        }
    }

    /** True when {@code port} is in the span. */
    public boolean contains(int port) {
        return port >= low && port <= high;
    }
}
