package io.ftpgate.config;

/**
 * An inclusive range of TCP ports from which the gateway picks pinhole (data listener) ports.
 *
 * @param low  first port, at least {@link #MIN_UNPRIVILEGED}
 * @param high last port, at most 65535 and not below {@code low}
 */
public record PortRange(int low, int high) {

    /** Ports below 1024 are privileged (RFC 1700 "well known ports"); pinholes never use them. */
    public static final int MIN_UNPRIVILEGED = 1024;
    /** Largest TCP port (RFC 793: 16-bit port field). */
    public static final int MAX_PORT = 65535;

    public PortRange {
        if (low < MIN_UNPRIVILEGED || high > MAX_PORT || low > high) {
            throw new IllegalArgumentException(
                    "port range must be LO-HI with " + MIN_UNPRIVILEGED + " <= LO <= HI <= " + MAX_PORT
                            + ", got " + low + "-" + high);
        }
    }

    /** Parses {@code LO-HI} (or a single port); throws {@link IllegalArgumentException} with a clear message. */
    public static PortRange parse(String text) {
        String s = text == null ? "" : text.trim();
        int dash = s.indexOf('-');
        try {
            if (dash < 0) {
                int p = Integer.parseInt(s);
                return new PortRange(p, p);
            }
            return new PortRange(Integer.parseInt(s.substring(0, dash).trim()),
                    Integer.parseInt(s.substring(dash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a port range LO-HI such as 50000-50999, got '" + text + "'");
        }
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
