package io.ftpgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.net.Cidr;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    @ParameterizedTest
    @CsvSource({
        "192.0.2.0/24, 192.0.2.77, true",
        "192.0.2.0/24, 192.0.3.1, false",
        "10.0.0.0/8, ::ffff:10.1.2.3, true",
        "0.0.0.0/0, 203.0.113.9, true",
        "0.0.0.0/0, 2001:db8::1, false",
        "2001:db8::/32, 2001:db8:1::5, true",
        "2001:db8::/32, 2001:db9::5, false",
        "127.0.0.1, 127.0.0.1, true",
        "127.0.0.1, 127.0.0.2, false",
        "::1/128, ::1, true",
    })
    void matches(String block, String address, boolean expected) throws Exception {
        assertThat(Cidr.parse(block).contains(InetAddress.getByName(address))).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0/33", "::/129", "example.com/8", "10.0.0.0/x", "10.0.0/8", "1.2.3.4/-1"})
    void rejectsMalformedBlocks(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "192.168.1.1/24, true, 192.168.1.0/24",
        "192.168.1.0/24, false, 192.168.1.0/24",
        "192.168.1.1, false, 192.168.1.1/32",
        "192.168.1.1/32, false, 192.168.1.1/32",
        "10.255.0.0/9, true, 10.128.0.0/9",
        "2001:db8::1/64, true, 2001:db8::/64",
        "2001:db8::1/128, false, 2001:db8::1/128",
        "0.0.0.0/0, false, 0.0.0.0/0",
    })
    void knowsWhetherHostBitsAreSetAndTheNetworkMeant(String block, boolean hostBits, String network) {
        Cidr c = Cidr.parse(block);
        assertThat(c.hasHostBits()).isEqualTo(hostBits);
        assertThat(c.network()).isEqualTo(network);
        assertThat(c.toString()).as("written form kept").isEqualTo(block);
    }

    @ParameterizedTest
    @CsvSource({"::ffff:192.0.2.1, 192.0.2.1", "192.0.2.1, 192.0.2.1", "2001:db8::1, 2001:db8::1"})
    void canonicalUnmapsV4MappedAddresses(String in, String out) throws Exception {
        assertThat(Cidr.canonical(InetAddress.getByName(in))).isEqualTo(InetAddress.getByName(out));
    }
}
