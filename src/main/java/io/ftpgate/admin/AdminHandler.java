package io.ftpgate.admin;

import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.net.SocketAddresses;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.handler.codec.http.cookie.CookieHeaderNames.SameSite;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener's requests: the live page and its files, {@code /metrics}, {@code /api/sessions},
 * {@code /api/rates}, {@code /api/events} and {@code POST /api/sessions/ID/end}. Every request passes
 * {@link AdminAccess} first; a refused one is answered 401/403 and published as a {@code refused} event with
 * its reason code, like any other refusal.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final Pattern END = Pattern.compile("/api/sessions/([0-9a-f]{1,16})/end");
    /** Sent with every answer: nothing here may be framed, cached, sniffed or load code from elsewhere. */
    private static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-store");

    private final AdminServer server;

    AdminHandler(AdminServer server) {
        this.server = server;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = new QueryStringDecoder(req.uri()).path();
        boolean login = path.equals("/login") && req.method() == HttpMethod.POST;
        StaticFile file = server.files().get(path);
        if (file != null && !path.equals("/") && req.method() == HttpMethod.GET) {
            // The page's script and style: no data in them, so they load before (and for) the login form.
            respond(ctx, req, HttpResponseStatus.OK, file.contentType(), file.bytes());
            return;
        }
        Reason refused = server.access().check(req, login);
        if (refused != null) {
            refuse(ctx, req, path, refused);
            return;
        }
        if (login) {
            login(ctx, req);
        } else if (req.method() == HttpMethod.POST) {
            var m = END.matcher(path);
            if (m.matches()) {
                end(ctx, req, m.group(1));
            } else {
                text(ctx, req, HttpResponseStatus.NOT_FOUND, "not found\n");
            }
        } else if (req.method() != HttpMethod.GET) {
            text(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
        } else {
            get(ctx, req, path);
        }
    }

    private void get(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        switch (path) {
            case "/" -> {
                StaticFile page = server.files().get("/");
                respond(ctx, req, HttpResponseStatus.OK, page.contentType(), page.bytes());
            }
            case "/metrics" -> metrics(ctx, req);
            case "/api/sessions" -> json(ctx, req, Json.write(server.live().snapshot()));
            case "/api/rates" -> json(ctx, req, Json.write(server.live().rates()));
            case "/api/events" -> events(ctx, req);
            default -> text(ctx, req, HttpResponseStatus.NOT_FOUND, "not found\n");
        }
    }

    private void metrics(ChannelHandlerContext ctx, FullHttpRequest req) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                ctx.alloc().buffer());
        try (ByteBufOutputStream out = new ByteBufOutputStream(res.content())) {
            server.metrics().write(out);
        } catch (IOException e) {
            res.release();
            text(ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot write metrics\n");
            return;
        }
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, GatewayMetrics.contentType());
        send(ctx, req, res);
    }

    private void events(ChannelHandlerContext ctx, FullHttpRequest req) {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        SECURITY_HEADERS.forEach(res.headers()::set);
        HttpUtil.setTransferEncodingChunked(res, true);
        if (ctx.pipeline().get(IdleStateHandler.class) != null) {
            ctx.pipeline().remove(IdleStateHandler.class); // a stream is quiet by nature; heartbeats find dead ones
        }
        ctx.writeAndFlush(res);
        if (!server.stream().add(ctx.channel())) {
            ctx.close();
        }
    }

    private void end(ChannelHandlerContext ctx, FullHttpRequest req, String id) {
        boolean ended = server.sessions().end(id);
        LOG.info("admin {}: end session #{}: {}", remote(ctx), id, ended ? "ending" : "no such session");
        if (ended) {
            json(ctx, req, "{\"ended\":\"" + id + "\"}");
        } else {
            text(ctx, req, HttpResponseStatus.NOT_FOUND, "no such session\n");
        }
    }

    private void login(ChannelHandlerContext ctx, FullHttpRequest req) {
        QueryStringDecoder form = new QueryStringDecoder(req.content().toString(StandardCharsets.UTF_8), false);
        List<String> tokens = form.parameters().get("token");
        String token = tokens == null || tokens.isEmpty() ? null : tokens.get(0);
        if (!server.access().tokenRequired() || !server.access().matches(token)) {
            refuse(ctx, req, "/login", Reason.ADMIN_UNAUTHORIZED);
            return;
        }
        DefaultCookie cookie = new DefaultCookie(AdminAccess.COOKIE, server.access().cookieValue());
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.Strict);
        cookie.setPath("/");
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SEE_OTHER,
                Unpooled.EMPTY_BUFFER);
        res.headers().set(HttpHeaderNames.LOCATION, "/");
        res.headers().set(HttpHeaderNames.SET_COOKIE, ServerCookieEncoder.STRICT.encode(cookie));
        send(ctx, req, res);
    }

    private void refuse(ChannelHandlerContext ctx, FullHttpRequest req, String path, Reason reason) {
        String client = remote(ctx);
        // Not an FTP session: the event's session id is a fresh one, the input the request line without its query.
        server.events().publish(new SessionEvent.Refused(new SessionEvent.Origin(
                "admin-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16), client), reason, null,
                req.method() + " " + path, reason == Reason.ADMIN_UNAUTHORIZED ? 401 : 403, true, null, null));
        LOG.info("admin {}: refused {}: {} {}", client, reason.code(), req.method(), path);
        if (reason == Reason.ADMIN_UNAUTHORIZED
                && (req.method() == HttpMethod.GET && path.equals("/") || path.equals("/login"))) {
            StaticFile form = server.files().get("/login.html");
            respond(ctx, req, HttpResponseStatus.UNAUTHORIZED, form.contentType(), form.bytes());
        } else if (reason == Reason.ADMIN_UNAUTHORIZED) {
            text(ctx, req, HttpResponseStatus.UNAUTHORIZED, "admin token required\n");
        } else {
            text(ctx, req, HttpResponseStatus.FORBIDDEN, "forbidden\n");
        }
    }

    private static String remote(ChannelHandlerContext ctx) {
        return SocketAddresses.hostPort(SocketAddresses.canonical((InetSocketAddress) ctx.channel().remoteAddress()));
    }

    private static void json(ChannelHandlerContext ctx, FullHttpRequest req, String body) {
        respond(ctx, req, HttpResponseStatus.OK, "application/json",
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static void text(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String body) {
        respond(ctx, req, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status,
            String contentType, byte[] body) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        send(ctx, req, res);
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
        HttpHeaders h = res.headers();
        SECURITY_HEADERS.forEach(h::set);
        HttpUtil.setContentLength(res, res.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    /** A file of the page, served from the jar. */
    record StaticFile(String contentType, byte[] bytes) {
    }
}
