package io.ftpgate.tls;

import static io.ftpgate.tls.TlsLink.ALLOC;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data connections resume their control connection's TLS session (RFC 4217), and ftpgate can tell: on the
 * server side ({@link ServerTls#resumedFrom}) and on the client side ({@link TlsFacts#resumed()}), under TLS 1.3
 * and TLS 1.2, with JDK clients and servers on both ends. Each test runs once per protocol version.
 */
class ResumptionTest {

    private static final int DATA_CONNECTIONS = 5;

    @TempDir
    Path dir;

    private SelfSigned.Written cert;
    private TlsSettings settings;
    private ServerTls server;
    private ClientTls client;

    /** One FTP session: its TLS toward the server and its control link. */
    private record Session(SessionTls tls, TlsLink control) {
    }

    /** The gateway's TLS on both sides, restricted to {@code protocol}, and one FTP session's control link. */
    private Session start(String protocol) throws Exception {
        settings = TestCerts.only(protocol);
        cert = TestCerts.localhost(dir);
        server = TestCerts.server(cert, settings);
        client = TestCerts.pinnedClient(cert, settings);
        return open();
    }

    private Session open() {
        SessionTls tls = client.forSession();
        TlsLink control = TlsLink.handshake(tls.control(ALLOC, "localhost", 21), server.newHandler(ALLOC));
        assertThat(control.succeeded()).as("control handshake").isTrue();
        return new Session(tls, control);
    }

    /** A data connection of {@code s}, not started yet. */
    private TlsLink dataLink(Session s) {
        return TlsLink.unstarted(s.tls().data(ALLOC, "localhost", 21),
                server.newDataHandler(ALLOC, s.control().serverTls));
    }

    private TlsLink data(Session s) {
        return dataLink(s).pump();
    }

    /**
     * BoringSSL (the OpenSSL provider) issues two TLS 1.3 tickets per full handshake, the JDK one: with two, a
     * second data connection still has an unused one (its client cache offers each once, like the JDK's).
     */
    private static boolean twoTicketsAtLogin() {
        return TestProvider.get() == TlsSettings.Provider.OPENSSL;
    }

    private boolean resumedControl(TlsLink data, Session s) {
        return server.resumedFrom(data.serverTls, s.control().serverTls);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void everyDataConnectionOfASequenceResumesTheControlSession(String protocol) throws Exception {
        Session s = start(protocol);
        assertThat(TlsFacts.of(s.control().serverTls).resumed()).isFalse();
        assertThat(TlsFacts.of(s.control().clientTls).resumed()).isFalse();

        List<String> seen = new ArrayList<>();
        for (int i = 1; i <= DATA_CONNECTIONS; i++) {
            TlsLink data = data(s);
            assertThat(data.succeeded()).isTrue();
            TlsFacts serverSide = TlsFacts.of(data.serverTls);
            TlsFacts clientSide = TlsFacts.of(data.clientTls);
            seen.add(i + ":" + serverSide.protocol() + ":" + serverSide.resumed() + ":" + clientSide.resumed() + ":"
                    + resumedControl(data, s));
            data.close(); // the ticket of this connection arrived before it closed (pump runs to quiet)
        }
        // Under TLS 1.3 the JDK client offers each ticket once: all five resumed only because each data
        // connection offered the newest ticket, the one the previous connection brought.
        assertThat(seen).containsExactly(
                "1:" + protocol + ":true:true:true", "2:" + protocol + ":true:true:true",
                "3:" + protocol + ":true:true:true", "4:" + protocol + ":true:true:true",
                "5:" + protocol + ":true:true:true");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aFreshClientIsNotTakenForAResumingOne(String protocol) throws Exception {
        Session s = start(protocol);
        // A data connection from another TLS context (a thief with the right address, or a client without
        // session reuse) makes a full handshake.
        TlsLink stranger = TlsLink.handshake(client.forSession().data(ALLOC, "localhost", 21),
                server.newDataHandler(ALLOC, s.control().serverTls));
        assertThat(stranger.succeeded()).isTrue();
        assertThat(TlsFacts.of(stranger.serverTls).resumed()).isFalse();
        assertThat(TlsFacts.of(stranger.clientTls).resumed()).isFalse();
        assertThat(resumedControl(stranger, s)).isFalse();
        // The control connection did not resume itself.
        assertThat(resumedControl(s.control(), s)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void twoFtpSessionsNeverResumeEachOthersTlsSessions(String protocol) throws Exception {
        Session alice = start(protocol);
        Session bob = open(); // same server host and port: one shared cache would mix them up
        for (int i = 0; i < 2; i++) {
            TlsLink a = data(alice);
            TlsLink b = data(bob);
            assertThat(List.of(resumedControl(a, alice), resumedControl(b, bob), resumedControl(a, bob),
                    resumedControl(b, alice))).containsExactly(true, true, false, false);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aDataConnectionOfAnotherServerTlsDoesNotCount(String protocol) throws Exception {
        Session s = start(protocol);
        ServerTls reloaded = TestCerts.server(cert, settings);
        // After a reload: the new context cannot resume the old one's sessions.
        TlsLink data = TlsLink.handshake(s.tls().data(ALLOC, "localhost", 21),
                reloaded.newDataHandler(ALLOC, s.control().serverTls));
        assertThat(data.succeeded()).isTrue();
        assertThat(TlsFacts.of(data.serverTls).resumed()).isFalse();
        assertThat(server.resumedFrom(data.serverTls, s.control().serverTls)).isFalse();
        assertThat(reloaded.resumedFrom(data.serverTls, s.control().serverTls)).isFalse();
    }

    /**
     * Why the newest ticket matters: the JDK client offers a TLS 1.3 ticket only once, so two data connections
     * started before either has its new ticket cannot both resume (TLS 1.2 sessions are offered again and again).
     */
    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void underTls13ATicketIsOfferedOnce(String protocol) throws Exception {
        Session s = start(protocol);
        TlsLink first = dataLink(s);
        TlsLink second = dataLink(s); // its ClientHello is written now, before the first one's ticket exists
        first.pump();
        second.pump();
        assertThat(resumedControl(first, s)).isTrue();
        assertThat(resumedControl(second, s)).isEqualTo(protocol.equals("TLSv1.2") || twoTicketsAtLogin());
    }

    /**
     * The limit this sets: a TLS 1.3 data connection whose ticket never reaches the client (its server records
     * after the handshake are lost here) leaves the next data connection nothing to offer.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void underTls13ALostTicketEndsTheChain(String protocol) throws Exception {
        Session s = start(protocol);
        TlsLink lost = dataLink(s);
        lost.holdToClient(b -> !lost.clientTls.handshakeFuture().isDone()).pump();
        assertThat(resumedControl(lost, s)).isTrue();

        TlsLink next = data(s);
        assertThat(next.succeeded()).isTrue();
        assertThat(resumedControl(next, s)).isEqualTo(protocol.equals("TLSv1.2") || twoTicketsAtLogin());
    }

    /**
     * ftpgate as a TLS client waits for the server's close_notify after sending its own, and so reads a ticket
     * that arrives after it closed a data connection (an empty upload closes right after the handshake).
     */
    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aDataConnectionClosedRightAfterItsHandshakeStillGetsItsTicket(String protocol) throws Exception {
        Session s = start(protocol);
        TlsLink upload = dataLink(s);
        // Deliver the server's records only up to the client's end of the handshake, then close at once.
        upload.holdToClient(b -> !upload.clientTls.handshakeFuture().isDone()).pump();
        upload.client.close();
        upload.releaseHeld().pump(); // the ticket arrives after the close_notify went out

        assertThat(resumedControl(data(s), s)).isTrue();
    }

    /**
     * Each client of one provider against a server of the other, under TLS 1.3 with one ticket per handshake
     * (the JDK server's): every data connection must keep the ticket it brought, or the second one has none
     * left. This is what vsftpd (OpenSSL, which sends one ticket per resumed connection) needs of ftpgate.
     */
    @ParameterizedTest
    @ValueSource(strings = {"JDK", "OPENSSL"})
    void eachDataConnectionsTicketServesTheNextWhateverTheServersProvider(String clientProvider) throws Exception {
        TlsSettings.Provider c = TlsSettings.Provider.valueOf(clientProvider);
        TlsSettings.Provider other = c == TlsSettings.Provider.JDK ? TlsSettings.Provider.OPENSSL : TlsSettings.Provider.JDK;
        settings = TestCerts.only("TLSv1.3");
        cert = TestCerts.localhost(dir);
        server = TestCerts.server(cert, settings.withProvider(other));
        client = TestCerts.pinnedClient(cert, settings.withProvider(c));
        Session s = open();
        List<Boolean> resumed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // As an empty upload: the client closes as soon as its handshake is done, before the server's ticket.
            TlsLink upload = dataLink(s);
            upload.holdToClient(b -> !upload.clientTls.handshakeFuture().isDone()).pump();
            resumed.add(TlsFacts.of(upload.clientTls).resumed());
            upload.client.close();
            upload.releaseHeld().pump();
        }
        assertThat(resumed).containsExactly(true, true, true, true);
    }
}
