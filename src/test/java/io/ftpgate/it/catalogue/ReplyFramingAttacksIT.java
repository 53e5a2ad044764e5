package io.ftpgate.it.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.it.RawFtp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Catalogue items 12, 13 and 15 on the server side: overlong reply lines and replies, multi-line and odd
 * replies, and control characters in replies. Replies are assembled from complete lines, capped, and
 * regenerated; a reply that breaks framing ends the session with 421, never a truncated relay.
 */
class ReplyFramingAttacksIT extends CatalogueSupport {

    /** The server answers SYST with exactly {@code bytes}; the session must end with 421 and {@code reason}. */
    private void replyEndsSession(byte[] bytes, String reason) throws Exception {
        scripted();
        server.rawScript.put("SYST", bytes);
        login();
        attack(() -> {
            ftp.send("SYST");
            assertClosedAfter(421);
            refused(reason, 421);
            assertThat(gw.audit.await("session-close").get("reason")).isEqualTo("protocol-violation");
        });
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------- 12. overlong lines and replies

    /** boofuzz lengths: just past the 4096-byte cap, 64 KiB and 1,000,000 bytes. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {4097, 65_537, 1_000_000})
    void overlongReplyLineEndsSession(int length) throws Exception {
        replyEndsSession(latin1("215 " + "A".repeat(length - 4) + "\r\n"), "line-too-long");
    }

    @Test
    void replyLineOfExactly4096BytesIsRelayed() throws Exception {
        String line = "215 " + "A".repeat(4092);
        scripted();
        server.script.put("SYST", List.of(line));
        login();
        attack(() -> {
            RawFtp.Reply r = ftp.cmd("SYST");
            assertThat(r.code()).isEqualTo(215);
            assertThat(r.last()).isEqualTo(line);
            assertNoRefusals();
        });
    }

    @Test
    void replyOf1000PlusLinesEndsSession() throws Exception {
        replyEndsSession(multiLine("214", 1001, "Help"), "reply-too-long");
    }

    @Test
    void replyOfExactly1000LinesIsRelayed() throws Exception {
        scripted();
        server.rawScript.put("HELP", multiLine("214", 1000, "Help"));
        login();
        attack(() -> {
            RawFtp.Reply r = ftp.cmd("HELP");
            assertThat(r.code()).isEqualTo(214);
            assertThat(r.lines()).hasSize(1000);
            assertNoRefusals();
        });
    }

    @Test
    void replyOver256KiBEndsSession() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("214-Help");
        for (int i = 0; i < 100; i++) {
            lines.add(" " + "B".repeat(3000));
        }
        lines.add("214 End");
        replyEndsSession(latin1(String.join("\r\n", lines) + "\r\n"), "reply-too-long");
    }

    /** curl test1062: 218 lines of {@code 250-AAAA...} then {@code 250 Finally...}; relayed whole, padded. */
    @Test
    void curl1062Style218LineReplyIsRelayed() throws Exception {
        String a = "A".repeat(250);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 218; i++) {
            lines.add("250-" + a);
        }
        lines.add("250 Finally, here is the response, boundary test");
        scripted();
        server.script.put("CWD", lines);
        login();
        attack(() -> {
            RawFtp.Reply r = ftp.cmd("CWD dir");
            assertThat(r.code()).isEqualTo(250);
            assertThat(r.lines()).hasSize(219);
            assertThat(r.lines().get(0)).isEqualTo("250-" + a);
            assertThat(r.lines().subList(1, 218)).as("intermediate lines, padded (RFC 959 4.2)")
                    .allMatch((" 250-" + a)::equals);
            assertThat(r.last()).isEqualTo("250 Finally, here is the response, boundary test");
            assertNoRefusals();
            assertSessionSurvives();
        });
    }

    // ---------------------------------------------------------------- 13. multi-line or odd replies

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"UNIX Type: L8", "21 short", "2150 UNIX", "631 base64-protected-reply", "099 zero class",
        "215\tUNIX", " 215 UNIX", "215_UNIX", "ZZZ UNIX"})
    void replyThatIsNotAnFtpReplyEndsSession(String line) throws Exception {
        replyEndsSession(latin1(line + "\r\n"), "reply-malformed");
    }

    @Test
    void multiLineReplyEndsOnlyAtItsOwnCode() throws Exception {
        scripted();
        server.script.put("HELP", List.of("214-Help", "227 Entering Passive Mode (127,0,0,2,4,1)", "200 Not the end",
                "214-Still not", "214 End"));
        login();
        attack(() -> {
            RawFtp.Reply r = ftp.cmd("HELP");
            assertThat(r.lines()).containsExactly("214-Help", " 227 Entering Passive Mode (127,0,0,2,4,1)",
                    " 200 Not the end", " 214-Still not", "214 End");
            assertNoRefusals();
            assertSessionSurvives();
        });
    }

    /** A 227 inside a multi-line reply to NOOP still makes the whole reply a 227: withheld. */
    @Test
    void multiLine227AnsweringNoopIsWithheld() throws Exception {
        scripted();
        server.script.put("NOOP", List.of("227-Entering Passive Mode (127,0,0,2,4,1)", "227 OK"));
        login();
        attack(() -> {
            assertThat(ftp.cmd("NOOP").code()).isEqualTo(451);
            refused("unexpected-pasv-reply", null);
            server.script.remove("NOOP");
            assertSessionSurvives();
        });
    }

    /** Complete lines only: a reply line without its end is never relayed. */
    @Test
    void partialReplyLineIsNotRelayed() throws Exception {
        scripted();
        server.rawScript.put("SYST", latin1("227 Entering Passive Mode (127,0,0,2,4,1)"));
        login();
        attack(() -> {
            ftp.send("SYST");
            assertThat(ftp.poll(Duration.ofMillis(500))).as("reply relayed from a partial line").isNull();
            assertThat(gw.audit.all(io.ftpgate.it.RecordingAuditSink.type("refused"))).isEmpty();
        });
    }

    /** A reply split into 1-byte segments, with a segment boundary inside CRLF, is reassembled. */
    @Test
    void replySplitInsideCrlfIsReassembled() throws Exception {
        scripted();
        server.chunkBytes = 1;
        server.chunkPauseMs = 2;
        server.script.put("SYST", List.of("215-UNIX", " Type: L8", "215 End"));
        login();
        attack(() -> {
            assertThat(ftp.cmd("SYST").lines()).containsExactly("215-UNIX", " Type: L8", "215 End");
            assertNoRefusals();
        });
    }

    // ---------------------------------------------------------------- 11, 15. NUL, CR and C0 in replies

    @Test
    void nulInReplyEndsSession() throws Exception {
        replyEndsSession(latin1("215 UNIX\0Type: L8\r\n"), "nul-byte");
    }

    /** curl test3218: {@code 257 "/\r"}. */
    @Test
    void bareCrInPwdReplyEndsSession() throws Exception {
        scripted();
        server.rawScript.put("PWD", latin1("257 \"/\r\"\r\n"));
        ftp = RawFtp.open(gw.address());
        attack(() -> {
            assertThat(ftp.cmd("USER anonymous").code()).isEqualTo(331);
            // The gateway asks PWD itself right after the login: the malformed answer ends the session there.
            ftp.send("PASS x");
            assertClosedAfter(421);
            refused("bare-cr", 421);
        });
    }

    @Test
    void c0ControlInReplyCodeEndsSession() throws Exception {
        replyEndsSession(latin1("2\u00035 UNIX\r\n"), "reply-malformed");
    }

    /** curl test3217: {@code 257 "/\x03"}: a path is byte-transparent, the gateway relays it unchanged. */
    @Test
    void c0ControlInPwdReplyPathIsRelayedByteTransparently() throws Exception {
        scripted();
        server.rawScript.put("PWD", latin1("257 \"/\u0003\u00ae\"\r\n"));
        login();
        attack(() -> {
            RawFtp.Reply r = ftp.cmd("PWD");
            assertThat(r.code()).isEqualTo(257);
            assertThat(r.last()).isEqualTo("257 \"/\u0003\u00ae\"");
            assertNoRefusals();
            assertSessionSurvives();
        });
    }

    private static byte[] multiLine(String code, int totalLines, String text) {
        StringBuilder sb = new StringBuilder(code).append('-').append(text).append("\r\n");
        for (int i = 0; i < totalLines - 2; i++) {
            sb.append(" line ").append(i).append("\r\n");
        }
        return latin1(sb.append(code).append(" End\r\n").toString());
    }
}
