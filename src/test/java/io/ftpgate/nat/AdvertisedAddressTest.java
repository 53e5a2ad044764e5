package io.ftpgate.nat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdvertisedAddressTest {

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {
        // public address, control local address, advertised in 227
        "none,          10.0.0.1,          10.0.0.1",
        "203.0.113.10,  10.0.0.1,          203.0.113.10",
        "none,          ::ffff:192.0.2.1,  192.0.2.1",
        "none,          ::1,               none",
        "203.0.113.10,  ::1,               203.0.113.10",
        "2001:db8::10,  10.0.0.1,          none",
    })
    void addressForPasv(String pub, String local, String expected) throws Exception {
        AdvertisedAddress a = new AdvertisedAddress(pub == null ? null : InetAddress.getByName(pub));
        var got = a.forPasv(InetAddress.getByName(local));
        assertThat(got == null ? null : got.getHostAddress()).isEqualTo(expected);
    }
}
