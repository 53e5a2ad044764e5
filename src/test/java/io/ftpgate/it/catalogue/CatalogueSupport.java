package io.ftpgate.it.catalogue;

import static io.ftpgate.it.RecordingAuditSink.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.it.Diagnostics;
import io.ftpgate.it.GatewayFixture;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.ScriptedFtpServer;
import io.ftpgate.it.Victim;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared ground of the attack catalogue (docs: ../shared/anchors/security.md section 1). Every test runs one
 * gateway, one upstream and one attacker on loopback, and asserts three things:
 * <ol>
 *   <li>the exact reply the client gets, and whether the session survives or is closed;</li>
 *   <li>the audit {@code refused} event with its reason code (or, for inputs that must pass, that there is none);</li>
 *   <li>that no connection reached an address other than the two control peers: before each test
 *       {@link Victim} listeners are put on 127.0.0.2 ... 127.0.0.9 at every port the catalogue's inputs name
 *       or that an overflowing parser would compute from them (and on the control peers' own address at the
 *       privileged ones); after each test every one of them must have seen zero connections.</li>
 * </ol>
 * The control peers are 127.0.0.1 (client and server) unless a test says otherwise.
 */
abstract class CatalogueSupport {

    static final String PASSWORD = "catalogue-secret-pw-5e1b";
    /** Client-side pinholes come from 46000-46999, server-side ones from 47000-47999. */
    static final int CLIENT_PORTS = 46000;
    static final int SERVER_PORTS = 47000;
    /** The would-be victims: hosts other than the control peers. */
    static final List<String> THIRD_PARTIES = IntStream.rangeClosed(2, 9).mapToObj(i -> "127.0.0." + i).toList();
    /**
     * Ports named by the catalogue inputs (25, 22, 1025 = 4,1, 49158 = 192,6, 35289 = 137,217, 2048...) and
     * ports a confused parser would compute: 16960 (1000000 mod 65536), 32639 and 639 (from
     * {@code 1216,256,2,127,127,127}), 22 (from {@code 256,22} and {@code 65558}), 0,300 (300) and 1,1 (257).
     */
    static final int[] NAMED_PORTS = {21, 22, 25, 80, 137, 257, 300, 443, 639, 1024, 1025, 1026, 2048, 8080, 16960,
        32639, 35289, 49158};
    /** Privileged ports also trapped on 127.0.0.1, the control peers' own address. */
    static final int[] PRIVILEGED_PORTS = {21, 22, 25, 80, 137, 257, 300, 443, 639};

    private final List<Victim> victims = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    GatewayFixture gw;
    RawFtp ftp;
    ScriptedFtpServer server;

    @BeforeEach
    void openTraps() {
        for (String a : THIRD_PARTIES) {
            for (int p : NAMED_PORTS) {
                trap(a, p);
            }
        }
        for (int p : PRIVILEGED_PORTS) {
            trap("127.0.0.1", p);
        }
    }

    @AfterEach
    void checkTrapsAndClose() throws Exception {
        Thread.sleep(30); // a connect racing the end of the test is still counted
        List<String> hit = victims.stream().filter(v -> v.accepts() > 0)
                .map(v -> v.name() + " (" + v.accepts() + " connections)").toList();
        String diagnostics = diag();
        if (ftp != null) {
            ftp.close();
        }
        for (Victim v : victims) {
            v.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (gw != null) {
            gw.close();
        }
        if (server != null) {
            server.close();
        }
        assertThat(hit).as("connections that reached an address other than the two control peers\n" + diagnostics)
                .isEmpty();
        if (gw != null) {
            assertThat(gw.audit.events()).as("the password never reaches the audit log")
                    .noneMatch(e -> e.toString().contains(PASSWORD));
        }
    }

    // ---------------------------------------------------------------- victims

    /** Puts a victim on {@code address:port}, when that port can be bound there. */
    Victim trap(String address, int port) {
        Victim v = Victim.tryOpen(address, port);
        if (v != null) {
            victims.add(v);
        }
        return v;
    }

    /** A free port, trapped on every third-party address (for inputs naming a port of the test's choice). */
    int trapPort() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            Victim first = new Victim(THIRD_PARTIES.get(0), 0);
            victims.add(first);
            int p = first.port();
            boolean all = true;
            for (String a : THIRD_PARTIES.subList(1, THIRD_PARTIES.size())) {
                all &= trap(a, p) != null;
            }
            if (all) {
                return p;
            }
        }
        throw new IOException("no port free on all of " + THIRD_PARTIES);
    }

    /** Removes the victims on {@code address} (a test that runs a control peer there). */
    void releaseTraps(String address) throws IOException {
        for (Victim v : List.copyOf(victims)) {
            if (v.name().startsWith(address + ":")) {
                v.close();
                victims.remove(v);
            }
        }
    }

    <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    // ---------------------------------------------------------------- set-up

    GatewayFixture.Builder reverseTo(ScriptedFtpServer s) {
        return GatewayFixture.builder("127.0.0.1").upstream(s.host(), s.port()).dataPorts(CLIENT_PORTS, SERVER_PORTS)
                .mode(UpstreamMode.PASSIVE);
    }

    /** A scripted upstream on 127.0.0.1 behind a fresh gateway; set script knobs, then {@link #login()}. */
    void scripted() throws Exception {
        server = new ScriptedFtpServer();
        gw = reverseTo(server).start();
    }

    /** Connects to the gateway and logs in anonymously. */
    void login() throws IOException {
        ftp = RawFtp.open(gw.address());
        ftp.login("anonymous", PASSWORD);
    }

    /** {@link #scripted()} then {@link #login()}. */
    void scriptedSession() throws Exception {
        scripted();
        login();
    }

    String diag() {
        return (ftp == null ? "" : ftp.transcript.toString()) + "\naudit:\n" + (gw == null ? "" : gw.audit.dump())
                + (server == null ? "" : "\n" + server.received());
    }

    /** Runs the test body; a failure carries the wire transcript, the audit log and what the server got. */
    void attack(Diagnostics.Body body) throws Exception {
        Diagnostics.withDiagnostics(this::diag, body);
    }

    // ---------------------------------------------------------------- assertions

    /** Waits for the {@code refused} event with {@code reason} and checks the reply code it records. */
    AuditEvent refused(String reason, Integer reply) throws InterruptedException {
        AuditEvent e = gw.audit.awaitRefused(reason);
        assertThat(e.get("reply")).as("reply recorded with refused/" + reason).isEqualTo(reply);
        return e;
    }

    /** Waits for a {@code refused} event with {@code reason} whose input is {@code input}. */
    AuditEvent refusedInput(String reason, Integer reply, String input) throws InterruptedException {
        AuditEvent e = gw.audit.awaitEvent(io.ftpgate.it.RecordingAuditSink.refused(reason)
                .and(a -> input.equals(String.valueOf(a.get("input")))), Duration.ofSeconds(10));
        assertThat(e.get("reply")).as("reply recorded with refused/" + reason).isEqualTo(reply);
        return e;
    }

    void assertNoRefusals() {
        assertThat(gw.audit.all(type("refused"))).as("refused events").isEmpty();
    }

    /** The session still answers. */
    void assertSessionSurvives() throws IOException {
        assertThat(ftp.cmd("NOOP").code()).as("NOOP after the attack").isEqualTo(200);
    }

    /** The gateway closes the session after sending exactly these replies. */
    void assertClosedAfter(Integer... codes) throws IOException {
        List<RawFtp.Reply> replies = ftp.awaitClose(Duration.ofSeconds(5));
        assertThat(replies).as("replies before the close").extracting(RawFtp.Reply::code).containsExactly(codes);
    }

    /** The command lines the server received, excluding the login. */
    List<String> serverCommandsAfterLogin() {
        List<String> all = new java.util.ArrayList<>(server.commands);
        all.remove("PWD"); // the gateway's own, sent at login to learn the session's directory (audit paths)
        return all.stream().filter(c -> !c.startsWith("USER ") && !c.startsWith("PASS ")).toList();
    }

    /** No line sent by the attack reached the server as a data-address command. */
    void assertServerSawNoDataAddressFromClient() {
        assertThat(server.commands).as("client data-address commands relayed to the server")
                .noneMatch(c -> c.toUpperCase().startsWith("PORT") || c.toUpperCase().startsWith("EPRT")
                        || c.toUpperCase().startsWith("LPRT") || c.toUpperCase().startsWith("LPSV"));
    }

    static int port(int p1, int p2) {
        return p1 * 256 + p2;
    }

    static String portArg(String dotted, int port) {
        return dotted.replace('.', ',') + "," + (port >> 8) + "," + (port & 0xff);
    }

    /** True when a connect from {@code from} is refused, or accepted by the kernel but closed without data. */
    static boolean connectFails(int port, String from) throws IOException {
        try (Socket s = RawFtp.dataConnect("127.0.0.1", port, from)) {
            s.setSoTimeout(5_000);
            return eofOrReset(s.getInputStream());
        } catch (ConnectException e) {
            return true;
        } catch (java.net.SocketException e) {
            // A pinhole port closes once its last pinhole is gone (shared ports, data.SharedPorts): a connect that
            // meets the closing listener is reset during the handshake, which is a refusal too.
            if (String.valueOf(e.getMessage()).contains("Connection reset")) {
                return true;
            }
            throw e;
        }
    }

    /** True on EOF or reset; false if data arrives; fails on timeout (the connection was kept open). */
    static boolean eofOrReset(InputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection was kept open (no EOF within 5 s)");
        } catch (SocketException e) {
            return true;
        }
    }
}
