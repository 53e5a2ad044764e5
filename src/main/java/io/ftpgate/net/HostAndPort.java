package io.ftpgate.net;

import java.util.Objects;

/**
 * A host (name or literal address) and a TCP port as written by an administrator: {@code host:port},
 * {@code 192.0.2.1:21} or {@code [2001:db8::1]:21}. Names are resolved only when used.
 *
 * @param host host name or address literal, without brackets
 * @param port TCP port 1-65535
 */
public record HostAndPort(String host, int port) {

    public HostAndPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > PortRange.MAX_PORT) {
            throw new IllegalArgumentException("port must be 0-65535 (0 = any free port when listening), got " + port);
        }
    }

    /**
     * Parses {@code HOST:PORT}; IPv6 literals must be bracketed ({@code [::1]:2121}). When the text has no
     * port and {@code defaultPort > 0}, that port is used.
     */
    public static HostAndPort parse(String text, int defaultPort) {
        String s = text == null ? "" : text.trim();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in '" + text + "'; write IPv6 as [::1]:2121");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("expected ':PORT' after ']' in '" + text + "'");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                throw new IllegalArgumentException("IPv6 address must be bracketed, e.g. [::1]:2121; got '" + text + "'");
            }
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
        }
        if (port == null) {
            if (defaultPort <= 0) {
                throw new IllegalArgumentException("expected HOST:PORT (port missing), got '" + text + "'");
            }
            return new HostAndPort(host, defaultPort);
        }
        try {
            return new HostAndPort(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number 1-65535 in '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
