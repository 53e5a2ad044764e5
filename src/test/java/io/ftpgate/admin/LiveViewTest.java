package io.ftpgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.event.SessionEvent.Origin;
import io.ftpgate.event.SessionEvent.Side;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The live view rebuilt from events alone: rows, pinholes, refusals, totals, and what it forgets. */
class LiveViewTest {

    private static final Origin A = new Origin("a1", "198.51.100.7:40000");
    private static final Origin B = new Origin("b2", "198.51.100.8:40001");
    private final LiveView live = new LiveView(Clock.fixed(Instant.ofEpochSecond(1_800_000_000), ZoneOffset.UTC));

    @Test
    void aSessionRowFollowsItsEvents() {
        live.accept(new SessionEvent.Opened(A, "public", "reverse", "203.0.113.10:21"));
        live.accept(new SessionEvent.UpstreamConnected(A, "192.0.2.10:21", 1_000_000));
        live.accept(new SessionEvent.TlsEstablished(A, Side.CLIENT, "TLSv1.3", "TLS_AES_128_GCM_SHA256", false, null));
        live.accept(new SessionEvent.Login(A, "alice", "192.0.2.10:21", "ok", 230, "full"));
        live.accept(new SessionEvent.PinholeArmed(A, Side.CLIENT, 61000));
        live.accept(new SessionEvent.TransferStarted(A, "RETR", "EPSV"));
        LiveView.SessionRow during = live.snapshot().sessions().get(0);
        assertThat(during.state()).isEqualTo("transfer RETR");
        assertThat(live.snapshot().pinholes()).singleElement().satisfies(p -> {
            assertThat(p.port()).isEqualTo(61000);
            assertThat(p.side()).isEqualTo("client");
        });
        live.accept(new SessionEvent.PinholeConsumed(A, Side.CLIENT, 61000));
        live.accept(new SessionEvent.TransferFinished(A, "alice", "192.0.2.10:21", "RETR", "/f", "EPSV", "PASV", 3,
                4096, 12, "ok", 226, null, "relay"));

        LiveView.Snapshot s = live.snapshot();
        assertThat(s.pinholes()).isEmpty();
        assertThat(s.sessions()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo("a1");
            assertThat(r.listener()).isEqualTo("public");
            assertThat(r.client()).isEqualTo("198.51.100.7:40000");
            assertThat(r.user()).isEqualTo("alice");
            assertThat(r.destination()).isEqualTo("192.0.2.10:21");
            assertThat(r.tlsClient()).isEqualTo("TLSv1.3");
            assertThat(r.tlsServer()).isNull();
            assertThat(r.state()).isEqualTo("logged-in");
            assertThat(r.transfers()).isEqualTo(1);
            assertThat(r.bytesFromClient()).isEqualTo(3);
            assertThat(r.bytesFromServer()).isEqualTo(4096);
        });
        assertThat(s.totals()).isEqualTo(new LiveView.Totals(1, 1, 4099, 0));
        assertThat(live.activeByListener()).containsExactly(java.util.Map.entry("public", 1L));
        assertThat(live.rates().transfers()[RateHistory.WINDOW_SECONDS - 1]).isEqualTo(1);
    }

    @Test
    void aClosedSessionTakesItsPinholesAlongAndRefusalsAreKeptNewestFirst() {
        live.accept(new SessionEvent.Opened(A, "public", "reverse", "203.0.113.10:21"));
        live.accept(new SessionEvent.Opened(B, "public", "reverse", "203.0.113.10:21"));
        live.accept(new SessionEvent.PinholeArmed(A, Side.CLIENT, 61000));
        live.accept(new SessionEvent.PinholeArmed(A, Side.SERVER, 62000));
        live.accept(new SessionEvent.PinholeArmed(B, Side.CLIENT, 61001));
        assertThat(live.pinholesBySide()).containsEntry(Side.CLIENT, 2L).containsEntry(Side.SERVER, 1L);
        live.accept(new SessionEvent.Closed(A, "client-quit", null, null, 5, 0, 0));
        assertThat(live.pinholesBySide()).containsEntry(Side.CLIENT, 1L).containsEntry(Side.SERVER, 0L);
        assertThat(live.snapshot().sessions()).extracting(LiveView.SessionRow::id).containsExactly("b2");
        assertThat(live.listenerOf("a1")).isNull();

        for (int i = 0; i < LiveView.RECENT_REFUSALS + 5; i++) {
            live.accept(new SessionEvent.Refused(B, Reason.COMMAND_UNKNOWN, null, "XYZ" + i, 502, true, null, null));
        }
        LiveView.Snapshot s = live.snapshot();
        assertThat(s.refusals()).hasSize(LiveView.RECENT_REFUSALS);
        assertThat(s.refusals().get(0).input()).isEqualTo("XYZ" + (LiveView.RECENT_REFUSALS + 4));
        assertThat(s.refusals().get(0).reason()).isEqualTo("command-unknown");
        assertThat(s.totals().refusals()).isEqualTo(LiveView.RECENT_REFUSALS + 5);
    }

    @Test
    void eventsOfAnUnknownSessionChangeNoRow() {
        live.accept(new SessionEvent.Login(A, "alice", null, "ok", 230, "full"));
        live.accept(new SessionEvent.Closed(A, "client-quit", null, null, 5, 0, 0));
        assertThat(live.snapshot().sessions()).isEmpty();
    }

    @Test
    void theJsonOfAnEventNamesItsTypeAndReasonCode() {
        String json = Json.event(new SessionEvent.Refused(A, Reason.PORT_FOREIGN_ADDRESS, Side.CLIENT,
                "PORT 127,0,0,2,0,80", 501, true, "alice", null));
        assertThat(json).startsWith("{\"type\":\"refused\",\"origin\":{\"session\":\"a1\"")
                .contains("\"reason\":\"port-foreign-address\"", "\"side\":\"client\"");
        assertThat(Json.type(new SessionEvent.TransferFinished(A, null, null, "RETR", null, null, null, 0, 0, 0,
                "ok", 226, null, "relay"))).isEqualTo("transfer-finished");
    }
}
