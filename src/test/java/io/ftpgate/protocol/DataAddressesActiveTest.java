package io.ftpgate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** PORT (RFC 959 §4.1.2) and EPRT (RFC 2428 §2): the client-named data addresses. */
class DataAddressesActiveTest {

    private static String code(ThrowingCall call) {
        FtpSyntaxException e = catchThrowableOfType(FtpSyntaxException.class, call::run);
        assertThat(e).as("expected FtpSyntaxException").isNotNull();
        return e.code();
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @ParameterizedTest(name = "PORT [{0}]")
    @CsvSource(delimiter = ';', value = {
        "192,0,2,1,195,80;        192.0.2.1;  50000",
        "1,2,3,4,192,6;           1.2.3.4;    49158",
        "10,0,0,9,4,1;            10.0.0.9;   1025",
        "127,0,0,1,0,25;          127.0.0.1;  25",
        "0,0,0,0,0,0;             0.0.0.0;    0",
        "255,255,255,255,255,255; 255.255.255.255; 65535",
        "010,000,001,002,004,001; 10.0.1.2;   1025",
        "'  10,0,0,5,4,1  ';      10.0.0.5;   1025",
        "'\t10,0,0,5,4,1\t';      10.0.0.5;   1025",
    })
    void parsesPort(String argument, String address, int port) throws Exception {
        HostPort hp = DataAddresses.parsePort(argument);
        assertThat(hp.address()).isInstanceOf(Inet4Address.class);
        assertThat(hp.address().getHostAddress()).isEqualTo(address);
        assertThat(hp.port()).isEqualTo(port);
    }

    @ParameterizedTest(name = "PORT [{0}]")
    @ValueSource(strings = {
        // Octet overflow (Linux nf_conntrack_ftp before 2026 read this as port 22).
        "10,0,1,2,256,22",
        // pyftpdlib's table.
        "127,0,0,1,1.1", "X,0,0,1,1,1", "127,0,0,1,1,1,1", "127,0,0,1", "256,0,0,1,1,1", "127,0,0,1,256,1",
        "127,0,0,1,-1,0", "127,0,0,1,0,300",
        // Signs, spaces inside, empties and other shapes.
        "+1,2,3,4,5,6", "1,2,3,4,5,+6", "1, 2,3,4,5,6", "1,2,3,4,5 ,6", "1,2,3,4,5,6 x", "", " ", ",,,,,",
        "1,2,3,4,5,", ",1,2,3,4,5", "1,2,3,4,5,6,", "0001,2,3,4,5,6", "1,2,3,4,5,0006", "1;2;3;4;5;6",
        "1,2,3,4,5\u0000,6", "(1,2,3,4,5,6)", "1,2,3,4,5,6\r\n", "\u0661,2,3,4,5,6", "1,2,3,4,99999999999,6",
        "1.2.3.4,5,6",
    })
    void rejectsMalformedPort(String argument) {
        assertThat(code(() -> DataAddresses.parsePort(argument))).isEqualTo("port-syntax");
    }

    @ParameterizedTest(name = "EPRT [{0}]")
    @CsvSource(delimiter = ';', value = {
        "|1|1.2.3.4|49158|;         1.2.3.4;      49158",
        "|1|132.235.1.2|6275|;      132.235.1.2;  6275",
        "|2|1080::8:800:200C:417A|5282|; 1080:0:0:0:8:800:200c:417a; 5282",
        "|2|2001:db8::1|50000|;     2001:db8:0:0:0:0:0:1; 50000",
        "|2|::1|1|;                 0:0:0:0:0:0:0:1; 1",
        "!1!1.2.3.4!5000!;          1.2.3.4;      5000",
        "~1~10.0.0.5~65535~;        10.0.0.5;     65535",
        "|1|0.0.0.0|0|;             0.0.0.0;      0",
        "|1|10.0.0.5|00080|;        10.0.0.5;     80",
        "'  |1|10.0.0.5|2048|  ';   10.0.0.5;     2048",
        // IPv4-mapped IPv6 is allowed under 2 and comes back as the IPv4 address it carries.
        "|2|::ffff:10.0.0.5|2048|;  10.0.0.5;     2048",
    })
    void parsesEprt(String argument, String address, int port) throws Exception {
        HostPort hp = DataAddresses.parseEprt(argument);
        assertThat(hp.address().getHostAddress()).isEqualTo(address);
        assertThat(hp.port()).isEqualTo(port);
    }

    @ParameterizedTest(name = "EPRT [{0}]")
    @ValueSource(strings = {
        // Port overflow: 65558 would be 22 after a 16-bit wrap.
        "|1|1.2.3.4|65558|", "|1|1.2.3.4|65536|", "|1|1.2.3.4|-1|", "|1|1.2.3.4|+5000|", "|1|1.2.3.4|100000|",
        "|1|1.2.3.4||", "|1|1.2.3.4|50 00|", "|1|1.2.3.4|0x50|",
        // pyftpdlib's table.
        "||||", "|1|1.2.3.256|2048|",
        // Shapes.
        "", "|", "||", "|1|1.2.3.4|5000", "1|1.2.3.4|5000|", "|1|1.2.3.4|5000|x", "|1|1.2.3.4|5000||",
        "|1||1.2.3.4|5000|", "|1|1.2.3.4!5000!", "!1|1.2.3.4|5000|", "|1|1.2.3.4|5000!", " |1|1.2.3.4|5000|x",
        "\u00001\u00001.2.3.4\u00005000\u0000", " 1 1.2.3.4 5000 ", "\u00a61\u00a61.2.3.4\u00a65000\u00a6",
        "||1.2.3.4|5000|", "|a|1.2.3.4|5000|", "|+1|1.2.3.4|5000|", "|1 |1.2.3.4|5000|",
        // A delimiter that occurs in the address cannot be split unambiguously.
        ".1.1.2.3.4.5000.", ":2:::1:5000:",
        // Wrong family for the literal.
        "|1|::1|5000|", "|1|2001:db8::1|5000|", "|1|::ffff:1.2.3.4|5000|", "|2|1.2.3.4|5000|",
        // Not literals: host names are never resolved; no brackets, zone ids, octal-looking or short forms.
        "|1|localhost|5000|", "|2|localhost|5000|", "|1|example.com|5000|", "|1|1.2.3|5000|",
        "|1|01.2.3.4|5000|", "|1|1.2.3.04|5000|", "|1|0x7f.0.0.1|5000|", "|1|2130706433|5000|",
        "|1| 1.2.3.4|5000|", "|2|[::1]|5000|", "|2|fe80::1%eth0|5000|", "|2|fe80::1%1|5000|", "|2|:::|5000|",
        "|2|1:2:3:4:5:6:7:8:9|5000|", "|2|12345::|5000|", "|2|g::1|5000|", "|2||5000|",
    })
    void rejectsMalformedEprt(String argument) {
        assertThat(code(() -> DataAddresses.parseEprt(argument))).isEqualTo("port-syntax");
    }

    @ParameterizedTest(name = "EPRT [{0}]")
    @ValueSource(strings = {"|3|1.2.3.4|5000|", "|0|1.2.3.4|5000|", "|01|1.2.3.4|5000|", "|12|::1|5000|",
        "!3!x!y!"})
    void rejectsOtherFamilies(String argument) {
        assertThat(code(() -> DataAddresses.parseEprt(argument))).isEqualTo("port-family");
    }

    @ParameterizedTest(name = "{0}:{1}")
    @CsvSource({
        "192.0.2.1,   50000, '192,0,2,1,195,80'",
        "0.0.0.0,     0,     '0,0,0,0,0,0'",
        "255.255.255.255, 65535, '255,255,255,255,255,255'",
        "10.0.0.5,    1024,  '10,0,0,5,4,0'",
    })
    void formatsAndRoundTripsPort(String address, int port, String wire) throws Exception {
        Inet4Address a = (Inet4Address) InetAddress.getByAddress(ip(address));
        assertThat(DataAddresses.formatPort(a, port)).isEqualTo(wire);
        assertThat(DataAddresses.parsePort(wire)).isEqualTo(new HostPort(a, port));
    }

    @ParameterizedTest(name = "{0}:{1}")
    @CsvSource({
        "192.0.2.1,        50000, |1|192.0.2.1|50000|",
        "2001:db8:0:0:0:0:0:1, 50000, |2|2001:db8::1|50000|",
        "::1,              1024,  |2|::1|1024|",
        "fe80::1:2,        65535, |2|fe80::1:2|65535|",
        "0.0.0.0,          0,     |1|0.0.0.0|0|",
    })
    void formatsAndRoundTripsEprt(String address, int port, String wire) throws Exception {
        InetAddress a = InetAddress.getByAddress(ip(address));
        assertThat(DataAddresses.formatEprt(a, port)).isEqualTo(wire);
        assertThat(DataAddresses.parseEprt(wire)).isEqualTo(new HostPort(a, port));
    }

    @Test
    void formatEprtDropsTheZoneId() throws Exception {
        Inet6Address scoped = Inet6Address.getByAddress(null, ip("fe80::1"), 3);
        assertThat(DataAddresses.formatEprt(scoped, 2048)).isEqualTo("|2|fe80::1|2048|");
    }

    @Test
    void formattersRefuseBadPorts() throws Exception {
        Inet4Address a = (Inet4Address) InetAddress.getByAddress(ip("10.0.0.1"));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> DataAddresses.formatPort(a, 65536));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> DataAddresses.formatEprt(a, -1));
    }

    private static byte[] ip(String literal) {
        return io.netty.util.NetUtil.createByteArrayFromIpAddressString(literal);
    }
}
