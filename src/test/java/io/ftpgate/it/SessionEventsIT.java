package io.ftpgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.config.Timeouts;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.event.SessionEvent.Side;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The typed session events a subscriber (metrics, a live view) relies on: each lifecycle comes as a pair, in
 * order, with the same session, and a transfer's bytes are counted per direction.
 */
class SessionEventsIT {

    private static <T extends SessionEvent> List<T> of(GatewayFixture gw, Class<T> type) {
        return gw.events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static void awaitClosed(GatewayFixture gw) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (of(gw, SessionEvent.Closed.class).isEmpty() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }

    @Test
    void aDownloadAndAnUploadPublishPairedEventsWithBytesEachWay() throws Exception {
        byte[] upload = "forty-two bytes from the client, uploaded.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (ScriptedFtpServer server = new ScriptedFtpServer();
                GatewayFixture gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", server.port())
                        .dataPorts(56000, 57000).start()) {
            try (RawFtp ftp = RawFtp.open(gw.address())) {
                ftp.login("alice", "secret"); // anonymous users may not write by default
                int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
                try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                    assertThat(ftp.cmd("RETR file.bin").code()).isEqualTo(150);
                    assertThat(RawFtp.readAll(d)).isEqualTo(server.retrData);
                }
                assertThat(ftp.read().code()).isEqualTo(226);
                port = RawFtp.epsvPort(ftp.cmd("EPSV"));
                try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
                    assertThat(ftp.cmd("STOR up.bin").code()).isEqualTo(150);
                    d.getOutputStream().write(upload);
                }
                assertThat(ftp.read().code()).isEqualTo(226);
                ftp.cmd("QUIT");
            }
            awaitClosed(gw);
            String session = of(gw, SessionEvent.Opened.class).get(0).origin().session();
            assertThat(gw.events).allMatch(e -> e.origin().session().equals(session));
            assertThat(gw.events.get(0)).isInstanceOf(SessionEvent.Opened.class);
            assertThat(gw.events.get(gw.events.size() - 1)).isInstanceOf(SessionEvent.Closed.class);
            assertThat(of(gw, SessionEvent.Login.class)).singleElement()
                    .satisfies(l -> assertThat(l.outcome()).isEqualTo("ok"));

            List<SessionEvent.PinholeArmed> armed = of(gw, SessionEvent.PinholeArmed.class);
            List<SessionEvent.PinholeConsumed> consumed = of(gw, SessionEvent.PinholeConsumed.class);
            assertThat(armed).hasSize(2).allMatch(a -> a.side() == Side.CLIENT);
            assertThat(consumed).extracting(SessionEvent.PinholeConsumed::port)
                    .containsExactlyElementsOf(armed.stream().map(SessionEvent.PinholeArmed::port).toList());
            assertThat(of(gw, SessionEvent.PinholeExpired.class)).isEmpty();

            assertThat(of(gw, SessionEvent.TransferStarted.class)).extracting(SessionEvent.TransferStarted::command)
                    .containsExactly("RETR", "STOR");
            List<SessionEvent.TransferFinished> done = of(gw, SessionEvent.TransferFinished.class);
            assertThat(done).hasSize(2).allMatch(f -> f.outcome().equals("ok") && f.reply() == 226
                    && f.dataPath().equals("relay") && f.clientMode().equals("EPSV"));
            assertThat(done.get(0).serverToClientBytes()).isEqualTo(server.retrData.length);
            assertThat(done.get(0).clientToServerBytes()).isZero();
            assertThat(done.get(1).clientToServerBytes()).isEqualTo(upload.length);
            assertThat(done.get(1).serverToClientBytes()).isZero();
            // Each transfer's start comes before its end.
            assertThat(gw.events.indexOf(of(gw, SessionEvent.TransferStarted.class).get(1)))
                    .isGreaterThan(gw.events.indexOf(done.get(0))).isLessThan(gw.events.indexOf(done.get(1)));

            SessionEvent.Closed closed = of(gw, SessionEvent.Closed.class).get(0);
            assertThat(closed.transfers()).isEqualTo(2);
            assertThat(closed.bytes()).isEqualTo(server.retrData.length + upload.length);
        }
    }

    @Test
    void anUnusedPinholeExpiresAndIsRefused() throws Exception {
        try (ScriptedFtpServer server = new ScriptedFtpServer();
                GatewayFixture gw = GatewayFixture.builder("127.0.0.1").upstream("127.0.0.1", server.port())
                        .dataPorts(56100, 57100).timeouts(Timeouts.DEFAULTS.withPinhole(Duration.ofMillis(200)))
                        .start();
                RawFtp ftp = RawFtp.open(gw.address())) {
            ftp.login("anonymous", "events@example.org");
            int port = RawFtp.epsvPort(ftp.cmd("EPSV"));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (of(gw, SessionEvent.PinholeExpired.class).isEmpty() && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(of(gw, SessionEvent.PinholeExpired.class)).singleElement()
                    .satisfies(e -> assertThat(e.port()).isEqualTo(port))
                    .satisfies(e -> assertThat(e.side()).isEqualTo(Side.CLIENT));
            assertThat(of(gw, SessionEvent.PinholeConsumed.class)).isEmpty();
            assertThat(of(gw, SessionEvent.Refused.class)).anySatisfy(r -> {
                assertThat(r.reason()).isEqualTo(Reason.PINHOLE_EXPIRED);
                assertThat(r.side()).isEqualTo(Side.CLIENT);
            });
            assertThat(gw.audit.events()).anySatisfy(a -> {
                assertThat(a.get("reason")).isEqualTo("pinhole-expired");
                assertThat(a.get("side")).isEqualTo("client");
            });
        }
    }
}
