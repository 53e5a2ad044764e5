package io.ftpgate.it;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;

/**
 * A thread-safe record of a control-channel dialogue ("C> " lines sent by the client, "S> " lines received),
 * usable as a Commons Net {@link ProtocolCommandListener}. Included in assertion messages so a failure shows
 * the wire.
 */
public final class Transcript implements ProtocolCommandListener {

    private final List<String> lines = new ArrayList<>();

    public synchronized void sent(String line) {
        lines.add("C> " + visible(line));
    }

    public synchronized void received(String line) {
        lines.add("S> " + visible(line));
    }

    public synchronized void note(String text) {
        lines.add("-- " + text);
    }

    @Override
    public void protocolCommandSent(ProtocolCommandEvent event) {
        sent(strip(event.getMessage()));
    }

    @Override
    public void protocolReplyReceived(ProtocolCommandEvent event) {
        for (String l : strip(event.getMessage()).split("\r\n")) {
            received(l);
        }
    }

    /** The commands the client sent, as they went on the wire (without CRLF). */
    public synchronized List<String> commands() {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("C> ")) {
                out.add(l.substring(3));
            }
        }
        return out;
    }

    /** True when some command sent starts with {@code verb + " "} or equals {@code verb}. */
    public synchronized boolean sentVerb(String verb) {
        return commands().stream().anyMatch(c -> c.equals(verb) || c.startsWith(verb + " "));
    }

    private static String strip(String s) {
        return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s;
    }

    private static String visible(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\x%02X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public synchronized String toString() {
        return "wire transcript:\n  " + String.join("\n  ", lines);
    }
}
