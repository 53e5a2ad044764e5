package io.ftpgate.tls;

import static io.ftpgate.tls.TlsLink.ALLOC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ftpgate as a TLS client with each kind of trust, against a server with a self-signed certificate. */
class ClientTrustTest {

    @TempDir
    Path dir;

    private SelfSigned.Written cert;
    private ServerTls server;

    @BeforeEach
    void server() throws Exception {
        cert = TestCerts.localhost(dir);
        server = TestCerts.server(cert, TestProvider.settings());
    }

    private TlsLink connect(Trust trust, String host) throws TlsConfigException {
        ClientTls client = ClientTls.create(trust, null, null, TestProvider.settings());
        return TlsLink.handshake(client.forSession().control(ALLOC, host, 21), server.newHandler(ALLOC));
    }

    @Test
    void pinnedTrustAcceptsTheRightFingerprintInAnySpellingAndWhateverTheName() throws Exception {
        String bare = cert.fingerprintSha256().replace(":", "").toLowerCase(Locale.ROOT);
        assertThat(connect(Trust.pinned(cert.fingerprintSha256()), "localhost").succeeded()).isTrue();
        assertThat(connect(Trust.pinned(bare), "localhost").succeeded()).isTrue();
        // A pin names the certificate itself: the name the server was reached by is not checked.
        assertThat(connect(Trust.pinned(bare), "ftp.elsewhere.example").succeeded()).isTrue();
    }

    @Test
    void pinnedTrustRefusesAnyOtherCertificate() throws Exception {
        SelfSigned.Written other = TestCerts.named(dir, "localhost-too");
        TlsLink link = connect(Trust.pinned(other.fingerprintSha256()), "localhost");
        assertThat(link.succeeded()).isFalse();
        assertThat(TlsLink.messages(link.clientFailure())).contains("not the pinned " + other.fingerprintSha256())
                .contains("has SHA-256 " + cert.fingerprintSha256());
    }

    @Test
    void aPinMustBeASha256Fingerprint() {
        assertThatThrownBy(() -> Trust.pinned("AB:CD")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> Trust.pinned("zz".repeat(32))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void caFileTrustAcceptsACertificateItVouchesFor() throws Exception {
        assertThat(connect(Trust.caFile(cert.certPem()), "localhost").succeeded()).isTrue();
    }

    @Test
    void caFileTrustRefusesACertificateOfAnotherIssuer() throws Exception {
        SelfSigned.Written otherCa = TestCerts.named(dir, "other-ca");
        TlsLink link = connect(Trust.caFile(otherCa.certPem()), "localhost");
        assertThat(link.succeeded()).isFalse();
        assertThat(TlsLink.messages(link.clientFailure())).contains("PKIX path building failed");
    }

    @Test
    void hostNamesAreVerifiedWithCaTrust() throws Exception {
        TlsLink link = connect(Trust.caFile(cert.certPem()), "ftp.example.net");
        assertThat(link.succeeded()).isFalse();
        assertThat(TlsLink.messages(link.clientFailure())).contains("ftp.example.net");
        // An address is checked against the certificate's IP addresses.
        assertThat(connect(Trust.caFile(cert.certPem()), "127.0.0.1").succeeded()).isTrue();
        assertThat(connect(Trust.caFile(cert.certPem()), "127.0.0.2").succeeded()).isFalse();
    }

    @Test
    void systemTrustRefusesASelfSignedCertificate() throws Exception {
        TlsLink link = connect(Trust.system(), "localhost");
        assertThat(link.succeeded()).isFalse();
        assertThat(TlsLink.messages(link.clientFailure())).contains("PKIX path building failed");
    }

    @Test
    void insecureTrustAcceptsAnythingAndSaysSo() throws Exception {
        assertThat(connect(Trust.insecure(), "ftp.example.net").succeeded()).isTrue();
        ClientTls client = ClientTls.create(Trust.insecure(), null, null, TestProvider.settings());
        assertThat(client.warnings()).singleElement().asString().contains("NOT verified");
        assertThat(ClientTls.create(Trust.system(), null, null, TestProvider.settings()).warnings()).isEmpty();
    }

    @Test
    void sniCarriesAHostNameButNeverAnAddress() throws Exception {
        Trust pin = Trust.pinned(cert.fingerprintSha256());
        assertThat(requestedNames(connect(pin, "localhost"))).containsExactly(new SNIHostName("localhost"));
        assertThat(requestedNames(connect(pin, "ftp.example.net."))).containsExactly(new SNIHostName("ftp.example.net"));
        assertThat(requestedNames(connect(pin, "127.0.0.1"))).isEmpty();
        assertThat(requestedNames(connect(pin, "::1"))).isEmpty();
    }

    private static List<SNIServerName> requestedNames(TlsLink link) {
        assertThat(link.succeeded()).isTrue();
        return ((ExtendedSSLSession) link.serverTls.engine().getSession()).getRequestedServerNames();
    }

    @Test
    void dataConnectionsMustBeKeyedByTheControlConnection() throws Exception {
        SessionTls session = TestCerts.pinnedClient(cert, TestProvider.settings()).forSession();
        session.control(ALLOC, "FTP.example.net", 21);
        assertThat(session.data(ALLOC, "ftp.example.net", 21)).isNotNull();
        assertThatThrownBy(() -> session.data(ALLOC, "192.0.2.7", 50123)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ftp.example.net:21");
    }

    @Test
    void aClientCertificateNeedsBothFiles() {
        assertThatThrownBy(() -> ClientTls.create(Trust.system(), cert.certPem(), null, TestProvider.settings()))
                .isInstanceOf(TlsConfigException.class).hasMessageContaining("both");
    }

    @Test
    void aMissingCaFileIsNamed() {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> ClientTls.create(Trust.caFile(missing), null, null, TestProvider.settings()))
                .isInstanceOf(TlsConfigException.class).hasMessage("CA file " + missing + ": not found");
    }
}
