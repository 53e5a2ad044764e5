package io.ftpgate.admin;

import io.ftpgate.event.Reason;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Who may use the admin listener. Without a token (loopback only, {@code AdminConfig.problem}) anyone on this
 * machine may; with one, every request must carry it: {@code Authorization: Bearer TOKEN} (Prometheus'
 * {@code authorization} setting, {@code ftpgate status}) or the cookie the login form sets for a browser.
 *
 * <p>Two browser attacks are refused whatever the token: a request naming a foreign {@code Host} on a tokenless
 * loopback listener (DNS rebinding: a web page whose name resolves to 127.0.0.1), and a state-changing
 * {@code POST} without the {@value #CSRF_HEADER} header or with a foreign {@code Origin} (cross-site request
 * forgery: another site cannot set that header without a CORS preflight, which this listener never grants).
 */
final class AdminAccess {

    /** The header every POST must carry; its presence is the proof (a plain HTML form cannot send it). */
    static final String CSRF_HEADER = "X-Ftpgate-Csrf";
    /** The browser's session cookie: the token itself, HttpOnly and SameSite=Strict. */
    static final String COOKIE = "ftpgate_admin";
    /**
     * Shortest token accepted: 16 characters (the example command, {@code openssl rand -hex 16}, gives 32 hex
     * digits, 128 bits); a short one could be guessed through the listener.
     */
    static final int MIN_TOKEN_LENGTH = 16;

    private final byte[] token;

    private AdminAccess(byte[] token) {
        this.token = token;
    }

    /** Access without a token: loopback only (the caller checked). */
    static AdminAccess open() {
        return new AdminAccess(null);
    }

    /** Access with the token in {@code file} (its first line); one-line error when unusable. */
    static AdminAccess withTokenFile(String file) throws AdminStartException {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
        } catch (IOException | RuntimeException e) {
            throw new AdminStartException("cannot read admin token file '" + file + "': " + e.getMessage());
        }
        if (text.length() < MIN_TOKEN_LENGTH) {
            throw new AdminStartException("admin token file '" + file + "' must hold a token of at least "
                    + MIN_TOKEN_LENGTH + " characters (e.g. from 'openssl rand -hex 16')");
        }
        return new AdminAccess(text.getBytes(StandardCharsets.UTF_8));
    }

    boolean tokenRequired() {
        return token != null;
    }

    /** True when {@code candidate} is the token (compared in constant time). */
    boolean matches(String candidate) {
        return token != null && candidate != null
                && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** The token as the cookie value (only after the user proved to know it). */
    String cookieValue() {
        return new String(token, StandardCharsets.UTF_8);
    }

    /** Why {@code req} is refused, or null when it may proceed; {@code loginForm} requests need no token. */
    Reason check(FullHttpRequest req, boolean loginForm) {
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null || (token == null && !loopbackHost(host))) {
            return Reason.ADMIN_FORBIDDEN;
        }
        if (req.method() == HttpMethod.POST && !sameOrigin(req, host, loginForm)) {
            return Reason.ADMIN_FORBIDDEN;
        }
        if (token == null || loginForm) {
            return null;
        }
        return matches(bearer(req)) || matches(cookie(req)) ? null : Reason.ADMIN_UNAUTHORIZED;
    }

    /** POSTs come from this listener's own page: the CSRF header (the login form instead: a same Origin). */
    private static boolean sameOrigin(FullHttpRequest req, String host, boolean loginForm) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !origin.equalsIgnoreCase("http://" + host)) {
            return false;
        }
        return loginForm || req.headers().contains(CSRF_HEADER);
    }

    private static String bearer(FullHttpRequest req) {
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
    }

    private static String cookie(FullHttpRequest req) {
        String header = req.headers().get(HttpHeaderNames.COOKIE);
        if (header == null) {
            return null;
        }
        for (Cookie c : ServerCookieDecoder.STRICT.decode(header)) {
            if (COOKIE.equals(c.name())) {
                return c.value();
            }
        }
        return null;
    }

    /** {@code localhost}, {@code 127.x.y.z} or {@code [::1]}, with or without a port. */
    static boolean loopbackHost(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end < 0 ? h : h.substring(1, end);
        } else if (h.indexOf(':') >= 0) {
            h = h.substring(0, h.indexOf(':'));
        }
        if (h.equals("localhost")) {
            return true;
        }
        byte[] b = NetUtil.createByteArrayFromIpAddressString(h);
        if (b == null) {
            return false;
        }
        if (b.length == 4) {
            return b[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[15] == 1;
    }
}
