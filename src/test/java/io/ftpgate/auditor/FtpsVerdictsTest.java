package io.ftpgate.auditor;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.auditor.DataReuseCheck.Attempt;
import io.ftpgate.auditor.VersionsCheck.Outcome;
import io.ftpgate.auditor.VersionsCheck.Result;
import io.ftpgate.protocol.FtpReply;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The verdict logic of the FTPS checks, on hand-made outcomes. */
class FtpsVerdictsTest {

    private static final FtpReply DONE = FtpReply.of(226, "Transfer complete.");

    /** Judges outcomes for TLS 1.3, 1.2, 1.1 and 1.0 and asserts severity and verdict (a prefix). */
    private static Finding versions(Severity severity, String verdict, Outcome... outcomes) {
        List<String> names = List.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            results.add(new Result(names.get(i), outcomes[i], "x"));
        }
        Finding f = VersionsCheck.judge(results);
        assertThat(f.severity()).as(f.verdict()).isEqualTo(severity);
        assertThat(f.verdict()).startsWith(verdict);
        return f;
    }

    @Test
    void acceptingAnythingOlderThanTls12IsHigh() {
        versions(Severity.HIGH, "accepts TLSv1.1 (older than TLS 1.2)", Outcome.ACCEPTED, Outcome.ACCEPTED,
                Outcome.ACCEPTED, Outcome.REFUSED);
        versions(Severity.HIGH, "accepts TLSv1.1, TLSv1 (older than TLS 1.2)", Outcome.REFUSED, Outcome.ACCEPTED,
                Outcome.ACCEPTED, Outcome.ACCEPTED);
    }

    @Test
    void modernOnlyIsOkOnlyWhenTheOldVersionsWereActuallyRefused() {
        versions(Severity.OK, "TLSv1.3, TLSv1.2 accepted; TLSv1.1, TLSv1 refused", Outcome.ACCEPTED,
                Outcome.ACCEPTED, Outcome.REFUSED, Outcome.REFUSED);
        Finding untested = versions(Severity.INFO, "TLSv1.3, TLSv1.2 accepted; TLSv1.1, TLSv1 not tested",
                Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.NOT_TESTED, Outcome.NOT_TESTED);
        assertThat(untested.fix()).contains("java.security");
        assertThat(untested.evidence()).contains(Evidence.observed("TLSv1.1 offered alone: not tested: x"));
        assertThat(versions(Severity.INFO, "TLSv1.2 accepted; TLSv1.3, TLSv1.1, TLSv1 refused", Outcome.REFUSED,
                Outcome.ACCEPTED, Outcome.REFUSED, Outcome.REFUSED).fix()).contains("Enable TLS 1.3");
        versions(Severity.INFO, "inconclusive", Outcome.FAILED, Outcome.FAILED, Outcome.NOT_TESTED,
                Outcome.NOT_TESTED);
    }

    /** Judges the two data connections and asserts severity and the whole verdict. */
    private static void reuse(Attempt fresh, Attempt resuming, Severity severity, String verdict) {
        Finding f = DataReuseCheck.judge(fresh, resuming, List.of());
        assertThat(f.verdict()).isEqualTo(verdict);
        assertThat(f.severity()).as(verdict).isEqualTo(severity);
    }

    @Test
    void dataConnectionWithoutTheSessionAcceptedIsLow() {
        reuse(new Attempt(true, false, DONE), new Attempt(true, true, DONE), Severity.LOW,
                "not required: accepted without the control session (226); accepted when resuming it");
    }

    @Test
    void refusedWithoutTheSessionAndAcceptedWithItIsRequired() {
        reuse(new Attempt(true, false, FtpReply.of(522, "session reuse required")), new Attempt(true, true, DONE),
                Severity.OK, "required: refused without the control session (522), accepted when resuming it");
        reuse(new Attempt(false, false, null), new Attempt(true, true, DONE), Severity.OK,
                "required: refused without the control session (handshake failed), accepted when resuming it");
    }

    @Test
    void whenTheResumingConnectionFailsTooTheVerdictSaysWhy() {
        reuse(new Attempt(true, false, FtpReply.of(522, "x")), new Attempt(true, false, FtpReply.of(522, "x")),
                Severity.INFO, "inconclusive: without the control session refused (522); resuming it was refused"
                        + " too (522, the server did not resume the offered session)");
        reuse(new Attempt(true, false, FtpReply.of(425, "x")), new Attempt(true, false, DONE), Severity.INFO,
                "inconclusive: without the control session refused (425); accepted when resuming it (but the"
                        + " server did not resume it)");
    }

    @Test
    void cccAcceptedIsMediumRefusedIsOk() {
        assertThat(CccCheck.judge(FtpReply.of(200, "CCC ok"), true, List.of()).severity()).isEqualTo(Severity.MEDIUM);
        assertThat(CccCheck.judge(FtpReply.of(200, "CCC ok"), true, List.of()).verdict()).isEqualTo("accepted (200)");
        assertThat(CccCheck.judge(FtpReply.of(533, "no"), true, List.of()).verdict()).isEqualTo("refused (533)");
        assertThat(CccCheck.judge(FtpReply.of(500, "unknown"), true, List.of()).severity()).isEqualTo(Severity.OK);
        Finding noLogin = CccCheck.judge(FtpReply.of(530, "log in"), false, List.of());
        assertThat(noLogin.severity()).isEqualTo(Severity.INFO);
        assertThat(noLogin.verdict()).startsWith("inconclusive");
    }

    @Test
    void featListsAuthTls() {
        assertThat(TlsCheck.advertised(FtpReply.multiLine(211,
                List.of("Features:", " AUTH TLS;TLS-C;SSL", " PBSZ", "End")))).isTrue();
        assertThat(TlsCheck.advertised(FtpReply.multiLine(211, List.of("Features:", " AUTH SSL", "End")))).isFalse();
        assertThat(TlsCheck.advertised(FtpReply.of(530, "Access denied."))).isFalse();
    }

    @Test
    void implicitPortIsProbedOnlyWhenGivenOrAuditedPortIs990() {
        assertThat(AuditOptions.anonymous("h", 21).implicitProbePort()).isEmpty();
        assertThat(AuditOptions.anonymous("h", 990).implicitProbePort()).isEqualTo(OptionalInt.of(990));
        assertThat(AuditOptions.anonymous("h", 990).auditedPortImplicit()).isTrue();
        assertThat(AuditOptions.anonymous("h", 21).withImplicitPort(990).implicitProbePort())
                .isEqualTo(OptionalInt.of(990));
        assertThat(AuditOptions.anonymous("h", 21).withImplicitPort(990).auditedPortImplicit()).isFalse();
        assertThat(AuditOptions.anonymous("h", 2990).withImplicitPort(2990).auditedPortImplicit()).isTrue();
    }
}
