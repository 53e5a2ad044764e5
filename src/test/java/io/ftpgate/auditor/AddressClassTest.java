package io.ftpgate.auditor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressClassTest {

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0, UNSPECIFIED", "::, UNSPECIFIED",
        "127.0.0.1, LOOPBACK", "127.1.2.3, LOOPBACK", "::1, LOOPBACK",
        "169.254.1.1, LINK_LOCAL", "fe80::1, LINK_LOCAL",
        "10.0.0.1, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE", "192.168.1.1, PRIVATE",
        "100.64.0.1, PRIVATE", "100.127.255.255, PRIVATE", "fd00::1, PRIVATE", "fc00::1, PRIVATE",
        "172.32.0.1, PUBLIC", "100.128.0.1, PUBLIC", "192.0.2.10, PUBLIC", "2001:db8::1, PUBLIC"
    })
    void classifies(String address, AddressClass expected) throws Exception {
        assertThat(AddressClass.of(InetAddress.getByName(address))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1, 127.0.0.1, ok", "127.0.0.1, 10.0.0.1, medium", "127.0.0.1, 0.0.0.0, medium",
        "192.0.2.1, 198.51.100.7, low"})
    void leakSeverity(String connected, String advertised, String severity) throws Exception {
        Finding f = PassiveCheck.leak(InetAddress.getByName(connected), InetAddress.getByName(advertised), List.of());
        assertThat(f.severity().label()).isEqualTo(severity);
    }
}
