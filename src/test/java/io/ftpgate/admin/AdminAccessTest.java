package io.ftpgate.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.event.Reason;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may use the admin listener: Host names, the CSRF header and Origin, the token. */
class AdminAccessTest {

    private static final String TOKEN = "0123456789abcdef0123";

    private static FullHttpRequest request(HttpMethod method, String host, String... headers) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/api/sessions");
        if (host != null) {
            r.headers().set("Host", host);
        }
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().set(headers[i], headers[i + 1]);
        }
        return r;
    }

    @Test
    void loopbackHostNames() {
        assertThat(AdminAccess.loopbackHost("localhost:9121")).isTrue();
        assertThat(AdminAccess.loopbackHost("127.0.0.1")).isTrue();
        assertThat(AdminAccess.loopbackHost("127.9.8.7:80")).isTrue();
        assertThat(AdminAccess.loopbackHost("[::1]:9121")).isTrue();
        assertThat(AdminAccess.loopbackHost("attacker.example:9121")).isFalse();
        assertThat(AdminAccess.loopbackHost("localhost.attacker.example")).isFalse();
        assertThat(AdminAccess.loopbackHost("192.0.2.1:9121")).isFalse();
        assertThat(AdminAccess.loopbackHost("[::2]:9121")).isFalse();
    }

    @Test
    void withoutATokenOnlyLoopbackNamesAndSameSitePostsPass() {
        AdminAccess open = AdminAccess.open();
        assertThat(open.check(request(HttpMethod.GET, "127.0.0.1:9121"), false)).isNull();
        assertThat(open.check(request(HttpMethod.GET, "attacker.example"), false)).isEqualTo(Reason.ADMIN_FORBIDDEN);
        assertThat(open.check(request(HttpMethod.GET, null), false)).isEqualTo(Reason.ADMIN_FORBIDDEN);
        assertThat(open.check(request(HttpMethod.POST, "127.0.0.1:9121"), false)).isEqualTo(Reason.ADMIN_FORBIDDEN);
        assertThat(open.check(request(HttpMethod.POST, "127.0.0.1:9121", AdminAccess.CSRF_HEADER, "1"), false))
                .isNull();
        assertThat(open.check(request(HttpMethod.POST, "127.0.0.1:9121", AdminAccess.CSRF_HEADER, "1", "Origin",
                "http://127.0.0.1:9121"), false)).isNull();
        assertThat(open.check(request(HttpMethod.POST, "127.0.0.1:9121", AdminAccess.CSRF_HEADER, "1", "Origin",
                "https://attacker.example"), false)).isEqualTo(Reason.ADMIN_FORBIDDEN);
    }

    @Test
    void aTokenIsNeededInTheHeaderOrTheCookie(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("token"), TOKEN + "\nignored second line\n");
        AdminAccess access = AdminAccess.withTokenFile(file.toString());
        assertThat(access.check(request(HttpMethod.GET, "gw.example:9121"), false))
                .isEqualTo(Reason.ADMIN_UNAUTHORIZED);
        assertThat(access.check(request(HttpMethod.GET, "gw.example:9121", "Authorization", "Bearer " + TOKEN),
                false)).isNull();
        assertThat(access.check(request(HttpMethod.GET, "gw.example:9121", "Authorization", "Bearer " + TOKEN + "x"),
                false)).isEqualTo(Reason.ADMIN_UNAUTHORIZED);
        assertThat(access.check(request(HttpMethod.GET, "gw.example:9121", "Cookie", AdminAccess.COOKIE + "=" + TOKEN),
                false)).isNull();
        // The login form itself needs no token, but a cross-site one is refused.
        assertThat(access.check(request(HttpMethod.POST, "gw.example:9121"), true)).isNull();
        assertThat(access.check(request(HttpMethod.POST, "gw.example:9121", "Origin", "http://attacker.example"),
                true)).isEqualTo(Reason.ADMIN_FORBIDDEN);
    }

    @Test
    void aShortOrMissingTokenFileIsOneLine(@TempDir Path dir) throws Exception {
        Path shortToken = Files.writeString(dir.resolve("short"), "abc\n");
        assertThatThrownBy(() -> AdminAccess.withTokenFile(shortToken.toString()))
                .isInstanceOf(AdminStartException.class).hasMessageContaining("at least 16 characters");
        assertThatThrownBy(() -> AdminAccess.withTokenFile(dir.resolve("none").toString()))
                .isInstanceOf(AdminStartException.class).hasMessageStartingWith("cannot read admin token file");
    }
}
