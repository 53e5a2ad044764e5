package io.ftpgate.protocol;

import java.util.regex.Pattern;

/**
 * Escaping of client- and server-supplied text for logs and audit, so a log line cannot be forged by a CR, LF
 * or terminal escape inside a path (OpenBSD ftp-proxy passes such text through {@code strnvis}), and detection
 * of other protocols spoken on the control port.
 */
public final class SafeText {

    /** The marker appended when {@link #escape} truncates. */
    public static final String TRUNCATED = "…";

    /**
     * An HTTP request line (RFC 9112 §3): method, SP, target, SP, {@code HTTP/} and a digit, the version being
     * the last token. Matching it on an FTP control port means a browser or a NAT-slipstreaming page is talking
     * to us. Case-insensitive: lenient HTTP servers downstream might accept {@code http/1.1} too.
     */
    private static final Pattern HTTP_REQUEST_LINE =
            Pattern.compile("[A-Za-z]+ [^ ]+ HTTP/[0-9][^ ]*", Pattern.CASE_INSENSITIVE);

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private SafeText() {
    }

    /**
     * Escapes an ISO-8859-1 byte string: printable ASCII (0x20-0x7E) is kept, a backslash becomes {@code \\},
     * every other byte {@code \xHH} (a char above 0xFF, which a byte string never holds, {@code \\uHHHH}). When
     * the escaped form would exceed {@code maxChars}, it is cut before the first escape that does not fit (an
     * escape is never split) and {@link #TRUNCATED} is appended.
     *
     * <pre>
     *   "RETR a\r\nPORT 1,2,3,4,0,25"  -&gt; "RETR a\x0D\x0APORT 1,2,3,4,0,25"
     * </pre>
     */
    public static String escape(String latin1, int maxChars) {
        if (maxChars < 0) {
            throw new IllegalArgumentException("maxChars must not be negative, got " + maxChars);
        }
        if (latin1 == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(latin1.length(), maxChars) + 8);
        for (int i = 0; i < latin1.length(); i++) {
            String piece = escapeChar(latin1.charAt(i));
            if (sb.length() + piece.length() > maxChars) {
                return sb.append(TRUNCATED).toString();
            }
            sb.append(piece);
        }
        return sb.toString();
    }

    /**
     * True when {@code line} looks like another protocol on the FTP port: an HTTP request line
     * ({@code GET / HTTP/1.1}, {@code POST /x HTTP/1.0}), an SSH identification string ({@code SSH-2.0-...},
     * RFC 4253 §4.2) or the start of a TLS record carrying a handshake (0x16 0x03 0x00-0x04, RFC 8446 §5.1).
     * {@code STOR HTTP/1.1} is not: it has no request target.
     */
    public static boolean looksLikeOtherProtocol(String line) {
        if (line == null) {
            return false;
        }
        if (line.startsWith("SSH-")) {
            return true;
        }
        if (TlsOpening.startsLine(line)) {
            return true;
        }
        return HTTP_REQUEST_LINE.matcher(line).matches();
    }

    private static String escapeChar(char c) {
        if (c == '\\') {
            return "\\\\";
        }
        if (c >= 0x20 && c <= 0x7e) {
            return String.valueOf(c);
        }
        if (c <= 0xff) {
            return "\\x" + HEX[c >> 4] + HEX[c & 0xf];
        }
        return "\\u" + HEX[c >> 12] + HEX[(c >> 8) & 0xf] + HEX[(c >> 4) & 0xf] + HEX[c & 0xf];
    }

    /** Verbs whose argument is a secret (RFC 959 PASS and ACCT). */
    private static final java.util.regex.Pattern SECRET_COMMAND =
            java.util.regex.Pattern.compile("(?i)^[\\s]*(PASS|ACCT)(?![A-Za-z]).*", java.util.regex.Pattern.DOTALL);

    /**
     * Replaces the argument of a PASS or ACCT line, however malformed (tab separator, leading blanks, any
     * case), with {@code ***}, so a refused login line can be recorded without its password:
     * {@code "PASS\tsecret"} becomes {@code "PASS ***"}. Other lines are returned unchanged.
     */
    public static String redactSecrets(String line) {
        java.util.regex.Matcher m = SECRET_COMMAND.matcher(line);
        return m.matches() ? m.group(1) + " ***" : line;
    }
}
