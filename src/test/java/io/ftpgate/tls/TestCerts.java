package io.ftpgate.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Certificates written to a test's temporary directory, one subdirectory each. */
final class TestCerts {

    private TestCerts() {
    }

    /** A certificate for localhost and 127.0.0.1, valid for a day. */
    static SelfSigned.Written localhost(Path dir) throws IOException {
        return SelfSigned.write(dir.resolve("localhost"), List.of("localhost", "127.0.0.1"), SelfSigned.KeyType.EC_P256,
                Duration.ofDays(1));
    }

    static SelfSigned.Written named(Path dir, String name) throws IOException {
        return SelfSigned.write(dir.resolve(name), List.of(name), SelfSigned.KeyType.EC_P256, Duration.ofDays(1));
    }

    static SelfSigned.Written expired(Path dir) throws IOException {
        Instant now = Instant.now();
        return SelfSigned.writeTo(dir.resolve("expired"), SelfSigned.generate(List.of("localhost"),
                SelfSigned.KeyType.EC_P256, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))));
    }

    static ServerTls server(SelfSigned.Written cert, TlsSettings settings) throws TlsConfigException {
        return ServerTls.load(cert.certPem(), cert.keyPem(), null, settings);
    }

    static ClientTls pinnedClient(SelfSigned.Written serverCert, TlsSettings settings) throws TlsConfigException {
        return ClientTls.create(Trust.pinned(serverCert.fingerprintSha256()), null, null, settings);
    }

    static TlsSettings only(String protocol) {
        return TestProvider.settings().withProtocols(List.of(protocol));
    }
}
