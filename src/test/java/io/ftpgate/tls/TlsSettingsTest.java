package io.ftpgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TlsSettingsTest {

    @Test
    void theDefaultsAreTls13And12TenSecondsAndTheJdk() {
        TlsSettings d = TlsSettings.defaults();
        assertThat(d.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(d.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        // OpenSSL is opt-in until its data-connection resumption toward vsftpd is as reliable (TlsSettings).
        assertThat(d.provider()).isEqualTo(TlsSettings.Provider.JDK);
    }

    @Test
    void protocolNamesAreCanonicalisedAndRepeatsDropped() {
        assertThat(TlsSettings.defaults().withProtocols(List.of(" tlsv1.2", "TLSv1.2", "TLSV1.3")).protocols())
                .containsExactly("TLSv1.2", "TLSv1.3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SSLv3", "TLSv1", "TLSv1.1", "tlsv1.0", "SSLv2Hello"})
    void versionsOlderThanTls12AreRefusedByName(String old) {
        assertThatThrownBy(() -> TlsSettings.defaults().withProtocols(List.of("TLSv1.3", old)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TLS protocol " + old + " is older than TLSv1.2 and not supported: it has known weaknesses"
                        + " (RFC 8996); use TLSv1.3 and/or TLSv1.2");
    }

    @Test
    void unknownNamesAndEmptyListsAreRefused() {
        assertThatThrownBy(() -> TlsSettings.defaults().withProtocols(List.of("TLSv1.4")))
                .hasMessage("unknown TLS protocol 'TLSv1.4'; expected TLSv1.3 or TLSv1.2");
        assertThatThrownBy(() -> TlsSettings.defaults().withProtocols(List.of())).hasMessageContaining("at least one");
    }

    @Test
    void theHandshakeTimeoutMustBePositive() {
        assertThatThrownBy(() -> TlsSettings.defaults().withHandshakeTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TlsSettings.defaults().withHandshakeTimeout(Duration.ofSeconds(3)).handshakeTimeout())
                .isEqualTo(Duration.ofSeconds(3));
    }
}
