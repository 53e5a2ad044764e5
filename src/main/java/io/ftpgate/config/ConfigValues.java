package io.ftpgate.config;

import io.ftpgate.net.Cidr;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.policy.Placement;
import io.netty.util.NetUtil;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for every scalar value an administrator can write, shared by the YAML loader and the command line so
 * that {@code client-data-ports: 50000} in a file and {@code --client-data-ports 50000} on the command line are
 * rejected with the same explanation.
 *
 * <p>Each method throws {@link IllegalArgumentException} whose message says what is expected and quotes what was
 * given; callers prefix it with where it came from (file position and key path, or the flag name).
 */
public final class ConfigValues {

    /** Port used for an upstream written without one: the FTP control port (RFC 959). */
    public static final int FTP_PORT = 21;

    /** Listen address used by {@code ftpgate run} when neither a file nor {@code --listen} gives one. */
    public static final HostAndPort DEFAULT_LISTEN = new HostAndPort("0.0.0.0", FTP_PORT);

    /** Port used for a syslog server written without one: syslog over UDP (RFC 5426 §3.3). */
    public static final int SYSLOG_PORT = 514;
    /** The {@code audit-syslog} value that selects the systemd journal. */
    public static final String JOURNAL = "journal";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)?");
    // RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens; '_' tolerated as in the wild.
    private static final String LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
    private static final Pattern HOST_NAME = Pattern.compile("(?i)" + LABEL + "(?:\\." + LABEL + ")*\\.?");

    private ConfigValues() {
    }

    /** A control address to bind: {@code HOST:PORT}, port 0 meaning any free port. */
    public static HostAndPort listenAddress(String text) {
        return hostAndPort(text, 0, true, "[::]:21");
    }

    /** An upstream FTP server: {@code HOST:PORT} or {@code HOST} (port 21); port 0 is refused. */
    public static HostAndPort upstream(String text) {
        return hostAndPort(text, FTP_PORT, false, "[2001:db8::10]:21");
    }

    private static HostAndPort hostAndPort(String text, int defaultPort, boolean zeroOk, String v6Example) {
        String expected = "expected HOST:PORT such as 192.0.2.10:21 or " + v6Example;
        HostAndPort hp;
        try {
            hp = HostAndPort.parse(text, defaultPort);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(expected + ", got '" + text + "'"
                    + hostPortDetail(e.getMessage(), zeroOk));
        }
        if (!isAddressLiteral(hp.host()) && (!HOST_NAME.matcher(hp.host()).matches() || hp.host().length() > 253)) {
            throw new IllegalArgumentException(expected + ", got '" + text + "' ('" + hp.host()
                    + "' is neither an IP address nor a host name)");
        }
        if (hp.port() == 0 && !zeroOk) {
            throw new IllegalArgumentException(expected + ", got '" + text + "' (an upstream port must be 1-65535)");
        }
        return hp;
    }

    /**
     * Where a copy of the audit log goes ({@code audit-syslog}, {@code --audit-syslog}): {@value #JOURNAL}, a
     * local datagram socket (an absolute path such as {@code /dev/log}), or a syslog server {@code HOST[:PORT]}
     * over UDP, port {@value #SYSLOG_PORT} if omitted. Returned in a canonical form ({@code HOST:PORT} with the
     * port spelled out); whether the socket exists is a property of the machine, checked when it is opened.
     */
    public static String auditSyslog(String text) {
        String t = text.trim();
        if (JOURNAL.equals(t) || t.startsWith("/")) {
            return t;
        }
        try {
            return hostAndPort(t, SYSLOG_PORT, false, "[2001:db8::20]:514").toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected 'journal', a local socket such as /dev/log, or a syslog"
                    + " server HOST[:PORT] (UDP) such as 192.0.2.20:514, got '" + text + "'");
        }
    }

    /** Keeps only the informative part of a {@link HostAndPort#parse} message (the input is quoted already). */
    private static String hostPortDetail(String message, boolean zeroOk) {
        String d = message.replaceAll("[;,]? *got '.*'$", "").replaceAll(" in '.*'$", "").trim();
        if (d.startsWith("port must be")) {
            d = zeroOk ? "port must be 0-65535, 0 meaning any free port" : "port must be 1-65535";
        } else if (d.contains("port missing")) {
            d = "port missing";
        } else if (d.startsWith("expected HOST:PORT")) {
            return "";
        }
        return d.isEmpty() ? "" : " (" + d + ")";
    }

    /**
     * The address advertised in 227/229 replies. Only a literal is accepted: resolving a name here would make
     * the advertised address change with DNS, silently.
     */
    public static String publicAddress(String text) {
        String s = text == null ? "" : text.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (!isAddressLiteral(s)) {
            throw new IllegalArgumentException("expected an IP address literal such as 203.0.113.10 or 2001:db8::10"
                    + " (no host names), got '" + text + "'");
        }
        return s;
    }

    /** A pinhole port range {@code LO-HI}; a single number is refused because it is most likely a typo. */
    public static PortRange portRange(String text) {
        String s = text == null ? "" : text.trim();
        String expected = "expected a port range LO-HI such as 50000-50999, got '" + text + "'";
        if (s.indexOf('-') < 0) {
            throw new IllegalArgumentException(expected);
        }
        PortRange range;
        try {
            range = PortRange.parse(s);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("expected a port range")) {
                throw new IllegalArgumentException(expected);
            }
            range = null;
        }
        if (range == null || !range.isUnprivileged()) {
            throw new IllegalArgumentException(expected + " (" + PortRange.UNPRIVILEGED_RULE + ")");
        }
        return range;
    }

    /**
     * An address block, {@code ADDR/PREFIX} or a single address. A block with host bits set
     * ({@code 192.168.1.1/24}) is refused with the block it would mean: it is most likely a host address given a
     * prefix by mistake, or a mistyped block, and either way not what the administrator thinks it admits.
     */
    public static Cidr cidr(String text) {
        Cidr c;
        try {
            c = Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith("expected") ? m
                    : "expected an address block such as 192.0.2.0/24 or 2001:db8::/32, got '" + text + "' ("
                            + m.replaceAll(" in '.*'$", "") + ")");
        }
        if (c.hasHostBits()) {
            throw new IllegalArgumentException("address block " + c + " has host bits set; did you mean "
                    + c.network() + "?");
        }
        return c;
    }

    /**
     * Explains why a listener's client and server data-port ranges must not share ports, or returns {@code null}
     * when they share none. The text names the other range's key: callers prefix the key path of the first.
     *
     * @param range      the range the message is about
     * @param other      the other range
     * @param otherKey   the other range's key, e.g. {@code client-data-ports}, with " (default)" when not written
     */
    public static String dataPortsOverlap(PortRange range, PortRange other, String otherKey) {
        int low = Math.max(range.low(), other.low());
        int high = Math.min(range.high(), other.high());
        if (low > high) {
            return null;
        }
        return range + " overlaps " + otherKey + " " + other + " (" + (low == high ? "port " + low + " is"
                : "ports " + low + "-" + high + " are") + " in both). The outer firewall opens each range to a"
                + " different peer (client-data-ports to clients, server-data-ports to servers), so a port in both"
                + " makes the rule for one side admit the other side too: give the two ranges no port in common";
    }

    /** {@code passive}, {@code active} or {@code client} (case-insensitive). */
    public static UpstreamMode upstreamMode(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (UpstreamMode m : UpstreamMode.values()) {
            if (m.name().toLowerCase(Locale.ROOT).equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("expected one of passive, active, client, got '" + text + "'");
    }

    /** {@code forward}, {@code reverse} or {@code transparent}, case-insensitive. */
    public static Placement placement(String text) {
        return oneOf(Placement.class, text, "forward, reverse, transparent");
    }

    /** {@code gateway} or {@code client}, case-insensitive. */
    public static Placement.Source transparentSource(String text) {
        return oneOf(Placement.Source.class, text, "gateway, client");
    }

    private static <E extends Enum<E>> E oneOf(Class<E> type, String text, String names) {
        String s = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(s)) {
                return e;
            }
        }
        throw new IllegalArgumentException("expected one of " + names + ", got '" + text + "'");
    }

    /**
     * Explains why a listener's {@code placement} does not fit its {@code upstream}, or returns null: reverse
     * needs an upstream, forward and transparent must not have one.
     */
    public static String placementProblem(Placement written, HostAndPort upstream) {
        if (written == Placement.REVERSE && upstream == null) {
            return "placement reverse needs an upstream";
        }
        if (written != Placement.REVERSE && upstream != null) {
            return "placement " + written.name().toLowerCase(Locale.ROOT) + " takes no upstream (the server comes"
                    + (written == Placement.FORWARD ? " from USER user@host" : " from each connection's original"
                    + " destination") + "); remove upstream " + upstream;
        }
        return null;
    }

    /** Lower-case name of an upstream mode as written in configuration. */
    public static String name(UpstreamMode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    /** A positive duration: {@code 500ms}, {@code 30s}, {@code 15m}, {@code 1h}, or a number of seconds. */
    public static Duration duration(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(s);
        String expected = "expected a duration such as 500ms, 30s, 15m, 1h or a whole number of seconds, got '"
                + text + "'";
        if (!m.matches()) {
            throw new IllegalArgumentException(expected);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("expected a duration greater than zero, got '" + text + "'");
        }
        return d;
    }

    /** Formats a duration the way it would be written in the file ({@code 30s}, {@code 15m}, {@code 500ms}). */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /**
     * Explains why a listener's {@code allow-destination} does not fit its placement, or returns {@code null}
     * when it does. The text names no key: callers prefix the key path or the flag.
     */
    public static String allowDestinationProblem(ListenerConfig l) {
        if (l.upstream() != null && !l.allowDestination().isEmpty()) {
            return "applies only to forward listeners (those without an upstream); listener '" + l.name()
                    + "' is reverse, with upstream " + l.upstream();
        }
        return null;
    }

    private static boolean isAddressLiteral(String s) {
        return NetUtil.isValidIpV4Address(s) || NetUtil.isValidIpV6Address(s);
    }

    /** {@code true}/{@code false} (also yes/no, on/off), case-insensitive. */
    public static boolean bool(String text) {
        switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on":
                return true;
            case "false", "no", "off":
                return false;
            default:
                throw new IllegalArgumentException("expected true or false, got '" + text + "'");
        }
    }

    /** A whole number of at least 1. */
    public static int positiveInt(String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("expected a whole number of at least 1, got '" + text + "'");
    }

    /** An FTP verb: 1-4 ASCII letters (RFC 959 §5.3.1), returned upper-case. */
    public static String verb(String text) {
        String v = text.trim();
        if (!v.matches("[A-Za-z]{1,4}")) {
            throw new IllegalArgumentException("expected an FTP command verb such as STOR, got '" + text + "'");
        }
        return v.toUpperCase(java.util.Locale.ROOT);
    }

    /** A host name glob for destination rules: letters, digits, '-', '.', '*' and '?'. */
    public static String hostGlob(String text) {
        String g = text.trim();
        if (!g.matches("[A-Za-z0-9*?][A-Za-z0-9.*?-]{0,252}")) {
            throw new IllegalArgumentException("expected a host name or a glob such as *.example.net, got '"
                    + text + "'");
        }
        return g;
    }

    /** A destination port or range (1-65535; privileged ports allowed here on purpose, e.g. 21). */
    public static PortRange anyPortRange(String text) {
        try {
            return PortRange.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected a port (1-65535) or a range LO-HI, got '" + text + "'");
        }
    }

    /**
     * One of an enum's values, written in lower case with '-' for '_' ({@code match-client}); the error lists
     * them all.
     */
    public static <E extends Enum<E>> E choice(String text, E[] values) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E v : values) {
            if (v.name().equals(t)) {
                return v;
            }
        }
        StringBuilder names = new StringBuilder();
        for (E v : values) {
            names.append(names.length() == 0 ? "" : ", ").append(v.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new IllegalArgumentException("expected one of " + names + ", got '" + text + "'");
    }

    /** Longest reply text a listener may configure (a banner is one line; RFC 959 sets no limit). */
    public static final int MAX_REPLY_TEXT = 200;

    /**
     * The text of a reply the gateway sends instead of the server's (banner, SYST): one line of printable ASCII,
     * so that it can neither break the reply framing nor smuggle a second reply.
     */
    public static String replyText(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty() || t.length() > MAX_REPLY_TEXT || !t.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("expected one line of printable ASCII, 1-" + MAX_REPLY_TEXT
                    + " characters, got '" + text + "'");
        }
        return t;
    }

    /** An absolute server directory, normalised ("/incoming/" becomes "/incoming"). */
    public static String serverDirectory(String text) {
        String t = text.trim();
        if (!t.startsWith("/") || t.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("expected an absolute server path such as /incoming, got '" + text
                    + "'");
        }
        return io.ftpgate.protocol.FtpPaths.resolve("/", t);
    }
}
