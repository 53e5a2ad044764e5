package io.ftpgate.auditor;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.protocol.FtpReply;
import org.junit.jupiter.api.Test;

class GreetingCheckTest {

    @Test
    void productsAndVersionsAreDisclosures() {
        assertThat(GreetingCheck.disclosed("(vsFTPd 3.0.3)")).contains("vsFTPd 3.0.3");
        assertThat(GreetingCheck.disclosed("pyftpdlib 1.5.7 ready.")).contains("pyftpdlib 1.5.7");
        assertThat(GreetingCheck.disclosed("ProFTPD Server (Debian)")).contains("ProFTPD");
        assertThat(GreetingCheck.disclosed("Welcome to FooFTP 2.1")).contains("2.1");
        assertThat(GreetingCheck.disclosed("UNIX Type: Apache FtpServer")).contains("Apache FtpServer");
    }

    @Test
    void neutralTextsAndAddressesAreNot() {
        assertThat(GreetingCheck.disclosed("Service ready for new user.")).isEmpty();
        assertThat(GreetingCheck.disclosed("UNIX Type: L8")).isEmpty();
        assertThat(GreetingCheck.disclosed("Welcome, you are 10.0.0.1")).isEmpty();
    }

    @Test
    void eprtUnknownVersusRefused() {
        assertThat(BounceCheck.unsupported(FtpReply.of(502, "Command not implemented."))).isTrue();
        assertThat(BounceCheck.unsupported(FtpReply.of(500, "Unknown command."))).isTrue();
        assertThat(BounceCheck.unsupported(FtpReply.of(500, "'EPRT': command not understood."))).isTrue();
        assertThat(BounceCheck.unsupported(FtpReply.of(500, "Illegal EPRT command."))).isFalse();
        assertThat(BounceCheck.unsupported(FtpReply.of(501, "Rejected data connection"))).isFalse();
    }
}
