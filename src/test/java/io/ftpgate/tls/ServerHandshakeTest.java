package io.ftpgate.tls;

import static io.ftpgate.tls.TlsLink.ALLOC;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.Socket;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ftpgate as a TLS server: versions, client certificates, renegotiation, timeouts, and what it reports. */
class ServerHandshakeTest {

    @TempDir
    Path dir;

    private SelfSigned.Written cert;

    @BeforeEach
    void cert() throws Exception {
        cert = TestCerts.localhost(dir);
    }

    private TlsLink handshake(ServerTls server, ClientTls client) {
        return TlsLink.handshake(client.forSession().control(ALLOC, "localhost", 21), server.newHandler(ALLOC));
    }

    @Test
    void theDefaultsNegotiateTls13AndTheFactsSaySo() throws Exception {
        TlsLink link = handshake(TestCerts.server(cert, TestProvider.settings()),
                TestCerts.pinnedClient(cert, TestProvider.settings()));
        assertThat(link.succeeded()).isTrue();
        TlsFacts server = TlsFacts.of(link.serverTls);
        TlsFacts client = TlsFacts.of(link.clientTls);
        assertThat(server.protocol()).isEqualTo("TLSv1.3");
        assertThat(server.cipherSuite()).startsWith("TLS_AES_").isEqualTo(client.cipherSuite());
        assertThat(server.resumed()).isFalse();
        assertThat(server.peerSubject()).isNull();
        assertThat(client.peerSubject()).isEqualTo("CN=localhost");
        link.clientWrites("USER alice\r\n");
        assertThat(link.serverRead).hasToString("USER alice\r\n");
    }

    /** A real TLS 1.1 ClientHello (the JDK client itself can no longer send one) gets a protocol_version alert. */
    @Test
    void aTls11ClientIsRefused() throws Exception {
        ServerTls server = TestCerts.server(cert, TestProvider.settings());
        SslHandler tls = server.newHandler(ALLOC);
        EmbeddedChannel ch = TlsLink.channel(tls, new StringBuilder(), new ArrayList<>());
        ch.writeInbound(tls11ClientHello());
        ch.runPendingTasks();
        assertThat(tls.handshakeFuture().isSuccess()).isFalse();
        // The JDK names the version; BoringSSL says UNSUPPORTED_PROTOCOL.
        assertThat(TlsLink.messages(tls.handshakeFuture().cause())).containsAnyOf("TLSv1.1", "UNSUPPORTED_PROTOCOL");
        ByteBuf alert = ch.readOutbound();
        // Alert record, fatal (2), protocol_version (70).
        assertThat(ByteBufUtil.hexDump(alert)).startsWith("15").endsWith("0246");
        alert.release();
        ch.finishAndReleaseAll();
    }

    /** ClientHello of TLS 1.1: client_version 3.2, two CBC suites, nothing newer offered. */
    private static ByteBuf tls11ClientHello() {
        ByteBuf body = Unpooled.buffer();
        body.writeShort(0x0302).writeBytes(new byte[32]).writeByte(0); // version, random, empty session id
        body.writeShort(4).writeShort(0xc013).writeShort(0x002f);      // ECDHE_RSA/RSA with AES_128_CBC_SHA
        body.writeByte(1).writeByte(0);                                // compression: null
        ByteBuf ext = Unpooled.buffer();
        ext.writeShort(0x000a).writeShort(4).writeShort(2).writeShort(0x0017); // supported_groups: secp256r1
        ext.writeShort(0x000b).writeShort(2).writeByte(1).writeByte(0);        // ec_point_formats: uncompressed
        body.writeShort(ext.readableBytes()).writeBytes(ext);
        ByteBuf record = Unpooled.buffer();
        record.writeByte(22).writeShort(0x0301).writeShort(body.readableBytes() + 4);
        record.writeByte(1).writeMedium(body.readableBytes()).writeBytes(body);
        return record;
    }

    @Test
    void aServerLimitedToTls12RefusesATls13OnlyClient() throws Exception {
        TlsLink link = handshake(TestCerts.server(cert, TestCerts.only("TLSv1.2")),
                TestCerts.pinnedClient(cert, TestCerts.only("TLSv1.3")));
        assertThat(link.succeeded()).isFalse();
        assertThat(link.serverFailure()).isNotNull();
        // And TLS 1.2 on both ends is fine.
        TlsLink twelve = handshake(TestCerts.server(cert, TestCerts.only("TLSv1.2")),
                TestCerts.pinnedClient(cert, TestProvider.settings()));
        assertThat(TlsFacts.of(twelve.serverTls).protocol()).isEqualTo("TLSv1.2");
    }

    @Test
    void aClientCertificateIsOptionalAndItsSubjectIsVisible() throws Exception {
        SelfSigned.Written alice = TestCerts.named(dir, "alice");
        ServerTls server = ServerTls.load(cert.certPem(), cert.keyPem(), alice.certPem(), TestProvider.settings());
        Trust pin = Trust.pinned(cert.fingerprintSha256());

        TlsLink withCert = handshake(server, ClientTls.create(pin, alice.certPem(), alice.keyPem(), TestProvider.settings()));
        assertThat(withCert.succeeded()).isTrue();
        assertThat(TlsFacts.of(withCert.serverTls).peerSubject()).isEqualTo("CN=alice");

        TlsLink without = handshake(server, ClientTls.create(pin, null, null, TestProvider.settings()));
        assertThat(without.succeeded()).isTrue();
        assertThat(TlsFacts.of(without.serverTls).peerSubject()).isNull();

        // A certificate the CA did not issue: the JDK client keeps it back (the server names its CA) ...
        SelfSigned.Written mallory = TestCerts.named(dir, "mallory");
        TlsLink keptBack = handshake(server, ClientTls.create(pin, mallory.certPem(), mallory.keyPem(),
                TestProvider.settings()));
        assertThat(TlsFacts.of(keptBack.serverTls).peerSubject()).isNull();
        // ... and a client that sends it anyway fails the handshake.
        TlsLink sent = TlsLink.handshake(insistingClient(mallory), server.newHandler(ALLOC));
        assertThat(sent.succeeded()).isFalse();
        assertThat(TlsLink.messages(sent.serverFailure())).contains("PKIX path building failed");
    }

    /** A client that presents its certificate whatever CAs the server asks for (as OpenSSL clients do). */
    private static SslHandler insistingClient(SelfSigned.Written own) throws Exception {
        Credentials c = Credentials.load(own.certPem(), own.keyPem(), "client certificate");
        X509Certificate[] chain = c.chain().toArray(X509Certificate[]::new);
        X509ExtendedKeyManager km = new X509ExtendedKeyManager() {
            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return "own";
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return "own";
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return chain;
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return c.key();
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {"own"};
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }
        };
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).keyManager(km)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).build().newHandler(ALLOC, "localhost", 21);
    }

    @Test
    void tls12RenegotiationIsRefused() throws Exception {
        // The client that tries is the JDK's whatever the provider under test: a BoringSSL client cannot start one.
        TlsLink link = handshake(TestCerts.server(cert, TestCerts.only("TLSv1.2")),
                TestCerts.pinnedClient(cert, TestCerts.only("TLSv1.2").withProvider(TlsSettings.Provider.JDK)));
        assertThat(link.succeeded()).isTrue();
        link.clientTls.renegotiate();
        link.pump();
        // ftpgate's own refusal (JDK provider: the server fails and closes) or BoringSSL's (OpenSSL provider: a
        // fatal no_renegotiation alert, on which the client closes).
        List<Throwable> refusals = new ArrayList<>(link.serverErrors);
        refusals.addAll(link.clientErrors);
        assertThat(refusals).isNotEmpty();
        assertThat(TlsLink.messages(refusals.get(0))).containsAnyOf("TLS renegotiation refused", "no_renegotiation");
        assertThat(link.server.isOpen() && link.client.isOpen()).isFalse();
    }

    @Test
    void aClientThatSaysNothingIsClosedAfterTheHandshakeTimeout() throws Exception {
        ServerTls server = TestCerts.server(cert, TestProvider.settings());
        SslHandler tls = server.newHandler(ALLOC);
        assertThat(tls.getHandshakeTimeoutMillis()).isEqualTo(10_000);
        EmbeddedChannel ch = TlsLink.channel(tls, new StringBuilder(), new ArrayList<>());
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(tls.handshakeFuture().cause()).isInstanceOf(SslHandshakeTimeoutException.class);
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void closeNotifyTimeoutsDifferBySide() throws Exception {
        SslHandler server = TestCerts.server(cert, TestProvider.settings()).newHandler(ALLOC);
        SslHandler client = TestCerts.pinnedClient(cert, TestProvider.settings()).forSession().control(ALLOC, "localhost", 21);
        assertThat(List.of(server.getCloseNotifyFlushTimeoutMillis(), server.getCloseNotifyReadTimeoutMillis()))
                .containsExactly(3000L, 0L);
        assertThat(List.of(client.getCloseNotifyFlushTimeoutMillis(), client.getCloseNotifyReadTimeoutMillis()))
                .containsExactly(3000L, 3000L);
    }

    /** AUTH TLS: the 234 reply, written after the handler is in place, still goes out in clear. */
    @Test
    void startTlsLetsTheReplyToAuthTlsOutInClear() throws Exception {
        ServerTls server = TestCerts.server(cert, TestProvider.settings());
        SslHandler tls = server.newHandler(ALLOC, true);
        EmbeddedChannel ch = TlsLink.channel(tls, new StringBuilder(), new ArrayList<>());
        ch.writeAndFlush(Unpooled.copiedBuffer("234 AUTH TLS OK.\r\n", StandardCharsets.US_ASCII));
        ByteBuf out = ch.readOutbound();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("234 AUTH TLS OK.\r\n");
        out.release();
        ch.finishAndReleaseAll();
    }
}
