package io.ftpgate.protocol;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Server path handling for policy checks: the directory named in a 257 reply and the resolution of a command's
 * path argument against it. Pure string work; the server's own resolution remains authoritative, this only
 * has to be at least as strict (a ".." can never climb out of a checked prefix here).
 */
public final class FtpPaths {

    private FtpPaths() {
    }

    /**
     * The directory in a 257 reply text, RFC 959 Appendix II: {@code "/a ""quoted"" dir" is current directory}
     * gives {@code /a "quoted" dir}. Returns null when the text carries no quoted path.
     */
    public static String parsePwdReply(String text) {
        int start = text.indexOf('"');
        if (start < 0) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (int i = start + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    out.append('"');
                    i++;
                } else {
                    return out.toString();
                }
            } else {
                out.append(c);
            }
        }
        return null;
    }

    /**
     * Resolves {@code argument} against {@code cwd} into a normalised absolute path: "." and empty segments
     * dropped, ".." removes one segment and never climbs above "/". An empty argument means {@code cwd}.
     */
    public static String resolve(String cwd, String argument) {
        String joined = argument.startsWith("/") ? argument : cwd + "/" + argument;
        Deque<String> parts = new ArrayDeque<>();
        for (String p : joined.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** True when {@code path} is {@code dir} or lies below it (both normalised absolute paths). */
    public static boolean within(String path, String dir) {
        return dir.equals("/") || path.equals(dir) || path.startsWith(dir + "/");
    }

    /**
     * The path part of a LIST/NLST/STAT argument: leading option words such as {@code -la} (sent by many
     * clients, understood by most servers) are skipped.
     */
    public static String listingPath(String argument) {
        String a = argument.trim();
        while (a.startsWith("-")) {
            int sp = a.indexOf(' ');
            a = sp < 0 ? "" : a.substring(sp + 1).trim();
        }
        return a;
    }
}
