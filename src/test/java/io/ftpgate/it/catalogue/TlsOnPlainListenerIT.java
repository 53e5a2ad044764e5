package io.ftpgate.it.catalogue;

import static io.ftpgate.it.RecordingAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.it.RawFtp;
import io.ftpgate.protocol.TlsClientHello;
import io.ftpgate.protocol.TlsOpening;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 11: a TLS client on a plain listener (implicit FTPS: {@code curl ftps://}, {@code openssl s_client})
 * was recorded as a {@code nul-byte} with an empty input, then a {@code protocol-violation}. It is protocol
 * confusion, like an HTTP request: one {@code refused} event naming TLS, the connection closed, nothing relayed.
 */
class TlsOnPlainListenerIT extends CatalogueSupport {

    /** How long curl may try; the gateway closes at once, so this only bounds a failure. */
    private static final int CURL_MAX_SECONDS = 10;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpgate.protocol.TlsClientHello#protocols")
    void clientHelloFirstIsProtocolConfusion(String protocol) throws Exception {
        scripted();
        ftp = RawFtp.connect(gw.address());
        attack(() -> {
            send(TlsClientHello.of(protocol));
            assertClosedWithAtMostTheGreeting();
            assertRefusedAsTlsOnly();
        });
    }

    /** The record header split across segments: the first bytes wait for the third one, then the same verdict. */
    @Test
    void clientHelloInPiecesIsProtocolConfusion() throws Exception {
        scripted();
        ftp = RawFtp.connect(gw.address());
        attack(() -> {
            byte[] hello = TlsClientHello.of("TLSv1.3");
            send(Arrays.copyOfRange(hello, 0, 2));
            Thread.sleep(50);
            send(Arrays.copyOfRange(hello, 2, hello.length));
            assertClosedWithAtMostTheGreeting();
            assertRefusedAsTlsOnly();
        });
    }

    /** What the administrator ran: curl speaking implicit FTPS to the plain port. */
    @Test
    void curlFtpsIsProtocolConfusion() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
        scripted();
        attack(() -> {
            Process curl = new ProcessBuilder("/usr/bin/curl", "-sS", "--max-time", String.valueOf(CURL_MAX_SECONDS),
                    "ftps://127.0.0.1:" + gw.address().getPort() + "/").redirectErrorStream(true).start();
            assertThat(curl.waitFor(CURL_MAX_SECONDS + 5, TimeUnit.SECONDS)).as("curl finished").isTrue();
            assertThat(curl.exitValue()).as("curl's exit code (its TLS handshake must fail)").isNotZero();
            assertRefusedAsTlsOnly();
        });
    }

    private void send(byte[] bytes) {
        try {
            ftp.sendRaw(bytes);
        } catch (IOException e) {
            ftp.transcript.note("write failed (the gateway closed): " + e.getMessage());
        }
    }

    private void assertClosedWithAtMostTheGreeting() throws IOException {
        List<RawFtp.Reply> replies = ftp.awaitClose(Duration.ofSeconds(5));
        assertThat(replies).as("at most the greeting, which may race the close")
                .extracting(RawFtp.Reply::code).allMatch(c -> c == 220);
    }

    /** One refused event, protocol-confusion naming TLS; no nul-byte; the session closed for it; nothing relayed. */
    private void assertRefusedAsTlsOnly() throws InterruptedException {
        AuditEvent close = gw.audit.await("session-close");
        assertThat(close.get("reason")).isEqualTo("protocol-confusion");
        List<AuditEvent> refused = gw.audit.all(type("refused"));
        assertThat(refused).as("refused events").noneMatch(e -> "nul-byte".equals(e.get("reason")));
        assertThat(refused).as("refused events").hasSize(1);
        assertThat(refused.get(0).get("reason")).isEqualTo("protocol-confusion");
        assertThat(refused.get(0).get("input")).isEqualTo(TlsOpening.AUDIT_INPUT);
        assertThat(refused.get(0).get("reply")).isNull();
        assertThat(server.commands).as("lines the server received").isEmpty();
    }
}
