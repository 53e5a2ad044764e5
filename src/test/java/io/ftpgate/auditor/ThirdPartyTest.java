package io.ftpgate.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ThirdPartyTest {

    private static InetAddress a(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void loopbackClientGetsASecondLoopbackAddress() throws Exception {
        assertThat(Auditor.thirdParty(null, a("127.0.0.1")).address()).isEqualTo(a("127.0.0.2"));
        assertThat(Auditor.thirdParty(null, a("127.0.0.2")).address()).isEqualTo(a("127.0.0.3"));
    }

    @Test
    void givenAddressIsChecked() throws Exception {
        assertThat(Auditor.thirdParty(a("127.0.0.5"), a("127.0.0.1")).address()).isEqualTo(a("127.0.0.5"));
        assertThatThrownBy(() -> Auditor.thirdParty(a("127.0.0.1"), a("127.0.0.1")))
                .isInstanceOf(AuditException.class).hasMessageContaining("another address of this host");
        assertThatThrownBy(() -> Auditor.thirdParty(a("::1"), a("127.0.0.1")))
                .isInstanceOf(AuditException.class).hasMessageContaining("same family");
        assertThatThrownBy(() -> Auditor.thirdParty(a("192.0.2.77"), a("127.0.0.1")))
                .isInstanceOf(AuditException.class).hasMessageContaining("must be an address of this host");
    }

    @Test
    void ipv6LoopbackHasNoSecondAddress() throws Exception {
        Auditor.ThirdParty t = Auditor.thirdParty(null, a("::1"));
        assertThat(t.address()).isNull();
        assertThat(t.why()).contains("--third-party");
    }
}
