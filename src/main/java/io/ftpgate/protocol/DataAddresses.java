package io.ftpgate.protocol;

import io.ftpgate.net.PortRange;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;

/**
 * Parsers and formatters for the data-address forms of RFC 959 (PORT, 227) and RFC 2428 (EPRT, EPSV, 229).
 *
 * <p>Parsing is strict and digit-counted: a field never has more digits than its range needs, so a value can
 * never spill into its neighbour the way {@code PORT 10,0,1,2,256,22} became port 22 in Linux conntrack. No
 * sign, inner space or DNS name is accepted; addresses are decoded from literals only.
 */
public final class DataAddresses {

    /** The argument of EPSV (RFC 2428 §3). */
    public enum EpsvArgument {
        /** No argument: any protocol the server likes. */
        ANY,
        /** {@code EPSV ALL}: from now on only EPSV; PORT, PASV and EPRT must be refused (RFC 2428 §4). */
        ALL,
        /** {@code EPSV 1}. */
        IPV4,
        /** {@code EPSV 2}. */
        IPV6
    }

    private DataAddresses() {
    }

    /**
     * Parses the argument of {@code PORT h1,h2,h3,h4,p1,p2} (RFC 959 §4.1.2): exactly six fields of 1-3 ASCII
     * digits, each at most 255; whitespace around the whole argument is tolerated. Port 0 is returned as is.
     *
     * @throws FtpSyntaxException {@code port-syntax}
     */
    public static HostPort parsePort(String argument) throws FtpSyntaxException {
        String s = strip(argument);
        int[] fields = new int[6];
        int end = byteFields(s, 0, fields);
        if (end != s.length()) {
            throw error(FtpSyntaxException.PORT_SYNTAX, "PORT needs h1,h2,h3,h4,p1,p2 with each 0-255", argument);
        }
        return hostPort(fields);
    }

    /**
     * Parses the argument of EPRT (RFC 2428 §2): {@code <d>1<d>a.b.c.d<d>port<d>} or {@code <d>2<d>ipv6<d>port<d>},
     * where {@code d} is one byte 33..126, the same all four times ({@code |} usually; {@code !1!1.2.3.4!5000!}
     * is as valid).
     *
     * <p>The address must be a literal of the named family: IPv4 dotted decimal without leading zeros (which
     * inet_aton would read as octal) under 1; an IPv6 literal under 2, without brackets or zone id, where an
     * IPv4-mapped literal is allowed and comes back as an {@link Inet4Address}. A host name is never resolved.
     * The port has 1-5 digits and is 0..65535.
     *
     * @throws FtpSyntaxException {@code port-family} for a network protocol other than 1 or 2, else
     *                            {@code port-syntax}
     */
    public static HostPort parseEprt(String argument) throws FtpSyntaxException {
        String s = strip(argument);
        if (s.length() < 2 || !isDelimiter(s.charAt(0)) || s.charAt(s.length() - 1) != s.charAt(0)) {
            throw error(FtpSyntaxException.PORT_SYNTAX, "EPRT needs |proto|address|port|", argument);
        }
        // Exactly four delimiters: "", proto, address, port, "" around them.
        String[] parts = s.split(java.util.regex.Pattern.quote(String.valueOf(s.charAt(0))), -1);
        if (parts.length != 5) {
            throw error(FtpSyntaxException.PORT_SYNTAX, "EPRT needs |proto|address|port|", argument);
        }
        String proto = parts[1];
        if (!proto.equals("1") && !proto.equals("2")) {
            if (!proto.isEmpty() && allDigits(proto, 0, proto.length())) {
                throw error(FtpSyntaxException.PORT_FAMILY, "EPRT network protocol must be 1 or 2", argument);
            }
            throw error(FtpSyntaxException.PORT_SYNTAX, "EPRT network protocol must be 1 or 2", argument);
        }
        InetAddress address = proto.equals("1") ? ipv4Literal(parts[2]) : ipv6Literal(parts[2]);
        int port = decimalPort(parts[3]);
        if (address == null || port < 0) {
            throw error(FtpSyntaxException.PORT_SYNTAX, "EPRT needs a literal address of family " + proto
                    + " and a port 0-65535", argument);
        }
        return new HostPort(address, port);
    }

    /**
     * Parses the text of a 227 reply (everything after {@code "227 "}, possibly several lines joined). As RFC 1123
     * §4.1.2.6 advises, it scans for the first digit; from there it needs exactly {@code d,d,d,d,d,d} with 1-3
     * digits per field, each at most 255, not preceded by a sign and not followed by another digit or comma.
     * Parentheses and trailing text are optional. The address is returned for audit only; the gateway connects to
     * the server's control address (curl CVE-2020-8284).
     *
     * @throws FtpSyntaxException {@code pasv-syntax}
     */
    public static HostPort parsePasvReply(String text) throws FtpSyntaxException {
        int start = 0;
        while (start < text.length() && !isDigit(text.charAt(start))) {
            start++;
        }
        // A sign before the first digit ("(-1,0,0,1,4,1)") would otherwise be skipped as prose.
        boolean signed = start > 0 && (text.charAt(start - 1) == '-' || text.charAt(start - 1) == '+');
        int[] fields = new int[6];
        int end = byteFields(text, start, fields);
        // The tuple must end cleanly: "(h1,...,p2)7" or "(...,1.5)" would otherwise parse as a shorter number.
        if (signed || end < 0 || (end < text.length() && (isDigit(text.charAt(end)) || text.charAt(end) == ','
                || text.charAt(end) == '.' && end + 1 < text.length() && isDigit(text.charAt(end + 1))))) {
            throw error(FtpSyntaxException.PASV_SYNTAX, "227 needs (h1,h2,h3,h4,p1,p2) with each 0-255", text);
        }
        return hostPort(fields);
    }

    /**
     * Parses the text of a 229 reply (RFC 2428 §3): the first {@code (} must be followed by
     * {@code <d><d><d>port<d>)}, {@code d} one byte 33..126 other than a digit (a digit would make the port
     * ambiguous), the same four times; the port has 1-5 digits and is 1..65535.
     *
     * @throws FtpSyntaxException {@code pasv-syntax}
     */
    public static int parseEpsvReply(String text) throws FtpSyntaxException {
        int open = text.indexOf('(');
        if (open >= 0 && open + 4 < text.length()) {
            char d = text.charAt(open + 1);
            int portStart = open + 4;
            int portEnd = portStart;
            while (portEnd < text.length() && isDigit(text.charAt(portEnd))) {
                portEnd++;
            }
            if (isDelimiter(d) && !isDigit(d) && text.charAt(open + 2) == d && text.charAt(open + 3) == d
                    && portEnd + 1 < text.length() && text.charAt(portEnd) == d && text.charAt(portEnd + 1) == ')') {
                int port = decimalPort(text.substring(portStart, portEnd));
                if (port > 0) {
                    return port;
                }
            }
        }
        throw error(FtpSyntaxException.PASV_SYNTAX, "229 needs (|||port|) with port 1-65535", text);
    }

    /**
     * Parses the argument of EPSV (RFC 2428 §3): {@code ""} is ANY, {@code ALL} (any case) is ALL, {@code 1} and
     * {@code 2} are the families.
     *
     * @throws FtpSyntaxException {@code port-family} for another number, {@code command-syntax} otherwise
     */
    public static EpsvArgument parseEpsvArgument(String argument) throws FtpSyntaxException {
        String s = strip(argument);
        if (s.isEmpty()) {
            return EpsvArgument.ANY;
        } else if (s.toUpperCase(Locale.ROOT).equals("ALL")) {
            return EpsvArgument.ALL;
        } else if (s.equals("1")) {
            return EpsvArgument.IPV4;
        } else if (s.equals("2")) {
            return EpsvArgument.IPV6;
        } else if (allDigits(s, 0, s.length())) {
            throw error(FtpSyntaxException.PORT_FAMILY, "EPSV network protocol must be 1 or 2", argument);
        }
        throw error(FtpSyntaxException.COMMAND_SYNTAX, "EPSV takes nothing, ALL, 1 or 2", argument);
    }

    /** {@code h1,h2,h3,h4,p1,p2} for PORT and 227, as in {@code 192,0,2,1,195,80} for 192.0.2.1:50000. */
    public static String formatPort(Inet4Address address, int port) {
        byte[] a = address.getAddress();
        checkPort(port, 0);
        return (a[0] & 0xff) + "," + (a[1] & 0xff) + "," + (a[2] & 0xff) + "," + (a[3] & 0xff) + ","
                + (port >> 8) + "," + (port & 0xff);
    }

    /** {@code |1|192.0.2.1|50000|} or {@code |2|2001:db8::1|50000|} (compressed IPv6, RFC 5952, no zone id). */
    public static String formatEprt(InetAddress address, int port) {
        checkPort(port, 0);
        int family = address instanceof Inet6Address ? 2 : 1;
        return "|" + family + "|" + NetUtil.toAddressString(address) + "|" + port + "|";
    }

    /** {@code 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2).} */
    public static FtpReply pasvReply(Inet4Address address, int port) {
        return FtpReply.of(227, "Entering Passive Mode (" + formatPort(address, port) + ").");
    }

    /** {@code 229 Entering Extended Passive Mode (|||port|)} with port 1..65535. */
    public static FtpReply epsvReply(int port) {
        checkPort(port, 1);
        return FtpReply.of(229, "Entering Extended Passive Mode (|||" + port + "|)");
    }

    /**
     * Reads six comma-separated byte fields from {@code from} into {@code out}.
     *
     * @return the index after the sixth field, or -1 when the fields are malformed
     */
    private static int byteFields(String s, int from, int[] out) {
        int i = from;
        for (int f = 0; f < out.length; f++) {
            if (f > 0) {
                if (i >= s.length() || s.charAt(i) != ',') {
                    return -1;
                }
                i++;
            }
            int start = i;
            int value = 0;
            while (i < s.length() && isDigit(s.charAt(i)) && i - start < FtpLimits.MAX_BYTE_FIELD_DIGITS) {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || value > 255 || (i < s.length() && isDigit(s.charAt(i)))) {
                return -1;
            }
            out[f] = value;
        }
        return i;
    }

    private static HostPort hostPort(int[] f) {
        byte[] a = {(byte) f[0], (byte) f[1], (byte) f[2], (byte) f[3]};
        return new HostPort(byAddress(a), f[4] * 256 + f[5]);
    }

    /** IPv4 dotted decimal without leading zeros, or null. */
    private static InetAddress ipv4Literal(String s) {
        if (!NetUtil.isValidIpV4Address(s)) {
            return null;
        }
        for (int i = 0; i + 1 < s.length(); i++) {
            if (s.charAt(i) == '0' && (i == 0 || s.charAt(i - 1) == '.') && s.charAt(i + 1) != '.') {
                return null;
            }
        }
        return byAddress(NetUtil.createByteArrayFromIpAddressString(s));
    }

    /** An IPv6 literal of hex digits, colons and (for an embedded IPv4 tail) dots, or null. */
    private static InetAddress ipv6Literal(String s) {
        if (s.isEmpty() || s.length() > FtpLimits.MAX_IPV6_LITERAL_CHARS) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.')) {
                return null;
            }
        }
        if (!NetUtil.isValidIpV6Address(s)) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
        return bytes == null ? null : byAddress(bytes);
    }

    /** A port of 1-5 ASCII digits, 0..65535, or -1. */
    private static int decimalPort(String s) {
        if (s.isEmpty() || s.length() > FtpLimits.MAX_PORT_DIGITS || !allDigits(s, 0, s.length())) {
            return -1;
        }
        int port = Integer.parseInt(s);
        return port <= PortRange.MAX_PORT ? port : -1;
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            // Only thrown for a length other than 4 or 16, which the callers never pass.
            throw new IllegalStateException("address of " + bytes.length + " bytes", e);
        }
    }

    private static void checkPort(int port, int min) {
        if (port < min || port > PortRange.MAX_PORT) {
            throw new IllegalArgumentException("port must be " + min + "-" + PortRange.MAX_PORT + ", got " + port);
        }
    }

    /** RFC 2428 §2: "The delimiter character MUST be one of the ASCII characters in range 33-126 inclusive." */
    private static boolean isDelimiter(char c) {
        return c >= 33 && c <= 126;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean allDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Removes SP and TAB around an argument; nothing else counts as whitespace. */
    private static String strip(String s) {
        Objects.requireNonNull(s, "argument");
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    private static FtpSyntaxException error(String code, String what, String input) {
        return new FtpSyntaxException(code, what + ": " + SafeText.escape(input, 80));
    }
}
