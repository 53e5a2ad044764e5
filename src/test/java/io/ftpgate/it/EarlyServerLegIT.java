package io.ftpgate.it;

import static io.ftpgate.it.Diagnostics.withDiagnostics;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.config.UpstreamMode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The early server leg: with the server passive, the gateway sends its own PASV and connects as soon as the
 * client's PASV/EPSV/PORT/EPRT is answered, not after the transfer command. The order of what the scripted
 * server receives is the evidence: the client's NOOP sent right after its EPSV reaches the server after the
 * gateway's PASV. Also covered: a leg that is never used, one the server drops, REST ordering, a server that
 * refuses passive mode, and the listener switch that turns it off.
 */
class EarlyServerLegIT {

    private static final String PASSWORD = "early-leg-secret-51c2";

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private GatewayFixture gw;
    private RawFtp ftp;
    private ScriptedFtpServer server;

    @AfterEach
    void tearDown() throws Exception {
        Teardown.closeAll(ftp, closeables, gw, PASSWORD);
    }

    private void start(boolean early, UpstreamMode mode) throws Exception {
        start(early, mode, "anonymous");
    }

    /** A gateway in front of a fresh scripted server; logged in as {@code user} (anonymous may not write). */
    private void start(boolean early, UpstreamMode mode, String user) throws Exception {
        server = new ScriptedFtpServer();
        closeables.add(server);
        server.retrData = Bytes.random(11, 200_000);
        gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", server.port()).dataPorts(56000, 57000)
                .mode(mode).earlyServerLeg(early).start();
        ftp = RawFtp.open(gw.address());
        ftp.login(user, PASSWORD);
        ftp.expect(ftp.cmd("TYPE I"), 200);
    }

    /** What the server received after TYPE I. */
    /**
     * What the server received after the client's TYPE I, without the gateway's own PWD (it learns the session's
     * directory for the audit log once, before the first transfer; AuditPathIT covers it).
     */
    private List<String> afterLogin() {
        List<String> c = List.copyOf(server.commands);
        return c.subList(c.indexOf("TYPE I") + 1, c.size()).stream().filter(x -> !x.equals("PWD")).toList();
    }

    private String diag() {
        return (ftp == null ? "" : ftp.transcript.toString()) + "\naudit:\n" + (gw == null ? "" : gw.audit.dump())
                + "\n" + (server == null ? "" : server.received());
    }

    /** Waits until the scripted server has accepted the early leg (it connects after the server's 227). */
    private void awaitEarlyLegAccepted() throws InterruptedException {
        for (int i = 0; i < 1000 && server.dataPeers.isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertThat(server.dataPeers).as("the early leg reached the server").hasSize(1);
    }

    /** RETR over a passive client leg on {@code port}: 150, the server's bytes (sha256), 226. */
    private void retrVia(int port) throws Exception {
        try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
            assertThat(ftp.cmd("RETR file.bin").code()).isEqualTo(150);
            assertThat(Bytes.sha256(RawFtp.readAll(d))).isEqualTo(Bytes.sha256(server.retrData));
        }
        assertThat(ftp.read().code()).isEqualTo(226);
        AuditEvent t = gw.audit.awaitEvent(RecordingAuditSink.type("transfer")
                .and(RecordingAuditSink.field("outcome", "ok")), java.time.Duration.ofSeconds(10));
        assertThat(t).as("an ok transfer record").isNotNull();
        assertThat(((Number) t.get("bytes")).longValue()).isEqualTo(server.retrData.length);
    }

    @Test
    void serverPasvFollowsTheClientsEpsvAtOnce() throws Exception {
        start(true, UpstreamMode.PASSIVE);
        withDiagnostics(this::diag, () -> {
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
            assertThat(afterLogin()).as("the gateway's PASV went out before the client's next command")
                    .containsExactly("PASV", "NOOP");
            retrVia(port);
            assertThat(afterLogin()).as("the early leg carried the transfer: no second PASV")
                    .containsExactly("PASV", "NOOP", "RETR file.bin");
            assertThat(server.dataPeers).containsExactly("127.0.0.1");
            assertThat(gw.audit.await("transfer").get("server-mode")).isEqualTo("PASV");
        });
    }

    /**
     * Issue 11: the client's 227/229 goes out only once the server has answered the gateway's own PASV, as a
     * direct server's answer would. curl 7.88 (Debian 12) stalls 1 s when the 229 is readable the moment it has
     * sent EPSV (it then waits for its 1 s timer before connecting). The server here holds its answer: nothing
     * may reach the client meanwhile, and the reply that comes after the release follows the server's answer.
     * Ordering, not timing: with the fix this passes however slow the machine is (the poll only bounds how long
     * a premature reply is looked for); without it the 229 arrives at once and the poll sees it.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"EPSV", "PASV"})
    void theClientsPassiveReplyWaitsForTheServersAnswer(String verb) throws Exception {
        start(true, UpstreamMode.PASSIVE);
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        server.passiveReplyGate = gate;
        closeables.add(gate::countDown);
        withDiagnostics(this::diag, () -> {
            ftp.send(verb);
            awaitServerReceived("PASV");
            assertThat(ftp.poll(java.time.Duration.ofMillis(500)))
                    .as("a reply to " + verb + " before the server answered the gateway's PASV").isNull();
            gate.countDown();
            RawFtp.Reply r = ftp.read();
            assertThat(r.code()).isEqualTo("EPSV".equals(verb) ? 229 : 227);
            assertThat(server.passiveAnswers.get()).as("the server had answered first").isEqualTo(1);
            retrVia("EPSV".equals(verb) ? RawFtp.epsvPort(r) : RawFtp.pasvPort(r));
            assertThat(afterLogin()).as("the early leg carried the transfer")
                    .containsExactly("PASV", "RETR file.bin");
        });
    }

    @Test
    void aServerHangingUpBeforeAnsweringPasvEndsTheSessionWithoutA229() throws Exception {
        start(true, UpstreamMode.PASSIVE);
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        server.passiveReplyGate = gate;
        closeables.add(gate::countDown);
        withDiagnostics(this::diag, () -> {
            ftp.send("EPSV");
            awaitServerReceived("PASV");
            server.close();
            List<RawFtp.Reply> last = ftp.awaitClose(java.time.Duration.ofSeconds(10));
            assertThat(last).extracting(RawFtp.Reply::code).containsExactly(421);
            assertThat(gw.audit.await("session-close").get("reason")).isEqualTo("server-closed");
        });
    }

    /** Waits until the scripted server has received {@code line} after login. */
    private void awaitServerReceived(String line) throws InterruptedException {
        for (int i = 0; i < 1000 && !afterLogin().contains(line); i++) {
            Thread.sleep(10);
        }
        assertThat(afterLogin()).as("the server received " + line).contains(line);
    }

    @Test
    void activeClientGetsAnEarlyPassiveServerLegToo() throws Exception {
        start(true, UpstreamMode.PASSIVE);
        withDiagnostics(this::diag, () -> {
            try (ServerSocket listen = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                int p = listen.getLocalPort();
                assertThat(ftp.cmd("PORT 127,0,0,1," + (p >> 8) + "," + (p & 0xff)).code()).isEqualTo(200);
                assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
                assertThat(afterLogin()).containsExactly("PASV", "NOOP");
                ftp.send("RETR file.bin");
                listen.setSoTimeout(10_000);
                try (Socket d = listen.accept()) {
                    assertThat(ftp.read().code()).isEqualTo(150);
                    assertThat(Bytes.sha256(RawFtp.readAll(d))).isEqualTo(Bytes.sha256(server.retrData));
                }
            }
            assertThat(ftp.read().code()).isEqualTo(226);
            assertThat(afterLogin()).containsExactly("PASV", "NOOP", "RETR file.bin");
        });
    }

    @Test
    void switchedOffTheServerLegWaitsForTheTransferCommand() throws Exception {
        start(false, UpstreamMode.PASSIVE);
        withDiagnostics(this::diag, () -> {
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
            assertThat(afterLogin()).containsExactly("NOOP");
            retrVia(port);
            assertThat(afterLogin()).containsExactly("NOOP", "PASV", "RETR file.bin");
        });
    }

    @Test
    void upstreamActiveOpensNoEarlyLeg() throws Exception {
        start(true, UpstreamMode.ACTIVE);
        withDiagnostics(this::diag, () -> {
            ftp.cmd("EPSV");
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
            assertThat(afterLogin()).containsExactly("NOOP");
        });
    }

    @Test
    void aSecondEpsvKeepsTheSpareServerLeg() throws Exception {
        start(true, UpstreamMode.PASSIVE);
        withDiagnostics(this::diag, () -> {
            ftp.cmd("EPSV");
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            retrVia(port);
            assertThat(afterLogin()).as("one server leg served both client negotiations")
                    .containsExactly("PASV", "RETR file.bin");
            assertThat(server.dataPeers).containsExactly("127.0.0.1");
        });
    }

    @Test
    void aServerLegUnusedBecauseTheClientNeverConnectedServesTheNextTransfer() throws Exception {
        start(true, UpstreamMode.PASSIVE);
        withDiagnostics(this::diag, () -> {
            // PORT naming a port where nobody listens: the client leg fails before RETR reaches the server.
            int dead;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                dead = s.getLocalPort();
            }
            assertThat(ftp.cmd("PORT 127,0,0,1," + (dead >> 8) + "," + (dead & 0xff)).code()).isEqualTo(200);
            assertThat(ftp.cmd("RETR file.bin").code()).isEqualTo(425);
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            retrVia(port);
            assertThat(afterLogin()).as("the server never saw the failed RETR, and its leg was kept")
                    .containsExactly("PASV", "RETR file.bin");
        });
    }

    @Test
    void anEarlyLegTheServerDroppedIsReplacedAtTransferTime() throws Exception {
        start(true, UpstreamMode.PASSIVE);
        server.firstDataConnection = "drop";
        withDiagnostics(this::diag, () -> {
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
            assertThat(server.firstDataConnectionDone.await(10, TimeUnit.SECONDS)).isTrue();
            // The FIN reaches the gateway's event loop well within this (epoll reads on EPOLLRDHUP).
            Thread.sleep(300);
            retrVia(port);
            assertThat(afterLogin()).containsExactly("PASV", "NOOP", "PASV", "RETR file.bin");
            assertThat(server.dataPeers).containsExactly("drop:127.0.0.1", "127.0.0.1");
        });
    }

    @ParameterizedTest(name = "early server leg {0}")
    @ValueSource(booleans = {true, false})
    void nothingReachesTheServerLegBeforeTheServerTakesTheCommand(boolean early) throws Exception {
        start(early, UpstreamMode.PASSIVE, "uploader");
        server.storAckDelayMs = 300;
        byte[] upload = Bytes.random(5, 50_000);
        withDiagnostics(this::diag, () -> {
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                ftp.send("STOR up.bin");
                // The client sends everything and hangs up at once, as a fast client may.
                d.getOutputStream().write(upload);
                d.shutdownOutput();
                assertThat(ftp.read().code()).isEqualTo(150);
            }
            assertThat(ftp.read().code()).isEqualTo(226);
            assertThat(server.dataBeforeAck).as("data or EOF on the server's leg before it answered STOR").isFalse();
            assertThat(Bytes.sha256(server.stored)).isEqualTo(Bytes.sha256(upload));
        });
    }

    @Test
    void restIsRepeatedRightBeforeTheTransferCommand() throws Exception {
        start(true, UpstreamMode.PASSIVE);
        server.script.put("REST", List.of("350 Restarting at 5."));
        withDiagnostics(this::diag, () -> {
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            assertThat(ftp.cmd("REST 5").code()).isEqualTo(350);
            retrVia(port);
            assertThat(afterLogin()).as("REST immediately precedes RETR on the server's connection")
                    .containsExactly("PASV", "REST 5", "REST 5", "RETR file.bin");
        });
    }

    @Test
    void aborDuringTheRepeatedRestNeverLetsTheCommandThrough() throws Exception {
        start(true, UpstreamMode.PASSIVE);
        server.script.put("REST", List.of("350 Restarting."));
        withDiagnostics(this::diag, () -> {
            // A first transfer, so that the gateway already knows the directory (its PWD) and the next one goes
            // straight to the repeated REST.
            retrVia(RawFtp.epsvPort(ftp.cmd("EPSV")));
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                assertThat(ftp.cmd("REST 5").code()).isEqualTo(350);
                // The early leg is ready, so the repeated REST goes out at once and ABOR lands in its window.
                ftp.sendRaw("RETR file.bin\r\nABOR\r\n");
                assertThat(ftp.read().code()).as("the transfer's reply").isEqualTo(426);
                assertThat(ftp.read().code()).as("ABOR's reply").isEqualTo(226);
            }
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
            assertThat(afterLogin()).as("no RETR after the abort; the repeated offset is cleared")
                    .containsExactly("PASV", "RETR file.bin", "PASV", "REST 5", "REST 5", "REST 0", "NOOP");
            assertThat(gw.audit.all(RecordingAuditSink.type("transfer")).get(1).get("outcome")).isEqualTo("aborted");
        });
    }

    @Test
    void aborBeforeTheServerLegIsReadyClearsTheClientsOffset() throws Exception {
        start(false, UpstreamMode.PASSIVE);
        server.script.put("REST", List.of("350 Restarting."));
        withDiagnostics(this::diag, () -> {
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                assertThat(ftp.cmd("REST 5").code()).isEqualTo(350);
                // Without an early leg the gateway's PASV follows RETR; ABOR lands while it is outstanding.
                ftp.sendRaw("RETR file.bin\r\nABOR\r\n");
                assertThat(ftp.read().code()).as("the transfer's reply").isEqualTo(426);
                assertThat(ftp.read().code()).as("ABOR's reply").isEqualTo(226);
            }
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
            assertThat(afterLogin()).as("no RETR; the offset the server accepted from the client is cleared")
                    .containsExactly("REST 5", "PASV", "REST 0", "NOOP");
            assertThat(gw.audit.await("transfer").get("outcome")).isEqualTo("aborted");
        });
    }

    @Test
    void aHostile227ToAnEarlyPasvIsRecordedEvenWithoutATransfer() throws Exception {
        start(true, UpstreamMode.PASSIVE);
        server.pasvPortOverride = 22;
        withDiagnostics(this::diag, () -> {
            ftp.cmd("EPSV");
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
            AuditEvent a = gw.audit.awaitRefused("pasv-privileged-port");
            assertThat(String.valueOf(a.get("input"))).contains("0,22");
            assertThat(server.dataPeers).isEmpty();
        });
    }

    @Test
    void aServerRefusingPassiveModeFailsTheTransferNotTheEpsv() throws Exception {
        start(true, UpstreamMode.PASSIVE);
        server.script.put("PASV", List.of("500 No passive mode here."));
        server.script.put("EPSV", List.of("500 Nor extended passive."));
        withDiagnostics(this::diag, () -> {
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                assertThat(ftp.cmd("RETR file.bin").code()).isEqualTo(425);
            }
            AuditEvent r = gw.audit.awaitRefused("data-connect-failed");
            assertThat(String.valueOf(r.get("input"))).contains("EPSV -> ");
            assertThat(afterLogin()).as("the early attempt failed, the transfer tried once more; RETR never sent")
                    .containsExactly("PASV", "EPSV", "PASV", "EPSV");
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
        });
    }

    @Test
    void anEarlyLegLeftOverAtQuitIsClosed() throws Exception {
        start(true, UpstreamMode.PASSIVE);
        server.firstDataConnection = "watch";
        withDiagnostics(this::diag, () -> {
            ftp.cmd("EPSV");
            awaitEarlyLegAccepted();
            assertThat(ftp.cmd("QUIT").code()).isEqualTo(221);
            assertThat(server.firstDataConnectionDone.await(10, TimeUnit.SECONDS))
                    .as("the gateway closed the leg no transfer used").isTrue();
        });
    }
}
