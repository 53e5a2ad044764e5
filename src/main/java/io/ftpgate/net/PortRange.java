package io.ftpgate.net;

/**
 * An inclusive range of TCP ports: a pinhole range (the ports the gateway listens on for data connections), a
 * destination-port rule, or a range the kernel reports. One type for all of them; the few places that need
 * unprivileged ports (pinholes) say so with {@link #isUnprivileged()}.
 *
 * @param low  first port, at least {@link #MIN_PORT}
 * @param high last port, at most {@link #MAX_PORT} and not below {@code low}
 */
public record PortRange(int low, int high) {

    /** Lowest TCP port a connection can use (port 0 means "any" to bind(2), never a peer's port). */
    public static final int MIN_PORT = 1;
    /**
     * Ports below 1024 are privileged (RFC 1700 "well known ports"): pinholes never use them, and a PORT, EPRT,
     * 227 or 229 naming one is refused (the bounce attack's favourite targets are there).
     */
    public static final int MIN_UNPRIVILEGED = 1024;
    /** Largest TCP port (RFC 793: 16-bit port field). */
    public static final int MAX_PORT = 65535;
    /** What a pinhole range must satisfy, as configuration errors say it. */
    public static final String UNPRIVILEGED_RULE = "port range must be LO-HI with " + MIN_UNPRIVILEGED
            + " <= LO <= HI <= " + MAX_PORT;

    public PortRange {
        if (low < MIN_PORT || high > MAX_PORT || low > high) {
            throw new IllegalArgumentException("expected a port (" + MIN_PORT + "-" + MAX_PORT
                    + ") or a range LO-HI, got " + low + "-" + high);
        }
    }

    /**
     * Parses {@code LO-HI} or a single port; throws {@link IllegalArgumentException} starting with "expected"
     * when the text is not numbers, and the constructor's message when the numbers are out of range.
     */
    public static PortRange parse(String text) {
        String s = text == null ? "" : text.trim();
        int dash = s.indexOf('-');
        int lo;
        int hi;
        try {
            lo = Integer.parseInt(dash < 0 ? s : s.substring(0, dash).trim());
            hi = dash < 0 ? lo : Integer.parseInt(s.substring(dash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a port range LO-HI such as 50000-50999, got '" + text + "'");
        }
        return new PortRange(lo, hi);
    }

    /** True when no port of the range is privileged: the rule for pinhole ranges. */
    public boolean isUnprivileged() {
        return low >= MIN_UNPRIVILEGED;
    }

    /** True when {@code port} is in the range. */
    public boolean contains(int port) {
        return port >= low && port <= high;
    }

    /** Number of ports in the range. */
    public int size() {
        return high - low + 1;
    }

    @Override
    public String toString() {
        return low + "-" + high;
    }
}
