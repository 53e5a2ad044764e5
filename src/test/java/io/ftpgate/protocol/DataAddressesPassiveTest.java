package io.ftpgate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ftpgate.protocol.DataAddresses.EpsvArgument;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** 227 (RFC 959, RFC 1123 §4.1.2.6), 229 and the EPSV argument (RFC 2428 §3): the passive-mode forms. */
class DataAddressesPassiveTest {

    private static String code(ThrowingCall call) {
        FtpSyntaxException e = catchThrowableOfType(FtpSyntaxException.class, call::run);
        assertThat(e).as("expected FtpSyntaxException").isNotNull();
        return e.code();
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @ParameterizedTest(name = "227 [{0}]")
    @CsvSource(delimiter = ';', value = {
        "Entering Passive Mode (192,0,2,1,195,80).;  192.0.2.1; 50000",
        "Entering Passive Mode (10,0,0,1,0,22);      10.0.0.1;  22",
        // aioftp really emits the all-zero address; it parses (the caller uses only the port).
        "Entering Passive Mode (0,0,0,0,137,217);    0.0.0.0;   35289",
        // RFC 1123: no parentheses, other prose, trailing text.
        "Entering Passive Mode 127,0,0,1,4,1;        127.0.0.1; 1025",
        "=127,0,0,1,4,1;                             127.0.0.1; 1025",
        "127,0,0,1,4,1;                              127.0.0.1; 1025",
        "Entering Passive Mode (127,0,0,1,4,1) now, use it; 127.0.0.1; 1025",
        "'Entering Passive Mode (127,0,0,1,4,1)\nthanks 1,2'; 127.0.0.1; 1025",
        "(255,255,255,255,255,255);                 255.255.255.255; 65535",
    })
    void parsesPasvReply(String text, String address, int port) throws Exception {
        HostPort hp = DataAddresses.parsePasvReply(text);
        assertThat(hp.address().getHostAddress()).isEqualTo(address);
        assertThat(hp.port()).isEqualTo(port);
    }

    @ParameterizedTest(name = "227 [{0}]")
    @ValueSource(strings = {
        "Entering Passive Mode (127,0,0,1,4,1.5)",
        // curl test237: a field of four digits must not be read as 121 followed by 6.
        "Entering Passive Mode (1216,256,2,127,127,127)",
        "Entering Passive Mode (256,0,0,1,4,1)", "Entering Passive Mode (127,0,0,1,256,1)",
        "Entering Passive Mode (127,0,0,1,4,1,7)", "Entering Passive Mode (127,0,0,1,4,1,)",
        "Entering Passive Mode (127,0,0,1,4)", "Entering Passive Mode (127,0,0,1,4,1000)",
        "Entering Passive Mode (127,0,0,1,-4,1)", "Entering Passive Mode (-127,0,0,1,4,1)",
        "Entering Passive Mode (+127,0,0,1,4,1)", "Entering Passive Mode (127, 0,0,1,4,1)",
        "Entering Passive Mode (127.0.0.1,4,1)", "Entering Passive Mode", "", "(,,,,,)",
        // RFC 1123 scanning starts at the first digit, so a digit in the prose derails it.
        "Entering Passive Mode v2 (127,0,0,1,4,1)",
        "Entering Passive Mode (\u0661\u0662\u0667,0,0,1,4,1)",
    })
    void rejectsMalformedPasvReply(String text) {
        assertThat(code(() -> DataAddresses.parsePasvReply(text))).isEqualTo("pasv-syntax");
    }

    @ParameterizedTest(name = "229 [{0}]")
    @CsvSource(delimiter = ';', value = {
        "Entering Extended Passive Mode (|||6446|);  6446",
        "Entering Extended Passive Mode (|||1|);     1",
        "Entering Extended Passive Mode (|||65535|). ok; 65535",
        "Entering Extended Passive Mode (!!!50000!); 50000",
        "(###2048#);                                 2048",
        "'Extended Passive\n(|||2048|)';             2048",
        "x (|||02048|);                              2048",
    })
    void parsesEpsvReply(String text, int port) throws Exception {
        assertThat(DataAddresses.parseEpsvReply(text)).isEqualTo(port);
    }

    @ParameterizedTest(name = "229 [{0}]")
    @ValueSource(strings = {
        // curl test238: a 7-digit port.
        "Entering Passive Mode (|||1000000|)",
        "Entering Extended Passive Mode (|||65536|)", "Entering Extended Passive Mode (|||0|)",
        "Entering Extended Passive Mode (|||-1|)", "Entering Extended Passive Mode (|||+1|)",
        "Entering Extended Passive Mode (|||1 |)", "Entering Extended Passive Mode (|||1|",
        "Entering Extended Passive Mode (||||)", "Entering Extended Passive Mode (||1|)",
        "Entering Extended Passive Mode (|1|2.3.4.5|6446|)", "Entering Extended Passive Mode (|||6446!)",
        "Entering Extended Passive Mode (!||6446|)", "Entering Extended Passive Mode |||6446|",
        "Entering Extended Passive Mode (   6446 )", "Entering Extended Passive Mode (1116446111)",
        "Entering Extended Passive Mode (\u00a6\u00a6\u00a66446\u00a6)", "", "(", "(|||",
        "Entering Extended Passive Mode (mode) (|||6446|)",
    })
    void rejectsMalformedEpsvReply(String text) {
        assertThat(code(() -> DataAddresses.parseEpsvReply(text))).isEqualTo("pasv-syntax");
    }

    @ParameterizedTest(name = "EPSV [{0}]")
    @CsvSource(delimiter = ';', value = {
        "'';      ANY",
        "ALL;     ALL",
        "all;     ALL",
        "All;     ALL",
        "1;       IPV4",
        "2;       IPV6",
        "' 2 ';   IPV6",
    })
    void parsesEpsvArgument(String argument, EpsvArgument expected) throws Exception {
        assertThat(DataAddresses.parseEpsvArgument(argument)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "EPSV [{0}]")
    @CsvSource(delimiter = ';', value = {
        "3;        port-family",
        "0;        port-family",
        "01;       port-family",
        "12;       port-family",
        "99999999999999999999; port-family",
        "ALLX;     command-syntax",
        "AL;       command-syntax",
        "+1;       command-syntax",
        "-1;       command-syntax",
        "1 2;      command-syntax",
        "|1|;      command-syntax",
        "ALL 1;    command-syntax",
    })
    void rejectsEpsvArgument(String argument, String expectedCode) {
        assertThat(code(() -> DataAddresses.parseEpsvArgument(argument))).isEqualTo(expectedCode);
    }

    @ParameterizedTest(name = "{0}:{1}")
    @CsvSource({
        "192.0.2.1, 50000",
        "10.0.0.5,  1024",
        "0.0.0.0,   65535",
    })
    void pasvReplyRoundTrips(String address, int port) throws Exception {
        Inet4Address a = (Inet4Address) InetAddress.getByAddress(io.netty.util.NetUtil
                .createByteArrayFromIpAddressString(address));
        FtpReply reply = DataAddresses.pasvReply(a, port);
        assertThat(reply.code()).isEqualTo(227);
        assertThat(DataAddresses.parsePasvReply(reply.text())).isEqualTo(new HostPort(a, port));
    }

    @Test
    void pasvReplyWireForm() throws Exception {
        Inet4Address a = (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1});
        assertThat(DataAddresses.pasvReply(a, 50000).encode())
                .isEqualTo("227 Entering Passive Mode (192,0,2,1,195,80).\r\n");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1024, 50000, 65535})
    void epsvReplyRoundTrips(int port) throws Exception {
        FtpReply reply = DataAddresses.epsvReply(port);
        assertThat(reply.encode()).isEqualTo("229 Entering Extended Passive Mode (|||" + port + "|)\r\n");
        assertThat(DataAddresses.parseEpsvReply(reply.text())).isEqualTo(port);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536})
    void epsvReplyRefusesBadPorts(int port) {
        assertThatIllegalArgumentException().isThrownBy(() -> DataAddresses.epsvReply(port));
    }
}
