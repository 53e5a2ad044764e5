package io.ftpgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.control.Gateway;
import io.ftpgate.net.HostAndPort;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A listener can hide what the server is: its banner and its SYST answer replace the server's, which name the
 * software (and often its version) to anyone who connects; the auditor flags exactly that.
 */
class BannerIT {

    private static Gateway start(ScriptedFtpServer server, String banner, String syst) throws Exception {
        ListenerConfig l = ListenerConfig.builder("banner").listen(new HostAndPort("127.0.0.1", 0))
                .upstream(new HostAndPort("127.0.0.1", server.port())).banner(banner).systReply(syst).build();
        return Gateway.start(new GatewayConfig(List.of(l), null, null), new RecordingAuditSink());
    }

    @Test
    void theListenersBannerAndSystReplaceTheServers() throws Exception {
        try (ScriptedFtpServer server = new ScriptedFtpServer()) {
            server.greeting = "220 pyftpdlib 1.5.7 ready.";
            try (Gateway gw = start(server, "FTP service ready.", "UNIX Type: L8");
                    RawFtp ftp = RawFtp.connect(gw.boundAddresses().get(0))) {
                RawFtp.Reply greeting = ftp.read();
                assertThat(greeting.code()).isEqualTo(220);
                assertThat(greeting.lines()).containsExactly("220 FTP service ready.");
                ftp.login("anonymous", "banner@example.org");
                server.script.put("SYST", List.of("215 UNIX Type: L8 Version: pyftpdlib 1.5.7"));
                assertThat(ftp.cmd("SYST").lines()).containsExactly("215 UNIX Type: L8");
            }
        }
    }

    @Test
    void withoutThemTheServersAreRelayed() throws Exception {
        try (ScriptedFtpServer server = new ScriptedFtpServer()) {
            server.greeting = "220 pyftpdlib 1.5.7 ready.";
            try (Gateway gw = start(server, null, null);
                    RawFtp ftp = RawFtp.connect(gw.boundAddresses().get(0))) {
                assertThat(ftp.read().lines()).containsExactly("220 pyftpdlib 1.5.7 ready.");
                ftp.login("anonymous", "banner@example.org");
                assertThat(ftp.cmd("SYST").lines()).containsExactly("215 UNIX Type: L8");
            }
        }
    }
}
