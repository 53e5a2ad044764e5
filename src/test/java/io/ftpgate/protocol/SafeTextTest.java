package io.ftpgate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SafeTextTest {

    @ParameterizedTest(name = "[{0}] -> [{2}]")
    @CsvSource(delimiter = ';', value = {
        "USER anonymous;        100; USER anonymous",
        "'RETR a\r\nPORT 1,2,3,4,0,25'; 100; 'RETR a\\x0D\\x0APORT 1,2,3,4,0,25'",
        "'a\\b';                100; 'a\\\\b'",
        "'\u0000\u0001\u001b[31m'; 100; '\\x00\\x01\\x1B[31m'",
        "'\u007f\u0080\u00ff';  100; '\\x7F\\x80\\xFF'",
        "'caf\u00c3\u00a9';     100; 'caf\\xC3\\xA9'",
        "'\u2028';              100; '\\u2028'",
        "'tab\there';           100; 'tab\\x09here'",
        "abcdefghij;            10;  abcdefghij",
        "abcdefghijk;           10;  'abcdefghij\u2026'",
        "'abcdefgh\n';          10;  'abcdefgh\u2026'",
        "'';                    0;   ''",
        "x;                     0;   '\u2026'",
    })
    void escapes(String input, int max, String expected) {
        assertThat(SafeText.escape(input, max)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        "GET / HTTP/1.1", "POST /x HTTP/1.0", "CONNECT example.com:443 HTTP/1.1", "PRI * HTTP/2.0",
        "get /index.html http/1.1", "OPTIONS * HTTP/1.1", "SSH-2.0-x", "SSH-1.99-OpenSSH",
        "\u0016\u0003\u0001\u0002\u0000", "\u0016\u0003\u0003",
    })
    void recognisesOtherProtocols(String line) {
        assertThat(SafeText.looksLikeOtherProtocol(line)).isTrue();
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        "RETR file", "STOR HTTP/1.1", "USER anonymous", "", "GET", "GET /", "GET / HTTP", "GET / HTTPS/1.1",
        "STOR my HTTP/1.1 notes.txt", "ssh-2.0-x", "SSH", "\u0016\u0004\u0001", "\u0016",
        "220 Service ready", "GET  / HTTP/1.1",
    })
    void leavesFtpAlone(String line) {
        assertThat(SafeText.looksLikeOtherProtocol(line)).isFalse();
    }
}
