package io.ftpgate.protocol;

import java.util.Locale;
import java.util.Objects;

/**
 * A parsed client command: the verb, upper-cased with {@link Locale#ROOT}, and the argument verbatim ({@code ""}
 * when there is none). Wire form (RFC 959 §5.3.1): {@code VERB} or {@code VERB SP argument}, without the CRLF.
 *
 * <p>Every instance is safe to put on the wire with {@link #toLine()}: the verb is 1 to
 * {@link FtpLimits#MAX_VERB_LENGTH} ASCII letters and the argument holds no CR, LF or NUL and only byte-valued
 * chars, so no argument can smuggle a second command to the server (the 2017 ftp:// CRLF injection).
 *
 * @param verb     the command verb, upper case
 * @param argument the argument exactly as received, possibly with spaces, or {@code ""}
 */
public record FtpCommand(String verb, String argument) {

    /**
     * Normalises the verb to upper case and checks both parts.
     *
     * @throws IllegalArgumentException when the verb is not 1-4 ASCII letters or the argument cannot be sent
     */
    public FtpCommand {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(argument, "argument");
        if (verbLength(verb, 0) != verb.length() || verb.isEmpty() || verb.length() > FtpLimits.MAX_VERB_LENGTH) {
            throw new IllegalArgumentException("verb must be 1-" + FtpLimits.MAX_VERB_LENGTH + " ASCII letters: "
                    + SafeText.escape(verb, 40));
        }
        if (!isSendableArgument(argument)) {
            throw new IllegalArgumentException("argument contains CR, LF, NUL or a non-byte char: "
                    + SafeText.escape(argument, 80));
        }
        verb = verb.toUpperCase(Locale.ROOT);
    }

    /**
     * Parses one control line (without its terminator).
     *
     * <p>Accepted: {@code NOOP}, {@code user anonymous} (verb becomes {@code USER}), {@code RETR  two  spaces}
     * (argument {@code " two  spaces"}: only the first SP is the separator). Refused with
     * {@code command-syntax}: an empty line, a leading space, a verb with digits, C0 or other bytes
     * ({@code US3R}, {@code \u0001BC}), a verb over four letters ({@code ABCDE x}), or a separator other than SP
     * ({@code USER\tx}).
     *
     * @throws FtpSyntaxException with code {@code command-syntax}
     */
    public static FtpCommand parse(String line) throws FtpSyntaxException {
        Objects.requireNonNull(line, "line");
        int n = verbLength(line, 0);
        if (n == 0 || n > FtpLimits.MAX_VERB_LENGTH) {
            throw syntax(line);
        }
        String argument;
        if (n == line.length()) {
            argument = "";
        } else if (line.charAt(n) == ' ') {
            argument = line.substring(n + 1);
        } else {
            throw syntax(line);
        }
        if (!isSendableArgument(argument)) {
            throw syntax(line);
        }
        return new FtpCommand(line.substring(0, n), argument);
    }

    /** The wire form without CRLF: {@code "VERB"} or {@code "VERB argument"}. */
    public String toLine() {
        return argument.isEmpty() ? verb : verb + ' ' + argument;
    }

    /** True when the argument is not empty. */
    public boolean hasArgument() {
        return !argument.isEmpty();
    }

    private static FtpSyntaxException syntax(String line) {
        return new FtpSyntaxException(FtpSyntaxException.COMMAND_SYNTAX,
                "not an FTP command (verb of 1-" + FtpLimits.MAX_VERB_LENGTH + " letters): "
                        + SafeText.escape(line, 80));
    }

    /** Length of the run of ASCII letters starting at {@code from}. */
    private static int verbLength(String s, int from) {
        int i = from;
        while (i < s.length() && isAsciiLetter(s.charAt(i))) {
            i++;
        }
        return i - from;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static boolean isSendableArgument(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                return false;
            }
        }
        return true;
    }
}
