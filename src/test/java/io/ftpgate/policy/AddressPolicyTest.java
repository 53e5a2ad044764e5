package io.ftpgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.net.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressPolicyTest {

    private static AddressPolicy policy(Placement placement, List<Cidr> allowDest) {
        return new AddressPolicy(placement, List.of(), allowDest, List.of(), OWN);
    }

    private static final Set<InetSocketAddress> OWN = Set.of(new InetSocketAddress("127.0.0.1", 2121));

    @ParameterizedTest
    @CsvSource({
        "203.0.113.5, true", "127.0.0.1, true", "10.1.1.1, true", "192.168.0.9, true",
        "::1, true", "fd00::1, true",
    })
    void reverseServesAnyClientByDefault(String client, boolean allowed) throws Exception {
        AddressPolicy p = policy(Placement.REVERSE, List.of());
        assertThat(p.clientAllowed(InetAddress.getByName(client))).isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, true", "10.1.1.1, true", "172.20.0.1, true", "192.168.0.9, true", "fd00::1, true",
        "203.0.113.5, false", "2001:db8::1, false",
    })
    void forwardServesOnlyLoopbackAndPrivateClientsByDefault(String client, boolean allowed) throws Exception {
        AddressPolicy p = policy(Placement.FORWARD, List.of());
        assertThat(p.clientAllowed(InetAddress.getByName(client))).isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource({
        "198.51.100.7, 21, true", "127.0.0.1, 21, false", "10.0.0.9, 21, false", "169.254.1.1, 21, false",
        "192.168.1.1, 21, false", "0.0.0.0, 21, false", "224.0.0.1, 21, false", "::1, 21, false",
        "fe80::1, 21, false", "::ffff:10.0.0.9, 21, false",
    })
    void forwardReachesOnlyPublicDestinationsByDefault(String dest, int port, boolean allowed) throws Exception {
        AddressPolicy p = policy(Placement.FORWARD, List.of());
        assertThat(p.destinationAllowed(InetAddress.getByName(dest), port)).isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1, 2121, false", "127.0.0.1, 21, true", "127.0.0.2, 21, false"})
    void explicitDestinationListIsExactButNeverTheGatewayItself(String dest, int port, boolean allowed)
            throws Exception {
        AddressPolicy p = policy(Placement.FORWARD, List.of(Cidr.parse("127.0.0.1/32")));
        assertThat(p.destinationAllowed(InetAddress.getByName(dest), port)).isEqualTo(allowed);
    }
}
