package io.ftpgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.config.UpstreamMode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regressions for faults found in review: sessions that stopped answering, replies sent twice, a 227 that
 * leaked, and data cut short when the server hung up. Each test drives a scripted upstream that misbehaves
 * in exactly one way and checks the client's view, then that the session still answers.
 */
class ReviewRegressionIT {

    private ScriptedFtpServer server;
    private GatewayFixture gw;
    private RawFtp ftp;

    @AfterEach
    void tearDown() throws Exception {
        if (ftp != null) {
            ftp.close();
        }
        if (gw != null) {
            gw.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(UpstreamMode mode) throws Exception {
        gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", server.port()).dataPorts(44000, 45000)
                .mode(mode).start();
        ftp = RawFtp.open(gw.address());
    }

    @Test
    void serverAnnouncing150Then425WithoutConnectingDoesNotHangTheSession() throws Exception {
        server = new ScriptedFtpServer();
        server.retrMode = "150-then-425";
        start(UpstreamMode.ACTIVE);
        ftp.login("anonymous", "x");
        int port = RawFtp.pasvPort(ftp.cmd("PASV"));
        try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
            assertThat(ftp.cmd("RETR f").code()).isEqualTo(150);
            assertThat(ftp.read().code()).isEqualTo(425);
        }
        assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
    }

    @Test
    void a227AnsweringATransferCommandIsWithheld() throws Exception {
        server = new ScriptedFtpServer();
        server.retrMode = "reply-227";
        start(UpstreamMode.PASSIVE);
        ftp.login("anonymous", "x");
        int port = RawFtp.pasvPort(ftp.cmd("PASV"));
        try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
            RawFtp.Reply r = ftp.cmd("RETR f");
            assertThat(r.code()).isEqualTo(451);
            assertThat(String.join("", r.lines())).doesNotContain("10,0,0,5");
        }
        gw.audit.awaitRefused("unexpected-pasv-reply");
        assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
    }

    @Test
    void a227GreetingIsWithheld() throws Exception {
        server = new ScriptedFtpServer();
        server.greeting = "227 Entering Passive Mode (10,0,0,5,0,22)";
        gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", server.port()).start();
        ftp = RawFtp.connect(gw.address());
        RawFtp.Reply greeting = ftp.read();
        assertThat(greeting.code()).isEqualTo(451);
        assertThat(String.join("", greeting.lines())).doesNotContain("10,0,0,5");
        gw.audit.awaitRefused("unexpected-pasv-reply");
    }

    @Test
    void serverHangingUpRightAfter226StillDeliversEveryByte() throws Exception {
        server = new ScriptedFtpServer();
        server.retrMode = "close-after-226";
        byte[] payload = Bytes.random(7, 1024 * 1024);
        server.retrData = payload;
        start(UpstreamMode.PASSIVE);
        ftp.login("anonymous", "x");
        int port = RawFtp.pasvPort(ftp.cmd("PASV"));
        try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
            d.setReceiveBufferSize(16 * 1024);
            assertThat(ftp.cmd("RETR big").code()).isEqualTo(150);
            // The server writes everything (it fits in the socket buffers), sends 226 and hangs up while the
            // gateway still holds most of the file: this client has not read a byte yet.
            server.awaitControlClosed(Duration.ofSeconds(10));
            assertThat(Bytes.sha256(RawFtp.readAll(d))).isEqualTo(Bytes.sha256(payload));
        }
        assertThat(ftp.read().code()).isEqualTo(226);
        assertThat(ftp.read().code()).isEqualTo(421);
        AuditEvent t = gw.audit.await("transfer");
        assertThat(((Number) t.get("bytes")).longValue()).isEqualTo(payload.length);
        assertThat(t.get("outcome")).isEqualTo("ok");
    }

    @Test
    void pipelinedAborAfterAFailedDataSetupIsAnsweredOnceAndTheSessionGoesOn() throws Exception {
        server = new ScriptedFtpServer();
        try (ServerSocket busy = new ServerSocket(45999, 1, InetAddress.getByName("127.0.0.1"));
                ServerSocket clientData = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", server.port())
                    .dataPortRanges(44000, 44999, 45999, 45999).mode(UpstreamMode.ACTIVE).start();
            ftp = RawFtp.open(gw.address());
            ftp.login("anonymous", "x");
            int p = clientData.getLocalPort();
            ftp.sendRaw("PORT 127,0,0,1," + (p >> 8) + "," + (p & 0xff) + "\r\nRETR f\r\nABOR\r\n");
            assertThat(ftp.read().code()).isEqualTo(200);
            int transfer = ftp.read().code();
            int abor = ftp.read().code();
            // Either the ABOR overtook the failure (426 + 226) or the failure came first (425, then ABOR relayed).
            assertThat(transfer).isIn(425, 426);
            assertThat(abor).isIn(226, 225, 502);
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
        }
    }

    @Test
    void commandsPipelinedBeforeTheGreetingWaitForTheServer() throws Exception {
        server = new ScriptedFtpServer();
        gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", server.port()).start();
        ftp = RawFtp.connect(gw.address());
        // Sent before anything was read: the gateway may not even be connected upstream yet.
        ftp.sendRaw("USER anonymous\r\nPASS x\r\nNOOP\r\n");
        assertThat(ftp.read().code()).isEqualTo(220);
        assertThat(ftp.read().code()).isEqualTo(331);
        assertThat(ftp.read().code()).isEqualTo(230);
        assertThat(ftp.read().code()).isEqualTo(200);
    }
}
