package io.ftpgate.it.ftps;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerTls;
import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.config.ListenerTls.DataProtection;
import io.ftpgate.config.ListenerTls.ServerTlsMode;
import io.ftpgate.control.Gateway;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.it.ScriptedFtpServer;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.tls.TestProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.apache.commons.net.util.TrustManagerUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The STARTTLS command-injection class (CVE-2011-0411 and its FTP cousins): bytes sent in clear after
 * {@code AUTH TLS} and before the handshake are never executed, on either side; they are recorded.
 */
class FtpsInjectionIT {

    @TempDir
    Path dir;
    private final RecordingAuditSink audit = new RecordingAuditSink();

    private Gateway start(ScriptedFtpServer server, ClientTlsMode client, ServerTlsMode serverTls) throws Exception {
        PemTls tls = PemTls.create(dir.resolve("tls"));
        ListenerTls t = new ListenerTls(client, tls.files.certPem(), tls.files.keyPem(), null, false, false,
                serverTls, DataProtection.PRIVATE, null, null, false, null).withProvider(TestProvider.get());
        ListenerConfig l = ListenerConfig.builder("inject").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort("127.0.0.1", server.port())).tls(t).build();
        return Gateway.start(new GatewayConfig(List.of(l), null, null), audit);
    }

    @Test
    void commandsPipelinedInClearBehindAuthTlsAreDiscarded() throws Exception {
        try (ScriptedFtpServer server = new ScriptedFtpServer();
                Gateway gw = start(server, ClientTlsMode.REQUIRED, ServerTlsMode.OFF);
                RawFtp ftp = RawFtp.open(gw.boundAddresses().get(0))) {
            // An attacker on the path appends a command to the client's AUTH TLS, in the same segment.
            ftp.sendRaw("AUTH TLS\r\nUSER injected\r\nDELE precious\r\n");
            assertThat(ftp.read().code()).isEqualTo(234);
            assertThat(audit.awaitEvent(RecordingAuditSink.refused("tls-cleartext-injection")
                    .and(RecordingAuditSink.field("input", "DELE precious")), java.time.Duration.ofSeconds(10)))
                    .isNotNull();
            assertThat(audit.all(RecordingAuditSink.refused("tls-cleartext-injection")).stream()
                    .map(e -> String.valueOf(e.get("input"))).toList())
                    .containsExactlyInAnyOrder("USER injected", "DELE precious");
            // The real client goes on inside TLS; the session works, and the server never saw the injection.
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {TrustManagerUtils.getAcceptAllTrustManager()}, null);
            try (SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(ftp.socket, "127.0.0.1",
                    ftp.socket.getPort(), false)) {
                tls.startHandshake();
                OutputStream out = tls.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(tls.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                out.write("USER anonymous\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).startsWith("331");
                out.write("PASS x@example.org\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).startsWith("230");
            }
            assertThat(server.commands).doesNotContain("USER injected", "DELE precious").contains("USER anonymous");
        }
    }

    @Test
    void repliesTheServerSendsInClearAfterItsOwn234AreDiscarded() throws Exception {
        try (ScriptedFtpServer server = new ScriptedFtpServer()) {
            // A hostile server (or an attacker between ftpgate and the server) follows its 234 with a fake 230;
            // the TLS handshake then fails (this server speaks no TLS) and the session ends.
            server.rawScript.put("AUTH", "234 Go ahead.\r\n230 Logged in without a password.\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            try (Gateway gw = start(server, ClientTlsMode.OFF, ServerTlsMode.REQUIRED);
                    RawFtp ftp = RawFtp.open(gw.boundAddresses().get(0))) {
                assertThat(audit.awaitRefused("tls-cleartext-injection").get("input").toString())
                        .isEqualTo("server: 230 Logged in without a password.");
                assertThat(audit.awaitRefused("tls-handshake-failed")).isNotNull();
                assertThat(ftp.awaitClose(java.time.Duration.ofSeconds(15))).extracting(RawFtp.Reply::code)
                        .contains(421).doesNotContain(230);
            }
        }
    }
}
