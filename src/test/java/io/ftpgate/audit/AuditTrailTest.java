package io.ftpgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.event.SessionEvent.Side;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit log's records, field for field and in order, from the typed events (README "Audit log"). */
class AuditTrailTest {

    private static final SessionEvent.Origin O = new SessionEvent.Origin("s1", "198.51.100.7:40000");

    private static List<String> keys(SessionEvent e) {
        AuditEvent r = AuditTrail.toRecord(e);
        return r == null ? null : new ArrayList<>(r.fields().keySet());
    }

    @Test
    void eachAuditedEventBecomesItsRecordWithTheDocumentedFields() {
        assertThat(keys(new SessionEvent.Opened(O, "public", "reverse", "203.0.113.10:21")))
                .containsExactly("ts", "event", "session", "client", "listener", "placement", "gateway");
        assertThat(keys(new SessionEvent.Closed(O, "client-quit", "alice", "10.0.0.5:21", 12, 1, 42)))
                .containsExactly("ts", "event", "session", "client", "reason", "user", "destination", "duration-ms",
                        "transfers", "bytes");
        assertThat(keys(new SessionEvent.Login(O, "alice", "10.0.0.5:21", "ok", 230, "full", "ftp1.example.net:21",
                "round-robin")))
                .containsExactly("ts", "event", "session", "client", "user", "destination", "outcome", "reply",
                        "profile", "upstream", "upstream-policy");
        assertThat(keys(new SessionEvent.Refused(O, Reason.PORT_FOREIGN_ADDRESS, null, "PORT 127,0,0,2,195,80", 501,
                true, "anonymous", "10.0.0.5:21"))).containsExactly("ts", "event", "session", "client", "reason",
                        "input", "reply", "enforced", "user", "destination");
        assertThat(keys(new SessionEvent.Refused(O, Reason.DATA_PEER_MISMATCH, Side.SERVER, "10.0.0.9:4000", null,
                null, null, null))).containsExactly("ts", "event", "session", "client", "reason", "side", "input");
        assertThat(keys(new SessionEvent.FxpAllowed(O, "PORT", "203.0.113.7:50000")))
                .containsExactly("ts", "event", "session", "client", "verb", "peer");
        assertThat(keys(new SessionEvent.TransferFinished(O, "alice", "10.0.0.5:21", "RETR", "f", "EPSV", "PASV", 0,
                12, 54, "ok", 226, null, "relay"))).containsExactly("ts", "event", "session", "client", "user",
                        "destination", "command", "path", "client-mode", "server-mode", "bytes", "duration-ms",
                        "outcome", "reply", "data-path");
    }

    @Test
    void valuesAreTheAuditLogsOwn() {
        AuditEvent refused = AuditTrail.toRecord(new SessionEvent.Refused(O, Reason.PINHOLE_EXPIRED, Side.CLIENT,
                null, null, null, null, null));
        assertThat(refused.event()).isEqualTo("refused");
        assertThat(refused.get("reason")).isEqualTo("pinhole-expired");
        assertThat(refused.get("side")).isEqualTo("client");
        AuditEvent transfer = AuditTrail.toRecord(new SessionEvent.TransferFinished(O, null, null, "STOR", "up",
                "PORT", "PASV", 40, 2, 7, "failed", 426, "client leg: reset", "kernel"));
        assertThat(transfer.get("bytes")).isEqualTo(42L);
        assertThat(transfer.get("detail")).isEqualTo("client leg: reset");
        assertThat(transfer.get("data-path")).isEqualTo("kernel");
        assertThat(transfer.get("session")).isEqualTo("s1");
        assertThat(transfer.get("client")).isEqualTo("198.51.100.7:40000");
    }

    @Test
    void lifecycleEventsForMetricsAreNotWritten() {
        List<AuditEvent> written = new ArrayList<>();
        AuditTrail trail = new AuditTrail(written::add);
        trail.accept(new SessionEvent.PinholeArmed(O, Side.CLIENT, 61000));
        trail.accept(new SessionEvent.PinholeConsumed(O, Side.CLIENT, 61000));
        trail.accept(new SessionEvent.PinholeExpired(O, Side.SERVER, 62000));
        trail.accept(new SessionEvent.TransferStarted(O, "RETR", "EPSV"));
        assertThat(written).isEmpty();
    }
}
