package io.ftpgate.protocol;

import java.util.List;
import java.util.Objects;

/**
 * One FTP reply (RFC 959 §4.2).
 *
 * <p>{@code lines} holds texts, not wire lines. For a single-line reply it is one element, the text after
 * {@code "NNN "}. For a multi-line reply it is the text after {@code "NNN-"}, then the intermediate lines raw,
 * then the text after the final {@code "NNN "}:
 * <pre>
 *   211-Features:          -&gt; ["Features:", " EPRT", " UTF8", "End"]
 *    EPRT
 *    UTF8
 *   211 End
 * </pre>
 * Every instance is safe to put on the wire: the code is 100-599 and no text holds CR, LF, NUL or a char above
 * 0xFF.
 *
 * @param code  the three-digit reply code
 * @param lines the texts as described above; never empty
 */
public record FtpReply(int code, List<String> lines) {

    /**
     * Copies {@code lines} and checks the reply can be encoded.
     *
     * @throws IllegalArgumentException on a code outside 100-599, no lines, or an unsendable char
     */
    public FtpReply {
        if (code < 100 || code > 599) {
            throw new IllegalArgumentException("reply code must be 100-599, got " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
        for (String line : lines) {
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                    throw new IllegalArgumentException("reply text contains CR, LF, NUL or a non-byte char: "
                            + SafeText.escape(line, 80));
                }
            }
        }
    }

    /** A single-line reply {@code NNN text}. */
    public static FtpReply of(int code, String text) {
        return new FtpReply(code, List.of(Objects.requireNonNull(text, "text")));
    }

    /** A multi-line reply; {@code lines} is [first text, intermediate lines..., last text], at least two. */
    public static FtpReply multiLine(int code, List<String> lines) {
        if (lines.size() < 2) {
            throw new IllegalArgumentException("a multi-line reply has at least two lines, got " + lines.size());
        }
        return new FtpReply(code, lines);
    }

    /** 1xx: the action has started, another reply follows. */
    public boolean isPreliminary() {
        return code / 100 == 1;
    }

    /** 2xx: the action completed. */
    public boolean isPositiveCompletion() {
        return code / 100 == 2;
    }

    /** True when the reply spans more than one line. */
    public boolean isMultiLine() {
        return lines.size() > 1;
    }

    /** All texts joined with {@code "\n"}, for logs and audit (escape before logging). */
    public String text() {
        return String.join("\n", lines);
    }

    /**
     * The regenerated wire form as ISO-8859-1 chars, each line ending CRLF.
     *
     * <p>An intermediate line that begins with a digit gets one leading space. RFC 959 §4.2 says the server
     * "must pad the front" of such lines "to avoid confusion"; padding them ourselves means no relayed line such
     * as {@code 227 Entering Passive Mode (10,0,0,1,0,22)} inside a multi-line reply can be read downstream as a
     * final reply:
     * <pre>
     *   ["Hello", "227 (10,0,0,1,0,22)", "Bye"] -&gt; "220-Hello\r\n 227 (10,0,0,1,0,22)\r\n220 Bye\r\n"
     * </pre>
     */
    public String encode() {
        return encodeTo(new StringBuilder(64)).toString();
    }

    /**
     * Appends the wire form of {@link #encode()} to {@code sb} and returns it: the gateway writes replies from
     * one reused builder straight into the outgoing buffer, with no String or byte[] per reply.
     */
    public StringBuilder encodeTo(StringBuilder sb) {
        if (lines.size() == 1) {
            return sb.append(code).append(' ').append(lines.get(0)).append("\r\n");
        }
        sb.append(code).append('-').append(lines.get(0)).append("\r\n");
        for (int i = 1; i < lines.size() - 1; i++) {
            String line = lines.get(i);
            if (!line.isEmpty() && line.charAt(0) >= '0' && line.charAt(0) <= '9') {
                sb.append(' ');
            }
            sb.append(line).append("\r\n");
        }
        return sb.append(code).append(' ').append(lines.get(lines.size() - 1)).append("\r\n");
    }
}
