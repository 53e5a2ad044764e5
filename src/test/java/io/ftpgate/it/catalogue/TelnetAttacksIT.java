package io.ftpgate.it.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.cli.DemoUpstream;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.GatewayFixture;
import io.ftpgate.it.RawFtp;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalogue item 14: Telnet IAC sequences and urgent data on the control connection (RFC 854, RFC 959 4.1.3).
 * The gateway decodes Telnet before it splits lines, so it judges exactly the command the server will read; a
 * packet-level ALG that does not would miss a PORT smuggled through IAC bytes.
 */
class TelnetAttacksIT extends CatalogueSupport {

    private static final String IAC = "\u00ff";
    private static final String NOP = IAC + "\u00f1";
    private static final String BOUNCE = "PORT 127,0,0,2,192,6";
    private static final int BIG = 20 * Bytes.MIB;

    @TempDir
    static Path root;
    private static final DemoUpstream mina = new DemoUpstream();
    private static int minaPort;

    @BeforeAll
    static void startMina() throws Exception {
        Files.write(root.resolve("big.bin"), Bytes.random(14, BIG));
        minaPort = mina.start(root, true, "127.0.0.1");
    }

    @AfterAll
    static void stopMina() {
        mina.stop();
    }

    @Test
    void telnetIacInsideCommandIsDecoded() throws Exception {
        scriptedSession();
        attack(() -> {
            assertThat(ftp.cmd("NO" + NOP + "OP").code()).as("IAC NOP inside the verb").isEqualTo(200);
            assertThat(ftp.cmd("SY" + IAC + "\u00fb\u0001ST").code()).as("IAC WILL ECHO inside the verb")
                    .isEqualTo(215);
            assertThat(ftp.cmd("SYST" + IAC + "\u00fa\u0018\u0001" + IAC + "\u00f0").code())
                    .as("a subnegotiation after the verb").isEqualTo(215);
            assertThat(serverCommandsAfterLogin()).containsExactly("NOOP", "SYST", "SYST");
            assertNoRefusals();
        });
    }

    @Test
    void portSmuggledThroughIacSequencesIsRefused() throws Exception {
        scriptedSession();
        attack(() -> {
            String smuggled = "P" + NOP + "ORT 127,0,0,2," + IAC + "\u00fd\u0003" + "192," + IAC + "\u00f2" + "6";
            assertThat(ftp.cmd(smuggled).code()).isEqualTo(501);
            refusedInput("port-foreign-address", 501, BOUNCE);
            assertThat(ftp.cmd("RETR f").code()).isEqualTo(425);
            assertSessionSurvives();
            assertServerSawNoDataAddressFromClient();
        });
    }

    /** Everything inside IAC SB ... IAC SE, CRLF and PORT included, is swallowed; none of it is a command. */
    @Test
    void portHiddenInTelnetSubnegotiationIsSwallowed() throws Exception {
        scriptedSession();
        attack(() -> {
            ftp.sendRaw("NOOP" + IAC + "\u00fa\r\n" + BOUNCE + "\r\n" + IAC + "\u00f0\r\n");
            assertThat(ftp.read().code()).isEqualTo(200);
            assertThat(ftp.poll(java.time.Duration.ofMillis(300))).as("a second reply").isNull();
            assertThat(serverCommandsAfterLogin()).containsExactly("NOOP");
            assertNoRefusals();
        });
    }

    /** An escaped 0xFF (IAC IAC) is data: the server gets it escaped again, so both read the same path. */
    @Test
    void iacEscapedFfInPathIsReescapedForTheServer() throws Exception {
        scripted();
        server.script.put("CWD", List.of("250 OK."));
        login();
        attack(() -> {
            ftp.sendRaw("CWD a" + IAC + IAC + "b\r\n");
            assertThat(ftp.read().code()).isEqualTo(250);
            // After the CWD, the gateway's own PWD (it learns the new directory for the audit log).
            assertThat(serverCommandsAfterLogin()).containsExactly("CWD a" + IAC + IAC + "b", "PWD");
            assertNoRefusals();
        });
    }

    @Test
    void segmentBoundaryInsideIacSequenceIsReassembled() throws Exception {
        scriptedSession();
        attack(() -> {
            for (String piece : List.of("NO" + IAC, "\u00f1OP\r\n")) {
                ftp.sendRaw(piece);
                Thread.sleep(60);
            }
            assertThat(ftp.read().code()).isEqualTo(200);
            for (String piece : List.of("PORT 127,0,0,2,1" + IAC, "\u00fb", "\u0001" + "92,6\r", "\n")) {
                ftp.sendRaw(piece);
                Thread.sleep(60);
            }
            assertThat(ftp.read().code()).isEqualTo(501);
            refusedInput("port-foreign-address", 501, BOUNCE);
            assertThat(serverCommandsAfterLogin()).containsExactly("NOOP");
        });
    }

    // ---------------------------------------------------------------- IP, DM and urgent data before ABOR

    /** RFC 959 4.1.3: IAC IP, IAC DM (Synch), then ABOR, during a transfer; the session goes on. */
    @Test
    void iacIpDmBeforeAborIsHonoured() throws Exception {
        abortDuringRetr(false);
    }

    /** The same with the DM byte sent as TCP urgent data, as the Synch is meant to be sent. */
    @Test
    void iacIpWithUrgentDmBeforeAborIsHonoured() throws Exception {
        abortDuringRetr(true);
    }

    private void abortDuringRetr(boolean urgent) throws Exception {
        gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", minaPort).dataPorts(CLIENT_PORTS, SERVER_PORTS)
                .start();
        login();
        ftp.expect(ftp.cmd("TYPE I"), 200);
        attack(() -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                assertThat(ftp.cmd("RETR big.bin").code()).isEqualTo(150);
                d.getInputStream().readNBytes(128 * 1024);
                if (urgent) {
                    ftp.sendRaw(IAC + "\u00f4" + IAC);
                    ftp.sendUrgent(0xf2);
                    ftp.sendRaw("ABOR\r\n");
                } else {
                    ftp.sendRaw(IAC + "\u00f4" + IAC + "\u00f2ABOR\r\n");
                }
                assertThat(ftp.read().code()).as("reply closing the aborted RETR").isIn(426, 226);
                assertThat(ftp.read().code()).as("reply to ABOR").isIn(226, 225);
            }
            assertSessionSurvives();
            AuditEvent t = gw.audit.await("transfer");
            assertThat(t.get("outcome")).isEqualTo("aborted");
            assertThat(((Number) t.get("bytes")).longValue()).isLessThan(BIG);
            assertNoRefusals();
        });
    }
}
