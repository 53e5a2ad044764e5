package io.ftpgate.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Pure assembler of server reply lines into {@link FtpReply} values (RFC 959 §4.2).
 *
 * <p>The first line must be three digits {@code [1-5][0-9][0-9]} followed by SP, {@code '-'} or the end of the
 * line (a bare {@code 200} is a single-line reply with empty text); anything else is {@code reply-malformed}.
 * The first digit is limited to 1-5 because RFC 959 defines no other class; this also refuses RFC 2228's 6xx
 * protected replies, which the gateway could not inspect.
 *
 * <p>A multi-line reply {@code NNN-...} ends at the first line that starts with the same {@code NNN} followed by
 * SP or the end of the line. Every other line is kept raw as an intermediate line, including lines that look
 * like other replies ({@code 227 Entering Passive Mode (...)} inside a {@code 220-} banner does not end it and
 * is never acted on). The caps {@link FtpLimits#MAX_REPLY_LINES} and {@link FtpLimits#MAX_REPLY_BYTES} bound
 * what a hostile server can make the gateway hold; exceeding one is {@code reply-too-long}.
 *
 * <p>After an exception the assembler is reset; the caller is expected to end the session. Not thread-safe:
 * one instance per session, on its event loop.
 */
public final class ReplyAssembler {

    private final int maxLines;
    private final int maxBytes;

    private int code = -1;
    private final List<String> lines = new ArrayList<>();
    private int bytes;

    /** An assembler with the default caps. */
    public ReplyAssembler() {
        this(FtpLimits.MAX_REPLY_LINES, FtpLimits.MAX_REPLY_BYTES);
    }

    /** An assembler with explicit caps on the lines and bytes (CRLF included) of one reply. */
    public ReplyAssembler(int maxLines, int maxBytes) {
        if (maxLines < 2 || maxBytes < 1) {
            throw new IllegalArgumentException("need maxLines >= 2 and maxBytes >= 1, got " + maxLines + ", "
                    + maxBytes);
        }
        this.maxLines = maxLines;
        this.maxBytes = maxBytes;
    }

    /**
     * Adds one line (without its terminator).
     *
     * @return the complete reply, or {@code null} when more lines are needed
     * @throws FtpSyntaxException {@code reply-malformed} or {@code reply-too-long}
     */
    public FtpReply accept(String line) throws FtpSyntaxException {
        if (!isSendable(line)) {
            reset();
            throw new FtpSyntaxException(FtpSyntaxException.REPLY_MALFORMED,
                    "reply line contains CR, LF, NUL or a non-byte char: " + SafeText.escape(line, 80));
        }
        if (code < 0) {
            return first(line);
        }
        if (lines.size() + 1 > maxLines || bytes + line.length() + 2 > maxBytes) {
            int had = lines.size();
            reset();
            throw new FtpSyntaxException(FtpSyntaxException.REPLY_TOO_LONG,
                    "multi-line reply longer than " + maxLines + " lines or " + maxBytes + " bytes (after " + had
                            + " lines)");
        }
        bytes += line.length() + 2;
        if (isFinal(line)) {
            lines.add(line.length() == 3 ? "" : line.substring(4));
            FtpReply reply = FtpReply.multiLine(code, lines);
            reset();
            return reply;
        }
        lines.add(line);
        return null;
    }

    /** True between the first line of a multi-line reply and its last. */
    public boolean inProgress() {
        return code >= 0;
    }

    private FtpReply first(String line) throws FtpSyntaxException {
        if (line.length() < 3 || !isCode(line) || (line.length() > 3 && line.charAt(3) != ' '
                && line.charAt(3) != '-')) {
            throw new FtpSyntaxException(FtpSyntaxException.REPLY_MALFORMED,
                    "not an FTP reply (NNN, NNN text or NNN-text): " + SafeText.escape(line, 80));
        }
        if (line.length() + 2 > maxBytes) {
            throw new FtpSyntaxException(FtpSyntaxException.REPLY_TOO_LONG,
                    "reply line longer than " + maxBytes + " bytes");
        }
        int value = Integer.parseInt(line.substring(0, 3));
        String text = line.length() == 3 ? "" : line.substring(4);
        if (line.length() == 3 || line.charAt(3) == ' ') {
            return FtpReply.of(value, text);
        }
        code = value;
        lines.add(text);
        bytes = line.length() + 2;
        return null;
    }

    /** The last line of a multi-line reply: the same code, then SP or the end (RFC 959 §4.2). */
    private boolean isFinal(String line) {
        if (line.length() < 3 || !isCode(line) || Integer.parseInt(line.substring(0, 3)) != code) {
            return false;
        }
        return line.length() == 3 || line.charAt(3) == ' ';
    }

    /** Three ASCII digits, the first 1-5. C0 controls and other bytes fail here. */
    private static boolean isCode(String line) {
        char c0 = line.charAt(0);
        return c0 >= '1' && c0 <= '5' && isDigit(line.charAt(1)) && isDigit(line.charAt(2));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isSendable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    private void reset() {
        code = -1;
        lines.clear();
        bytes = 0;
    }
}
