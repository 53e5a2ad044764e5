package io.ftpgate.it.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.it.RawFtp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Catalogue items 8-12 and 15 on the client side: commands split across segments, protocol confusion (NAT
 * slipstreaming), CRLF and bare-LF injection, NUL bytes, overlong lines, and control characters. The gateway
 * acts only on complete lines, requires a valid FTP dialogue from the first byte, and judges exactly the line
 * the server will read.
 */
class CommandFramingAttacksIT extends CatalogueSupport {

    private static final String BOUNCE = "PORT 127,0,0,2,192,6";

    /** Sends {@code latin1} after login; expects 500, the close, {@code reason}, and nothing new at the server. */
    private void framingViolation(String latin1, String reason) throws Exception {
        scriptedSession();
        attack(() -> {
            List<String> before = List.copyOf(server.commands);
            sendIgnoringReset(latin1);
            assertClosedAfter(500);
            refused(reason, 500);
            assertThat(gw.audit.await("session-close").get("reason")).isEqualTo("protocol-violation");
            assertThat(server.commands).as("lines the server received").isEqualTo(before);
        });
    }

    /** A gateway that hangs up mid-write may reset the connection; what it replied first is still read. */
    private void sendIgnoringReset(String latin1) {
        try {
            ftp.sendRaw(latin1);
        } catch (IOException e) {
            ftp.transcript.note("write failed (the gateway closed): " + e.getMessage());
        }
    }

    /** Writes the pieces as separate TCP segments (TCP_NODELAY and a pause after each). */
    private void segments(String... pieces) throws Exception {
        for (String p : pieces) {
            ftp.sendRaw(p);
            Thread.sleep(60);
        }
    }

    // ---------------------------------------------------------------- 8. command split across segments

    @Test
    void commandSplitAcrossSegmentsIsReassembled() throws Exception {
        scriptedSession();
        attack(() -> {
            segments("PO", "RT 127,0,0,2,", "192,6\r", "\n");
            assertThat(ftp.read().code()).isEqualTo(501);
            refusedInput("port-foreign-address", 501, BOUNCE);
            segments("NO", "O", "P\r\n");
            assertThat(ftp.read().code()).isEqualTo(200);
            assertThat(serverCommandsAfterLogin()).containsExactly("NOOP");
        });
    }

    @Test
    void segmentBoundaryInsideCrlfIsReassembled() throws Exception {
        scriptedSession();
        attack(() -> {
            segments("SYST\r", "\n");
            assertThat(ftp.read().code()).isEqualTo(215);
            segments(BOUNCE + "\r", "\n");
            assertThat(ftp.read().code()).isEqualTo(501);
            refusedInput("port-foreign-address", 501, BOUNCE);
            assertThat(serverCommandsAfterLogin()).containsExactly("SYST");
        });
    }

    @Test
    void partialCommandIsNeverForwarded() throws Exception {
        scriptedSession();
        attack(() -> {
            ftp.sendRaw("SYST");
            assertThat(ftp.poll(Duration.ofMillis(400))).as("reply to a line without its end").isNull();
            assertThat(serverCommandsAfterLogin()).isEmpty();
            ftp.sendRaw("\r\n");
            assertThat(ftp.read().code()).isEqualTo(215);
            assertNoRefusals();
        });
    }

    @Test
    void partialCommandAtCloseIsDropped() throws Exception {
        scriptedSession();
        attack(() -> {
            ftp.sendRaw("DELE important.txt");
            ftp.socket.shutdownOutput();
            assertClosedAfter();
            assertThat(gw.audit.await("session-close").get("reason")).isEqualTo("client-closed");
            assertThat(server.commands).noneMatch(c -> c.startsWith("DELE"));
            assertNoRefusals();
        });
    }

    @Test
    void pipelinedCommandsInOneSegmentAreJudgedOneByOne() throws Exception {
        scriptedSession();
        attack(() -> {
            ftp.sendRaw("NOOP\r\n" + BOUNCE + "\r\nSYST\r\n");
            assertThat(List.of(ftp.read().code(), ftp.read().code(), ftp.read().code())).containsExactly(200, 501, 215);
            refusedInput("port-foreign-address", 501, BOUNCE);
            assertThat(serverCommandsAfterLogin()).containsExactly("NOOP", "SYST");
        });
    }

    // ---------------------------------------------------------------- 9. protocol confusion: NAT slipstreaming

    private static final String SLIPSTREAM_BODY = "PORT 127,0,0,2,192,6\r\nEPRT |1|127.0.0.3|49158|\r\n";
    private static final String SLIPSTREAM_POST = "POST /samy.pl HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: text/plain\r\nContent-Length: " + SLIPSTREAM_BODY.length() + "\r\n\r\n";

    @Test
    void natSlipstreamingHttpPostIsDropped() throws Exception {
        scripted();
        ftp = RawFtp.open(gw.address());
        attack(() -> {
            sendIgnoringReset(SLIPSTREAM_POST + SLIPSTREAM_BODY);
            assertClosedAfter();
            refusedInput("protocol-confusion", null, "POST /samy.pl HTTP/1.1");
            assertThat(gw.audit.await("session-close").get("reason")).isEqualTo("protocol-confusion");
            assertThat(server.commands).as("lines the server received").isEmpty();
        });
    }

    /** The body is padded so that its PORT line starts a TCP segment of its own, as in the original attack. */
    @Test
    void natSlipstreamingWithPortAtSegmentStartIsDropped() throws Exception {
        scripted();
        ftp = RawFtp.open(gw.address());
        attack(() -> {
            sendIgnoringReset("post /" + "x".repeat(1400) + " http/1.0\r\nContent-Length: 100\r\n\r\n");
            Thread.sleep(50);
            sendIgnoringReset(SLIPSTREAM_BODY);
            assertClosedAfter();
            refused("protocol-confusion", null);
            assertThat(server.commands).isEmpty();
        });
    }

    @Test
    void natSlipstreamingBeforeTheGreetingIsDropped() throws Exception {
        scripted();
        ftp = RawFtp.connect(gw.address());
        attack(() -> {
            sendIgnoringReset(SLIPSTREAM_POST + SLIPSTREAM_BODY);
            List<RawFtp.Reply> replies = ftp.awaitClose(Duration.ofSeconds(5));
            assertThat(replies).as("at most the greeting, which may race the close")
                    .extracting(RawFtp.Reply::code).allMatch(c -> c == 220);
            refused("protocol-confusion", null);
            assertThat(server.commands).isEmpty();
        });
    }

    /** NAT Slipstreaming v2 also used SIP: not HTTP, but not FTP either, from the first line. */
    @Test
    void natSlipstreamingSipRegisterClosesSession() throws Exception {
        scripted();
        ftp = RawFtp.open(gw.address());
        attack(() -> {
            sendIgnoringReset("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060\r\n\r\n"
                    + SLIPSTREAM_BODY);
            assertClosedAfter(500, 421);
            refused("command-syntax", 500);
            refused("too-many-errors", 421);
            assertThat(gw.audit.await("session-close").get("reason")).isEqualTo("protocol-violation");
            assertThat(server.commands).isEmpty();
        });
    }

    /** Another protocol is refused at any point of the session, not only as the first line. */
    @Test
    void httpRequestAfterLoginIsDropped() throws Exception {
        scriptedSession();
        attack(() -> {
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(200);
            sendIgnoringReset(SLIPSTREAM_POST + SLIPSTREAM_BODY);
            assertClosedAfter();
            refusedInput("protocol-confusion", null, "POST /samy.pl HTTP/1.1");
            assertThat(serverCommandsAfterLogin()).containsExactly("NOOP");
        });
    }

    @Test
    void httpRequestWithoutVersionClosesSession() throws Exception {
        scripted();
        ftp = RawFtp.open(gw.address());
        attack(() -> {
            sendIgnoringReset("GET /\r\n" + SLIPSTREAM_BODY);
            assertClosedAfter(502, 421);
            refusedInput("command-unknown", 502, "GET /");
            refused("too-many-errors", 421);
            assertThat(server.commands).isEmpty();
        });
    }

    // ---------------------------------------------------------------- 10. CRLF and bare-LF injection

    @Test
    void bareLfInjectionInPassSplitsIntoTwoCommands() throws Exception {
        scripted();
        ftp = RawFtp.open(gw.address());
        attack(() -> {
            assertThat(ftp.cmd("USER ftp").code()).isEqualTo(331);
            ftp.sendRaw("PASS foo\nbar@x\r\n");
            assertThat(ftp.read().code()).isEqualTo(230);
            assertThat(ftp.read().code()).isEqualTo(500);
            refusedInput("command-syntax", 500, "bar@x");
            // The gateway's own PWD (it learns the session's directory at login) is the only other line.
            assertThat(server.commands).containsExactly("USER ftp", "PASS foo", "PWD");
            assertSessionSurvives();
        });
    }

    /** {@code ftp://foo:bar%0d%0aPORT...@host/}: the injected line is judged like any other command. */
    @Test
    void crlfInjectedPortAfterPassIsRefused() throws Exception {
        scripted();
        ftp = RawFtp.open(gw.address());
        attack(() -> {
            ftp.sendRaw("USER foo\r\nPASS bar\r\n" + BOUNCE + "\r\nPASS foo\nINJECTED@example.net\r\n");
            assertThat(List.of(ftp.read().code(), ftp.read().code(), ftp.read().code(), ftp.read().code(),
                    ftp.read().code())).containsExactly(331, 230, 501, 230, 500);
            refusedInput("port-foreign-address", 501, BOUNCE);
            refusedInput("command-syntax", 500, "INJECTED@example.net");
            assertThat(server.commands).noneMatch(c -> c.startsWith("PORT") || c.startsWith("INJECTED"));
            assertSessionSurvives();
        });
    }

    @Test
    void bareCrInjectionClosesSession() throws Exception {
        framingViolation("NOOP\r" + BOUNCE + "\r\n", "bare-cr");
    }

    // ---------------------------------------------------------------- 11. NUL bytes

    @Test
    void nulInCommandClosesSession() throws Exception {
        framingViolation("RETR a\0b\r\n", "nul-byte");
    }

    /** RFC 2640 escapes a CR in a path as CR NUL; the gateway does not forward NULs at all. */
    @Test
    void crNulInPathClosesSession() throws Exception {
        framingViolation("RETR a\r\0b\r\n", "nul-byte");
    }

    @Test
    void nulBeforeLoginClosesSession() throws Exception {
        scripted();
        ftp = RawFtp.open(gw.address());
        attack(() -> {
            sendIgnoringReset("USER anon\0" + BOUNCE + "\r\n");
            assertClosedAfter(500);
            refused("nul-byte", 500);
            assertThat(server.commands).isEmpty();
        });
    }

    // ---------------------------------------------------------------- 12. overlong lines

    /** boofuzz lengths: just past the 4096-byte cap, 64 KiB and 1,000,000 bytes. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {4097, 65_537, 1_000_000})
    void overlongCommandClosesSession(int length) throws Exception {
        framingViolation("NOOP " + "A".repeat(length - 5) + "\r\n", "line-too-long");
    }

    @Test
    void commandOfExactly4096BytesIsRelayed() throws Exception {
        String line = "HELP " + "A".repeat(4091);
        scriptedSession();
        attack(() -> {
            assertThat(ftp.cmd(line).code()).as("the server's own answer, relayed").isEqualTo(502);
            assertThat(server.commands).contains(line);
            assertNoRefusals();
        });
    }

    @Test
    void overlongTelnetSubnegotiationClosesSession() throws Exception {
        framingViolation("NOOP\u00ff\u00fa" + "A".repeat(5000) + "\r\n" + BOUNCE + "\r\n", "line-too-long");
    }

    // ---------------------------------------------------------------- 15. invalid UTF-8 and control characters

    /** MINA's DecoderTest answers 501; a gateway must not decide for the server: the bytes reach it unchanged. */
    @Test
    void invalidUtf8PathIsRelayedByteTransparently() throws Exception {
        scriptedSession();
        attack(() -> {
            int port = RawFtp.pasvPort(ftp.cmd("PASV"));
            try (var d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                assertThat(ftp.cmd("LIST abcd\u00ae.").code()).isEqualTo(150);
                assertThat(RawFtp.readAll(d)).isEqualTo(server.retrData);
            }
            assertThat(ftp.read().code()).isEqualTo(226);
            assertThat(server.commands).contains("LIST abcd\u00ae.");
            assertThat(gw.audit.await("transfer").get("path")).isEqualTo("abcd\\xAE.");
            assertNoRefusals();
        });
    }

    @Test
    void c0ControlInPathIsRelayedByteTransparently() throws Exception {
        scripted();
        server.script.put("CWD", List.of("250 OK."));
        login();
        attack(() -> {
            assertThat(ftp.cmd("CWD a\u0003\u001bb\u00ff\u00ff").code()).isEqualTo(250);
            assertThat(server.commands).as("0xFF arrives as IAC IAC, re-escaped").contains("CWD a\u0003\u001bb\u00ff\u00ff");
            assertNoRefusals();
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"NO\u0001OP", "\u0001NOOP", "NOOP\u0007", "N\u001bOOP", "NOOP\u007f", "N\u00c3\u0096OP",
        "NO\tOP", "\u001b[2JNOOP", "P\u0001ORT 127,0,0,2,192,6"})
    void c0ControlInVerbIsRefused(String line) throws Exception {
        scriptedSession();
        attack(() -> {
            assertThat(ftp.cmd(line).code()).isEqualTo(500);
            refused("command-syntax", 500);
            assertThat(serverCommandsAfterLogin()).isEmpty();
            assertSessionSurvives();
        });
    }

    /** A session must open with a valid FTP dialogue: a bad first line ends it. */
    @Test
    void c0ControlInFirstCommandClosesSession() throws Exception {
        scripted();
        ftp = RawFtp.open(gw.address());
        attack(() -> {
            sendIgnoringReset("\u0001USER anonymous\r\n" + BOUNCE + "\r\n");
            assertClosedAfter(500, 421);
            refused("command-syntax", 500);
            refused("too-many-errors", 421);
            assertThat(server.commands).isEmpty();
        });
    }
}
