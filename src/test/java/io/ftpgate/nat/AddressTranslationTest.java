package io.ftpgate.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.FtpSyntaxException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressTranslationTest {

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
        AddressTranslation a = new AddressTranslation(pub == null ? null : InetAddress.getByName(pub));
        var got = a.pasvAddress(InetAddress.getByName(local));
        assertThat(got == null ? null : got.getHostAddress()).isEqualTo(expected);
    }

    @Test
    void passiveRepliesAreGeneratedWithThePublicAddress() throws Exception {
        AddressTranslation nat = new AddressTranslation(InetAddress.getByName("203.0.113.10"));
        InetAddress local = InetAddress.getByName("10.0.0.1");
        assertThat(nat.passiveReply(false, local, 61000).lines())
                .containsExactly("Entering Passive Mode (203,0,113,10,238,72).");
        assertThat(nat.passiveReply(true, local, 61000).code()).isEqualTo(229);
        assertThat(nat.passiveReply(true, local, 61000).text()).contains("(|||61000|)");
    }

    @Test
    void activeCommandsNameTheGatewaysOwnServerSideAddress() throws Exception {
        assertThat(AddressTranslation.activeCommand(InetAddress.getByName("10.0.0.1"), 62052))
                .isEqualTo("PORT 10,0,0,1,242,100");
        assertThat(AddressTranslation.activeCommand(InetAddress.getByName("2001:db8::1"), 62052))
                .isEqualTo("EPRT |2|2001:db8::1|62052|");
    }

    @Test
    void aServersPassiveReplyGivesOnlyItsPort() throws Exception {
        InetAddress server = InetAddress.getByName("10.0.0.5");
        var own = AddressTranslation.serverTarget("PASV", FtpReply.of(227, "Entering Passive Mode (10,0,0,5,195,80)"),
                server);
        assertThat(own.target()).isEqualTo(new InetSocketAddress(server, 50000));
        assertThat(own.foreignClaim()).isNull();
        // A hostile or NATed server naming another host: the gateway still connects to the server's address.
        var foreign = AddressTranslation.serverTarget("PASV",
                FtpReply.of(227, "Entering Passive Mode (192,0,2,66,0,23)"), server);
        assertThat(foreign.target()).isEqualTo(new InetSocketAddress(server, 23));
        assertThat(foreign.foreignClaim()).isEqualTo("227 Entering Passive Mode (192,0,2,66,0,23)");
        var epsv = AddressTranslation.serverTarget("EPSV",
                FtpReply.of(229, "Entering Extended Passive Mode (|||50001|)"), server);
        assertThat(epsv.target()).isEqualTo(new InetSocketAddress(server, 50001));
        assertThatThrownBy(() -> AddressTranslation.serverTarget("PASV", FtpReply.of(227, "no address"), server))
                .isInstanceOf(FtpSyntaxException.class);
    }
}
