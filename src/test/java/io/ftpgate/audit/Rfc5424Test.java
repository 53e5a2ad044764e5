package io.ftpgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import org.junit.jupiter.api.Test;

/** The syslog form of audit events (RFC 5424) and the journal's native form, byte for byte. */
class Rfc5424Test {

    private static final SessionEvent.Origin O = new SessionEvent.Origin("s1", "198.51.100.7:40000");
    private static final Rfc5424 HEADER = new Rfc5424("gw1.example", "ftpgate", "4242");

    private static AuditEvent refused(Boolean enforced) {
        return AuditTrail.toRecord(new SessionEvent.Refused(O, Reason.PORT_FOREIGN_ADDRESS, null,
                "PORT 127,0,0,2,195,80", 501, enforced, "anonymous", null)).with("ts", "2026-12-06T21:55:36.123456789Z");
    }

    @Test
    void anEnforcedRefusalIsAnAuthprivWarningWithTheEventAsMsgidAndTheJsonAsMsg() {
        AuditEvent e = refused(true);
        String json = DatagramAuditSink.json(e);
        assertThat(HEADER.format(e, json)).isEqualTo("<84>1 2026-12-06T21:55:36.123456Z gw1.example ftpgate 4242"
                + " refused - " + json);
        assertThat(json).isEqualTo("{\"ts\":\"2026-12-06T21:55:36.123456789Z\",\"event\":\"refused\",\"session\":\"s1\","
                + "\"client\":\"198.51.100.7:40000\",\"reason\":\"port-foreign-address\",\"input\":\"PORT"
                + " 127,0,0,2,195,80\",\"reply\":501,\"enforced\":true,\"user\":\"anonymous\"}");
    }

    @Test
    void severityFollowsWhatAnAdministratorMustLookAt() {
        assertThat(Rfc5424.severity(refused(true))).isEqualTo(Rfc5424.WARNING);
        assertThat(Rfc5424.severity(refused(false))).isEqualTo(Rfc5424.NOTICE);  // monitor mode
        assertThat(Rfc5424.severity(AuditTrail.toRecord(new SessionEvent.Login(O, "bob", null, "failed", 530, null))))
                .isEqualTo(Rfc5424.NOTICE);
        assertThat(Rfc5424.severity(AuditTrail.toRecord(new SessionEvent.Login(O, "bob", null, "ok", 230, "full"))))
                .isEqualTo(Rfc5424.INFO);
        assertThat(Rfc5424.severity(AuditTrail.toRecord(new SessionEvent.Closed(O, "client-quit", null, null, 1, 0, 0))))
                .isEqualTo(Rfc5424.INFO);
    }

    @Test
    void headerFieldsArePrintableAsciiWithinTheirLimitsAndNilWhenEmpty() {
        assertThat(Rfc5424.field("gw 1\u00e9", Rfc5424.HOSTNAME_MAX)).isEqualTo("gw_1_");
        assertThat(Rfc5424.field("x".repeat(40), Rfc5424.MSGID_MAX)).hasSize(32);
        assertThat(Rfc5424.field("", Rfc5424.APP_NAME_MAX)).isEqualTo("-");
        assertThat(new Rfc5424(null, "ftpgate", "1").hostname()).isEqualTo("-");
        assertThat(Rfc5424.timestamp(AuditEvent.of("x", "s", "c").with("ts", "not a time"))).isEqualTo("-");
    }

    @Test
    void nonAsciiInTheJsonIsEscapedSoTheMessageIsPlainAscii() {
        AuditEvent e = AuditTrail.toRecord(new SessionEvent.Login(O, "j\u00fcrgen\n", null, "failed", 530, null));
        assertThat(DatagramAuditSink.json(e)).contains("\"user\":\"j\\u00FCrgen\\n\"").matches("[\\x20-\\x7e]*");
    }

    @Test
    void journalEntriesCarryTheJsonPriorityAndSearchableFields() {
        AuditEvent e = refused(true);
        String text = new String(new JournalFields("ftpgate").encode(e, "{}"), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("MESSAGE={}\nPRIORITY=4\nSYSLOG_FACILITY=10\nSYSLOG_IDENTIFIER=ftpgate\n"
                + "FTPGATE_EVENT=refused\nFTPGATE_SESSION=s1\nFTPGATE_CLIENT=198.51.100.7:40000\n"
                + "FTPGATE_REASON=port-foreign-address\nFTPGATE_USER=anonymous\n");
    }

    @Test
    void aJournalValueWithANewlineUsesTheBinaryForm() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        JournalFields.field(out, "FTPGATE_USER", "a\nb");
        assertThat(out.toByteArray()).containsExactly('F', 'T', 'P', 'G', 'A', 'T', 'E', '_', 'U', 'S', 'E', 'R', '\n',
                3, 0, 0, 0, 0, 0, 0, 0, 'a', '\n', 'b', '\n');
    }
}
