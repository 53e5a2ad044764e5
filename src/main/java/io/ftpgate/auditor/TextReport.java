package io.ftpgate.auditor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The human form of a report: a summary table (severity, check, verdict), then each finding with its evidence,
 * meaning and fix, wrapped to {@link #WIDTH} columns.
 * <pre>
 * SEVERITY  CHECK            VERDICT
 * high      bounce-port      category 1: connected to the third party
 *
 * [high] bounce-port: FTP bounce via PORT to a third party
 *   verdict   category 1: connected to the third party
 *   sent      PORT 127,0,0,2,156,65
 *   reply     200 Command PORT okay.
 * </pre>
 * Severities are coloured (ANSI SGR) only when asked, which the command does when stdout is a terminal and
 * {@code NO_COLOR} is not set.
 */
public final class TextReport {

    /** Column at which meaning and fix texts wrap. */
    static final int WIDTH = 100;
    /** Width of the labels in a finding's block ({@code "  received  "}). */
    private static final String INDENT = "            ";
    private static final String RESET = "\u001b[0m";

    private TextReport() {
    }

    /**
     * Colours only on a terminal, and never when {@code NO_COLOR} is set to anything non-empty
     * (https://no-color.org).
     */
    public static boolean colourWanted(boolean terminal, String noColor) {
        return terminal && (noColor == null || noColor.isEmpty());
    }

    /** Renders the report; {@code colour} adds ANSI colours to severities. */
    public static String render(AuditReport report, boolean colour) {
        StringBuilder sb = new StringBuilder();
        sb.append("ftpgate audit of ").append(report.target()).append(" as ").append(report.user());
        sb.append(report.thirdParty() == null ? ", no third-party address" : ", third party "
                + report.thirdParty()).append("\n\n");
        int checkWidth = Math.max("CHECK".length(), report.findings().stream().mapToInt(f -> f.check().length())
                .max().orElse(0));
        sb.append(pad("SEVERITY", 8)).append("  ").append(pad("CHECK", checkWidth)).append("  VERDICT\n");
        for (Finding f : report.findings()) {
            sb.append(severity(f.severity(), 8, colour)).append("  ").append(pad(f.check(), checkWidth))
                    .append("  ").append(f.verdict()).append('\n');
        }
        for (Finding f : report.findings()) {
            sb.append('\n');
            details(sb, f, colour);
        }
        sb.append('\n').append(summary(report)).append('\n');
        return sb.toString();
    }

    /** {@code 2 high, 1 medium, 0 low, 3 info, 7 ok; exit code 1 (high findings)}. */
    static String summary(AuditReport report) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : report.summary().entrySet()) {
            parts.add(e.getValue() + " " + e.getKey());
        }
        String exit = switch (report.exitCode()) {
            case AuditReport.EXIT_OK -> "no high findings";
            case AuditReport.EXIT_HIGH -> "high findings";
            default -> "incomplete: " + report.incomplete();
        };
        return "Summary: " + String.join(", ", parts) + "; exit code " + report.exitCode() + " (" + exit + ")";
    }

    private static void details(StringBuilder sb, Finding f, boolean colour) {
        sb.append('[').append(severity(f.severity(), 0, colour)).append("] ").append(f.check()).append(": ")
                .append(f.title()).append('\n');
        line(sb, "verdict", f.verdict());
        for (Evidence e : f.evidence()) {
            if (e.sent() != null) {
                line(sb, "sent", e.sent());
            }
            if (e.reply() != null) {
                line(sb, "reply", e.reply());
            }
            if (e.observed() != null) {
                line(sb, "observed", e.observed());
            }
        }
        if (!f.meaning().isEmpty()) {
            wrapped(sb, "meaning", f.meaning());
        }
        if (!f.fix().isEmpty()) {
            wrapped(sb, "fix", f.fix());
        }
    }

    private static void line(StringBuilder sb, String label, String text) {
        sb.append("  ").append(pad(label, INDENT.length() - 2)).append(text).append('\n');
    }

    /** Greedy word wrap to {@link #WIDTH}, continuation lines indented under the text. */
    private static void wrapped(StringBuilder sb, String label, String text) {
        StringBuilder current = new StringBuilder();
        boolean first = true;
        for (String word : text.split(" ")) {
            if (current.length() > 0 && INDENT.length() + current.length() + 1 + word.length() > WIDTH) {
                line(sb, first ? label : "", current.toString());
                first = false;
                current.setLength(0);
            }
            if (current.length() > 0) {
                current.append(' ');
            }
            current.append(word);
        }
        line(sb, first ? label : "", current.toString());
    }

    private static String severity(Severity s, int width, boolean colour) {
        String text = pad(s.label(), width);
        return colour ? sgr(s) + text + RESET : text;
    }

    /** Red for high, yellow for medium, cyan for low, default for info, green for ok. */
    private static String sgr(Severity s) {
        return switch (s) {
            case HIGH -> "\u001b[1;31m";
            case MEDIUM -> "\u001b[33m";
            case LOW -> "\u001b[36m";
            case INFO -> "\u001b[0m";
            case OK -> "\u001b[32m";
        };
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
