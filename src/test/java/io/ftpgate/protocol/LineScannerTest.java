package io.ftpgate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LineScannerTest {

    private static final int IAC = 255;

    /** Records callbacks as "line:...", "telnet:N" and "violation:code". */
    private static final class Recorder implements LineScanner.Sink {
        final List<String> events = new ArrayList<>();

        @Override
        public void line(String line) {
            events.add("line:" + line);
        }

        @Override
        public void telnet(TelnetSignal signal) {
            events.add("telnet:" + signal.command());
        }

        @Override
        public void violation(LineViolation v) {
            events.add("violation:" + v.code());
        }
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    private static List<String> scan(LineScanner scanner, byte[]... chunks) {
        Recorder r = new Recorder();
        for (byte[] c : chunks) {
            scanner.feed(c, 0, c.length, r);
        }
        return r.events;
    }

    private static List<String> scanBytewise(LineScanner scanner, byte[] all) {
        Recorder r = new Recorder();
        for (int i = 0; i < all.length; i++) {
            scanner.feed(all, i, 1, r);
        }
        return r.events;
    }

    static Stream<Arguments> framing() {
        return Stream.of(
                Arguments.of("CRLF", bytes("USER a\r\n"), List.of("line:USER a")),
                Arguments.of("bare LF ends a line like vsftpd", bytes("PASS foo\nbar@x\r\n"),
                        List.of("line:PASS foo", "line:bar@x")),
                Arguments.of("empty line", bytes("\r\n"), List.of("line:")),
                Arguments.of("two lines in one chunk", bytes("NOOP\r\nPWD\r\n"), List.of("line:NOOP", "line:PWD")),
                Arguments.of("incomplete line is held", bytes("NOOP"), List.of()),
                Arguments.of("bare CR mid-line", bytes("RETR a\rb\r\n"), List.of("violation:bare-cr")),
                Arguments.of("CR CR LF", bytes("NOOP\r\r\n"), List.of("violation:bare-cr")),
                Arguments.of("NUL", bytes("RETR a", 0, "b\r\n"), List.of("violation:nul-byte")),
                Arguments.of("CR NUL (RFC 2640 escape) is refused", bytes("RETR a\r", 0, "\r\n"),
                        List.of("violation:nul-byte")),
                Arguments.of("violation ends scanning", bytes("NOOP\r\nA\rB\r\nNOOP\r\n"),
                        List.of("line:NOOP", "violation:bare-cr")),
                Arguments.of("0xFF is data without telnet", bytes("RETR ", 0xff, "\r\n"), List.of("line:RETR \u00ff")),
                Arguments.of("high bytes kept", bytes("RETR caf", 0xc3, 0xa9, "\r\n"),
                        List.of("line:RETR caf\u00c3\u00a9")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framing")
    void framesLinesInOneChunk(String name, byte[] input, List<String> expected) {
        assertThat(scan(new LineScanner(FtpLimits.MAX_LINE_BYTES, false), input)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framing")
    void framesLinesFedOneByteAtATime(String name, byte[] input, List<String> expected) {
        assertThat(scanBytewise(new LineScanner(FtpLimits.MAX_LINE_BYTES, false), input)).isEqualTo(expected);
    }

    @Test
    void crAtChunkEndWaitsForLf() {
        LineScanner s = new LineScanner(100, false);
        assertThat(scan(s, bytes("NOOP\r"))).isEmpty();
        assertThat(s.isDead()).isFalse();
        assertThat(scan(s, bytes("\n"))).containsExactly("line:NOOP");
    }

    @Test
    void crThenOtherByteAcrossChunksIsBareCr() {
        LineScanner s = new LineScanner(100, false);
        assertThat(scan(s, bytes("RETR a\r"), bytes("PORT 1,2,3,4,0,25\r\n"))).containsExactly("violation:bare-cr");
        assertThat(s.isDead()).isTrue();
    }

    @Test
    void lineOfExactlyTheCapIsAccepted() {
        String max = "A".repeat(FtpLimits.MAX_LINE_BYTES);
        assertThat(scan(new LineScanner(FtpLimits.MAX_LINE_BYTES, true), bytes(max + "\r\n")))
                .containsExactly("line:" + max);
    }

    @Test
    void lineOfCapPlusOneIsRefusedAsSoonAsTheCapIsPassed() {
        LineScanner s = new LineScanner(FtpLimits.MAX_LINE_BYTES, false);
        assertThat(scan(s, bytes("A".repeat(FtpLimits.MAX_LINE_BYTES)))).isEmpty();
        assertThat(s.bufferedBytes()).isEqualTo(FtpLimits.MAX_LINE_BYTES);
        // No terminator yet: the 4097th byte alone triggers the violation.
        assertThat(scan(s, bytes("A"))).containsExactly("violation:line-too-long");
        assertThat(s.isDead()).isTrue();
        assertThat(s.bufferedBytes()).isZero();
    }

    @Test
    void megabyteWithoutNewlineIsRefusedNotBuffered() {
        LineScanner s = new LineScanner(FtpLimits.MAX_LINE_BYTES, true);
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'A');
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            events.addAll(scan(s, chunk));
        }
        assertThat(events).containsExactly("violation:line-too-long");
    }

    @Test
    void lineSplitAcrossOneByteChunks() {
        LineScanner s = new LineScanner(100, true);
        byte[] all = bytes("RETR some/file.txt\r\n");
        Recorder r = new Recorder();
        for (int i = 0; i < all.length; i++) {
            s.feed(all, i, 1, r);
            if (i == 5) {
                assertThat(s.bufferedBytes()).isEqualTo(6);
            }
        }
        assertThat(r.events).containsExactly("line:RETR some/file.txt");
        assertThat(s.bufferedBytes()).isZero();
    }

    @Test
    void feedHonoursOffsetAndLength() {
        byte[] buf = bytes("xxNOOP\r\nyy");
        Recorder r = new Recorder();
        new LineScanner(100, false).feed(buf, 2, 6, r);
        assertThat(r.events).containsExactly("line:NOOP");
    }

    static Stream<Arguments> telnet() {
        return Stream.of(
                Arguments.of("IAC IAC is one 0xFF byte", bytes("RETR a", IAC, IAC, "b\r\n"),
                        List.of("line:RETR a\u00ffb")),
                Arguments.of("IAC IP IAC DM before ABOR (RFC 959 4.1.3)", bytes(IAC, 244, IAC, 242, "ABOR\r\n"),
                        List.of("telnet:244", "telnet:242", "line:ABOR")),
                Arguments.of("IAC WILL x swallowed", bytes("NO", IAC, 251, 1, "OP\r\n"), List.of("line:NOOP")),
                Arguments.of("IAC DO IAC swallows the option byte only", bytes(IAC, 253, IAC, "NOOP\r\n"),
                        List.of("line:NOOP")),
                Arguments.of("IAC SB .. IAC SE swallowed", bytes("NO", IAC, 250, 24, 0, "xterm", IAC, 240, "OP\r\n"),
                        List.of("line:NOOP")),
                Arguments.of("IAC IAC inside SB stays inside", bytes(IAC, 250, 1, IAC, IAC, 2, IAC, 240, "PWD\r\n"),
                        List.of("line:PWD")),
                Arguments.of("IAC NOP reported and removed", bytes("PW", IAC, 241, "D\r\n"),
                        List.of("telnet:241", "line:PWD")),
                Arguments.of("CRLF split by a telnet command", bytes("ABOR\r", IAC, 244, "\n"),
                        List.of("telnet:244", "line:ABOR")),
                Arguments.of("telnet bytes do not count toward the cap",
                        bytes(IAC, 251, 1, IAC, 244, "1234567890\r\n"), List.of("telnet:244", "line:1234567890")),
                Arguments.of("telnet cannot hide a NUL", bytes("RETR a", IAC, 244, 0, "\r\n"),
                        List.of("telnet:244", "violation:nul-byte")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("telnet")
    void decodesTelnet(String name, byte[] input, List<String> expected) {
        assertThat(scan(new LineScanner(10, true), input)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("telnet")
    void decodesTelnetSplitAcrossChunks(String name, byte[] input, List<String> expected) {
        assertThat(scanBytewise(new LineScanner(10, true), input)).isEqualTo(expected);
    }

    @Test
    void iacSplitAcrossChunks() {
        LineScanner s = new LineScanner(100, true);
        assertThat(scan(s, bytes("RETR a", IAC), bytes(IAC, "b\r\n"), bytes(IAC), bytes(244, "ABOR\r\n")))
                .containsExactly("line:RETR a\u00ffb", "telnet:244", "line:ABOR");
    }

    @Test
    void endlessSubnegotiationIsRefused() {
        LineScanner s = new LineScanner(100, true);
        byte[] sb = new byte[101];
        java.util.Arrays.fill(sb, (byte) 'x');
        assertThat(scan(s, bytes(IAC, 250), sb)).containsExactly("violation:line-too-long");
    }

    @Test
    void deadAfterViolationIgnoresEverything() {
        LineScanner s = new LineScanner(100, true);
        assertThat(scan(s, bytes("A", 0))).containsExactly("violation:nul-byte");
        assertThat(s.isDead()).isTrue();
        assertThat(scan(s, bytes("NOOP\r\n", IAC, 244))).isEmpty();
    }

    @Test
    void telnetSignalKnowsInterruptAndDataMark() {
        assertThat(new TelnetSignal(TelnetSignal.IP).isInterrupt()).isTrue();
        assertThat(new TelnetSignal(TelnetSignal.DM).isInterrupt()).isFalse();
        assertThat(new TelnetSignal(TelnetSignal.DM).isDataMark()).isTrue();
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new TelnetSignal(256));
    }
}
