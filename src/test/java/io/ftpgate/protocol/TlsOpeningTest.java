package io.ftpgate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.protocol.TlsOpening.Verdict;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TlsOpeningTest {

    /** Hex bytes as a client's first bytes -> verdict. */
    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = ';', value = {
        "16 03 01 02 00 01 00 01 fc 03 03; TLS",   // curl/OpenSSL: record version 3.1
        "16 03 03 01 3e 01 00 01 3a 03 03; TLS",   // the JDK: record version 3.3
        "16 03 00;                         TLS",   // SSL 3.0 record header
        "16 03 04;                         TLS",
        "16 03 01;                         TLS",   // exactly the header is enough
        ";                                 UNDECIDED",
        "16;                               UNDECIDED",
        "16 03;                            UNDECIDED",
        "16 03 05;                         NOT_TLS",
        "16 04 01;                         NOT_TLS",
        "17 03 03 00 10;                   NOT_TLS",  // application data, not a handshake
        "15 03 03;                         NOT_TLS",  // alert
        "03;                               NOT_TLS",
        "55 53 45 52 20 61 0d 0a;          NOT_TLS",  // USER a
        "47 45 54 20 2f;                   NOT_TLS",  // GET /
        "00 16 03 01;                      NOT_TLS",  // judged from the first byte only
    })
    void judgesTheFirstBytes(String hex, Verdict expected) {
        assertThat(TlsOpening.of(bytes(hex), 0, bytes(hex).length)).isEqualTo(expected);
    }

    @Test
    void honoursOffsetAndLength() {
        byte[] b = bytes("55 16 03 01 55");
        assertThat(TlsOpening.of(b, 1, 3)).isEqualTo(Verdict.TLS);
        assertThat(TlsOpening.of(b, 1, 2)).isEqualTo(Verdict.UNDECIDED);
        assertThat(TlsOpening.of(b, 0, 5)).isEqualTo(Verdict.NOT_TLS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpgate.protocol.TlsClientHello#protocols")
    void recognisesARealClientHelloAtEveryCut(String protocol) {
        byte[] hello = TlsClientHello.of(protocol);
        for (int n = 0; n <= hello.length; n++) {
            assertThat(TlsOpening.of(hello, 0, n)).as("first %d bytes", n)
                    .isEqualTo(n < TlsOpening.PREFIX_BYTES ? Verdict.UNDECIDED : Verdict.TLS);
        }
        // Why the first bytes must be judged before line framing: the ClientHello holds a NUL early on.
        int nul = indexOfNul(hello);
        assertThat(nul).isBetween(TlsOpening.PREFIX_BYTES, 6);
    }

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = ';', value = {
        "16 03 01;       TLS handshake (ClientHello) on a plain FTP listener",
        "16 03 03 01 3e; TLS handshake (ClientHello) on a plain FTP listener",
        "16 03;          '\u0016\u0003'",
        "16 03 05;       '\u0016\u0003\u0005'",
        "47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31; GET / HTTP/1.1",
    })
    void auditInputNamesTlsAndKeepsOtherLines(String hex, String expected) {
        String line = new String(bytes(hex), StandardCharsets.ISO_8859_1);
        assertThat(TlsOpening.auditInput(line)).isEqualTo(expected);
        assertThat(TlsOpening.startsLine(line)).isEqualTo(expected.equals(TlsOpening.AUDIT_INPUT));
    }

    @Test
    void nullIsNoTlsLine() {
        assertThat(TlsOpening.startsLine(null)).isFalse();
    }

    private static int indexOfNul(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] bytes(String hex) {
        if (hex == null || hex.isBlank()) {
            return new byte[0];
        }
        String[] parts = hex.trim().split(" +");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }
}
