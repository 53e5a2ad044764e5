package io.ftpgate.it.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.config.Timeouts;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.RecordingAuditSink;
import io.ftpgate.it.ScriptedFtpServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Catalogue items 16 and 17: PASV port stealing, and the pinhole's lifetime and count. A pinhole accepts one
 * connection, only from the expected peer, survives impostors, expires, and dies with its session.
 */
class PinholeAttacksIT extends CatalogueSupport {

    private void session(Duration pinholeTtl) throws Exception {
        server = new ScriptedFtpServer();
        server.retrData = Bytes.random(16, 300_000);
        var b = reverseTo(server);
        if (pinholeTtl != null) {
            b.timeouts(Timeouts.DEFAULTS.withPinhole(pinholeTtl));
        }
        gw = b.start();
        login();
    }

    /** RETR over an already connected passive data socket; the full file must arrive. */
    private void retrOver(Socket d) throws Exception {
        assertThat(ftp.cmd("RETR f").code()).isEqualTo(150);
        assertThat(Bytes.sha256(RawFtp.readAll(d))).isEqualTo(Bytes.sha256(server.retrData));
        assertThat(ftp.read().code()).isEqualTo(226);
        assertThat(gw.audit.await("transfer").get("outcome")).isEqualTo("ok");
    }

    // ---------------------------------------------------------------- 16. PASV port stealing

    @Test
    void pasvPortStealingImpostorIsRefused() throws Exception {
        stealingImpostorsAreRefused("PASV");
    }

    @Test
    void epsvPortStealingImpostorIsRefused() throws Exception {
        stealingImpostorsAreRefused("EPSV");
    }

    private void stealingImpostorsAreRefused(String verb) throws Exception {
        session(null);
        attack(() -> {
            RawFtp.Reply r = ftp.cmd(verb);
            int port = "PASV".equals(verb) ? RawFtp.pasvPort(r) : RawFtp.epsvPort(r);
            for (String thief : THIRD_PARTIES) {
                assertThat(connectFails(port, thief)).as("impostor from " + thief).isTrue();
            }
            List<AuditEvent> mismatches = gw.audit.all(RecordingAuditSink.refused("data-peer-mismatch"));
            assertThat(mismatches).hasSize(THIRD_PARTIES.size()).allSatisfy(e -> {
                assertThat(e.get("side")).isEqualTo("client");
                assertThat(e.get("reply")).isNull();
                assertThat(e.get("enforced")).isEqualTo(true); // every refused event says whether it was enforced
            });
            assertThat(mismatches).extracting(e -> String.valueOf(e.get("input")).split(":")[0])
                    .containsExactlyElementsOf(THIRD_PARTIES);
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                retrOver(d);
            }
            assertSessionSurvives();
        });
    }

    /** The server-side pinhole (upstream active) is held to the same rule: only the server may connect. */
    @Test
    void serverSidePinholeImpostorIsRefused() throws Exception {
        server = new ScriptedFtpServer();
        server.activeData = true;
        server.activeConnectDelayMs = 700;
        server.retrData = Bytes.random(17, 100_000);
        gw = reverseTo(server).mode(UpstreamMode.ACTIVE).start();
        login();
        attack(() -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                assertThat(ftp.cmd("RETR f").code()).isEqualTo(150);
                String gwPort = server.commands.stream().filter(c -> c.startsWith("PORT ")).findFirst().orElseThrow();
                String[] f = gwPort.substring(5).split(",");
                int serverPinhole = port(Integer.parseInt(f[4]), Integer.parseInt(f[5]));
                assertThat(connectFails(serverPinhole, "127.0.0.2")).as("impostor on the server-side pinhole").isTrue();
                AuditEvent e = refused("data-peer-mismatch", null);
                assertThat(e.get("side")).isEqualTo("server");
                assertThat(Bytes.sha256(RawFtp.readAll(d))).isEqualTo(Bytes.sha256(server.retrData));
            }
            assertThat(ftp.read().code()).isEqualTo(226);
        });
    }

    /** pyftpdlib and OpenBSD randomise passive ports; Linux NAT increments (predictable). */
    @Test
    void passivePortsAreNotPredictable() throws Exception {
        session(null);
        attack(() -> {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ports.add(i % 2 == 0 ? RawFtp.pasvPort(ftp.cmd("PASV")) : RawFtp.epsvPort(ftp.cmd("EPSV")));
            }
            assertThat(ports).allMatch(p -> p >= CLIENT_PORTS && p < CLIENT_PORTS + 1000);
            List<Integer> steps = new ArrayList<>();
            for (int i = 1; i < ports.size(); i++) {
                steps.add(ports.get(i) - ports.get(i - 1));
            }
            assertThat(new java.util.HashSet<>(steps)).as("steps between successive passive ports " + ports)
                    .hasSizeGreaterThan(2);
            assertNoRefusals();
        });
    }

    // ---------------------------------------------------------------- 17. pinhole lifetime and count

    @Test
    void secondConnectionToUsedPinholeIsRefused() throws Exception {
        session(null);
        attack(() -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                assertThat(connectFails(port, "127.0.0.1")).as("a second connection, from the right address").isTrue();
                assertThat(connectFails(port, "127.0.0.2")).as("a second connection, from a third party").isTrue();
                retrOver(d);
            }
            assertThat(connectFails(port, "127.0.0.1")).as("a connection after the transfer").isTrue();
            assertSessionSurvives();
        });
    }

    @Test
    void lateConnectionAfterExpiryIsRefused() throws Exception {
        session(Duration.ofSeconds(1));
        attack(() -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            AuditEvent expired = gw.audit.awaitEvent(RecordingAuditSink.refused("pinhole-expired"),
                    Duration.ofSeconds(5));
            assertThat(expired.get("side")).isEqualTo("client");
            assertThat(connectFails(port, "127.0.0.1")).as("a connect after expiry").isTrue();
            assertThat(ftp.cmd("RETR f").code()).as("RETR on the expired pinhole").isEqualTo(425);
            assertThat(gw.audit.all(RecordingAuditSink.refused("pinhole-expired"))).hasSize(2);
            assertThat(server.commands).doesNotContain("RETR f");
            assertSessionSurvives();
        });
    }

    @Test
    void connectionAfterControlClosedIsRefused() throws Exception {
        session(null);
        attack(() -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            ftp.close();
            assertThat(gw.audit.await("session-close").get("reason")).isEqualTo("client-closed");
            assertThat(connectFails(port, "127.0.0.1")).as("a connect after the control connection died").isTrue();
            assertThat(server.commands).doesNotContain("RETR f");
        });
    }

    /** Active mode: after the control connection died, nothing connects to the PORT the client had named. */
    @Test
    void activeConnectionAfterControlClosedIsNeverMade() throws Exception {
        session(null);
        try (ServerSocket mine = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
            mine.setSoTimeout(500);
            attack(() -> {
                assertThat(ftp.cmd("PORT " + portArg("127.0.0.1", mine.getLocalPort())).code()).isEqualTo(200);
                ftp.close();
                gw.audit.await("session-close");
                try (Socket s = mine.accept()) {
                    throw new AssertionError("the gateway connected to the client's PORT after the session ended");
                } catch (java.net.SocketTimeoutException expected) {
                    // nobody came
                }
            });
        }
    }

    /** One expectation per session (Linux max_expected=1, pf max 1): a new PASV closes the old pinhole. */
    @Test
    void newPasvClosesThePreviousPinhole() throws Exception {
        session(null);
        attack(() -> {
            int first = RawFtp.pasvPort(ftp.cmd("PASV"));
            int second = RawFtp.epsvPort(ftp.cmd("EPSV"));
            assertThat(connectFails(first, "127.0.0.1")).as("the replaced pinhole").isTrue();
            try (Socket d = RawFtp.dataConnect("127.0.0.1", second, "127.0.0.1")) {
                retrOver(d);
            }
        });
    }

    @Test
    void pipelinedPasvCommandsLeaveOnePinhole() throws Exception {
        session(null);
        attack(() -> {
            ftp.sendRaw("PASV\r\nPASV\r\nPORT 127,0,0,2,192,6\r\n");
            int first = RawFtp.pasvPort(ftp.read());
            int second = RawFtp.pasvPort(ftp.read());
            assertThat(ftp.read().code()).isEqualTo(501);
            refused("port-foreign-address", 501);
            assertThat(connectFails(first, "127.0.0.1")).as("the first pinhole").isTrue();
            try (Socket d = RawFtp.dataConnect("127.0.0.1", second, "127.0.0.1")) {
                retrOver(d);
            }
            assertThat(ftp.cmd("RETR f").code()).as("a second transfer on the same pinhole").isEqualTo(425);
        });
    }

    /** The pinhole expects the control peer (here 127.0.0.5), not the gateway's own host. */
    @Test
    void pinholeFromAnotherLoopbackAddressIsRefused() throws Exception {
        server = new ScriptedFtpServer();
        gw = reverseTo(server).start();
        releaseTraps("127.0.0.5");
        ftp = RawFtp.openFrom(gw.address(), "127.0.0.5");
        ftp.login("anonymous", PASSWORD);
        attack(() -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            assertThat(connectFails(port, "127.0.0.1")).isTrue();
            assertThat(String.valueOf(refused("data-peer-mismatch", null).get("input"))).startsWith("127.0.0.1:");
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.5")) {
                retrOver(d);
            }
        });
    }
}
