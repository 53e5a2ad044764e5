package io.ftpgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.tls.ServerFlight.Verdict;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The wire reading behind "resumed", on hand-made flights (the handshake tests cover real ones). */
class ServerFlightTest {

    private static final String SUPPORTED_VERSIONS_13 = "002b00020304";
    private static final String KEY_SHARE = "0033000400170000";
    private static final String PRE_SHARED_KEY = "002900020000";
    private static final String HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";

    private static String serverHello(String random, String extensions) {
        String body = "0303" + random + "20" + "11".repeat(32) + "1301" + "00"
                + String.format("%04x", extensions.length() / 2) + extensions;
        return message(2, body);
    }

    private static String message(int type, String body) {
        return String.format("%02x%06x", type, body.length() / 2) + body;
    }

    private static String record(int type, String payload) {
        return String.format("%02x0303%04x", type, payload.length() / 2) + payload;
    }

    private static Verdict read(String... chunks) {
        ServerFlight f = new ServerFlight();
        for (String c : chunks) {
            byte[] b = HexFormat.of().parseHex("abcd" + c); // two bytes before: feed reads from..to only
            f.feed(ByteBuffer.wrap(b), 2, b.length);
        }
        return f.verdict();
    }

    @Test
    void tls13IsResumedExactlyWhenTheServerHelloCarriesAPreSharedKey() {
        String random = "22".repeat(32);
        assertThat(read(record(22, serverHello(random, SUPPORTED_VERSIONS_13 + KEY_SHARE)))).isEqualTo(Verdict.FULL);
        assertThat(read(record(22, serverHello(random, SUPPORTED_VERSIONS_13 + KEY_SHARE + PRE_SHARED_KEY))))
                .isEqualTo(Verdict.RESUMED);
    }

    @Test
    void aHelloRetryRequestIsNotTheAnswer() {
        String hrr = record(22, serverHello(HRR_RANDOM, SUPPORTED_VERSIONS_13 + "003300020017"));
        String ccs = record(20, "01");
        assertThat(read(hrr, ccs)).isEqualTo(Verdict.UNDECIDED);
        assertThat(read(hrr, ccs, record(22, serverHello("22".repeat(32), SUPPORTED_VERSIONS_13 + PRE_SHARED_KEY))))
                .isEqualTo(Verdict.RESUMED);
    }

    @Test
    void tls12IsResumedWhenNoCertificateFollowsTheServerHello() {
        String hello = serverHello("22".repeat(32), "ff01000100");
        String certificate = message(11, "000000");
        assertThat(read(record(22, hello + certificate))).isEqualTo(Verdict.FULL);
        assertThat(read(record(22, hello), record(20, "01"))).isEqualTo(Verdict.RESUMED);
        assertThat(read(record(22, hello + message(4, "00000000" + "0000")))).isEqualTo(Verdict.RESUMED);
    }

    @Test
    void aServerHelloSplitAcrossRecordsIsReassembled() {
        String hello = serverHello("22".repeat(32), SUPPORTED_VERSIONS_13 + PRE_SHARED_KEY);
        int half = hello.length() / 2 & ~1;
        assertThat(read(record(22, hello.substring(0, half)), record(22, hello.substring(half))))
                .isEqualTo(Verdict.RESUMED);
    }

    @Test
    void anythingElseIsUnreadable() {
        assertThat(read(record(21, "0228"))).isEqualTo(Verdict.UNREADABLE); // handshake_failure alert
        assertThat(read(record(23, "00112233"))).isEqualTo(Verdict.UNREADABLE);
        assertThat(read(record(22, message(11, "000000")))).isEqualTo(Verdict.UNREADABLE);
        assertThat(read(record(22, message(2, "0303")))).isEqualTo(Verdict.UNREADABLE); // truncated ServerHello
    }
}
