package io.ftpgate.proxy;

import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import java.util.Locale;

/**
 * Which PROXY protocol header a connection carries (HAProxy's proxy-protocol.txt): none, the text form (v1),
 * the binary form (v2), or either. As written in configuration: {@code off}, {@code v1}, {@code v2}, {@code any}.
 */
public enum ProxyVersion {
    /** No header: the connection's own peer is the client. */
    OFF,
    /** The text header {@code PROXY TCP4 ...\r\n} (HAProxy {@code send-proxy}). */
    V1,
    /** The binary header (HAProxy {@code send-proxy-v2}). */
    V2,
    /** Either form (accepted only on the way in). */
    ANY;

    /** True unless {@link #OFF}. */
    public boolean on() {
        return this != OFF;
    }

    /** True when a header of {@code version} is accepted. */
    boolean accepts(HAProxyProtocolVersion version) {
        return this == ANY || (this == V1 && version == HAProxyProtocolVersion.V1)
                || (this == V2 && version == HAProxyProtocolVersion.V2);
    }

    /** The configuration word: {@code off}, {@code v1}, {@code v2} or {@code any}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a configuration word (case-insensitive); the message lists the choices. */
    public static ProxyVersion parse(String text, boolean anyAllowed) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (ProxyVersion v : values()) {
            if (v.text().equals(t) && (anyAllowed || v != ANY)) {
                return v;
            }
        }
        throw new IllegalArgumentException("expected one of off, v1, v2" + (anyAllowed ? ", any" : "") + ", got '"
                + text + "'");
    }
}
