package io.ftpgate.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.protocol.LineViolation;
import io.ftpgate.protocol.TelnetSignal;
import io.ftpgate.protocol.TlsClientHello;
import io.ftpgate.protocol.TlsOpening;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FtpLineDecoderTest {

    private static List<Object> feed(boolean telnet, int max, byte[]... chunks) {
        EmbeddedChannel ch = new EmbeddedChannel(new FtpLineDecoder(max, telnet));
        for (byte[] c : chunks) {
            ch.writeInbound(Unpooled.wrappedBuffer(c));
        }
        List<Object> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add(o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void commandSplitAcrossSegmentsIsReassembledIntoOneLine() {
        assertThat(feed(true, 4096, b("RE"), b("TR fi"), b("le.txt\r"), b("\nNOOP\r\n")))
                .containsExactly("RETR file.txt", "NOOP");
    }

    @Test
    void partialLineIsNeverEmitted() {
        assertThat(feed(true, 4096, b("PORT 127,0,0,1,4,1"))).isEmpty();
    }

    @Test
    void bareLfEndsALine() {
        assertThat(feed(true, 4096, b("USER a\nPASS b\n"))).containsExactly("USER a", "PASS b");
    }

    @Test
    void nulInCommandIsAViolationAndTheRestIsDiscarded() {
        assertThat(feed(true, 4096, b("RETR a\0b\r\nNOOP\r\n"), b("NOOP\r\n")))
                .containsExactly(LineViolation.NUL_BYTE);
    }

    @Test
    void bareCrIsAViolation() {
        assertThat(feed(true, 4096, b("RETR a\rb\r\n"))).containsExactly(LineViolation.BARE_CR);
    }

    @Test
    void overlongLineIsAViolationEvenWithoutTerminator() {
        assertThat(feed(true, 16, b("RETR " + "x".repeat(20)))).containsExactly(LineViolation.LINE_TOO_LONG);
    }

    @Test
    void lineAtTheCapIsAccepted() {
        assertThat(feed(true, 16, b("x".repeat(16) + "\r\n"))).containsExactly("x".repeat(16));
    }

    @Test
    void telnetInterruptAndSynchBeforeAborAreDecoded() {
        byte[] abor = {(byte) 255, (byte) 244, (byte) 255, (byte) 242, 'A', 'B', 'O', 'R', '\r', '\n'};
        assertThat(feed(true, 4096, abor)).containsExactly(new TelnetSignal(TelnetSignal.IP),
                new TelnetSignal(TelnetSignal.DM), "ABOR");
    }

    /**
     * Issue 11: a ClientHello (implicit FTPS) became a nul-byte violation with nothing to show. Its record
     * header is now the one line, however the bytes are split, with no violation, and the rest is dropped.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpgate.protocol.TlsClientHello#protocols")
    void tlsClientHelloBecomesItsRecordHeaderAsOneLine(String protocol) {
        byte[] hello = TlsClientHello.of(protocol);
        String header = new String(hello, 0, TlsOpening.PREFIX_BYTES, StandardCharsets.ISO_8859_1);
        assertThat(feed(true, 4096, hello, b("USER a\r\n"))).containsExactly(header);
        assertThat(feed(true, 4096, Arrays.copyOfRange(hello, 0, 1), Arrays.copyOfRange(hello, 1, 2),
                Arrays.copyOfRange(hello, 2, hello.length))).containsExactly(header);
    }

    @Test
    void openingThatIsNotTlsIsFramedAsUsual() {
        assertThat(feed(true, 4096, new byte[] {0x16}, b("USER a\r\n"))).containsExactly("\u0016USER a");
        assertThat(feed(true, 4096, new byte[] {0x16, 0x03}, new byte[] {0x05, 0x00})).containsExactly(
                LineViolation.NUL_BYTE);
    }

    @Test
    void serverDirectionIsNotJudgedForTls() {
        assertThat(feed(false, 4096, TlsClientHello.of("TLSv1.3"))).containsExactly(LineViolation.NUL_BYTE);
    }

    @Test
    void serverDirectionKeepsByte255AsData() {
        assertThat(feed(false, 4096, new byte[] {'2', '0', '0', ' ', (byte) 255, '\r', '\n'}))
                .containsExactly("200 \u00ff");
    }
}
