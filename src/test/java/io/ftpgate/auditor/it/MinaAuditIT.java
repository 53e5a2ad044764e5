package io.ftpgate.auditor.it;

import static io.ftpgate.auditor.it.Audits.assertVerdict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.ftpgate.auditor.AuditOptions;
import io.ftpgate.auditor.AuditReport;
import io.ftpgate.auditor.Evidence;
import io.ftpgate.auditor.Finding;
import io.ftpgate.auditor.JsonReport;
import io.ftpgate.auditor.Severity;
import io.ftpgate.auditor.TextReport;
import io.ftpgate.cli.DemoUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The auditor against Apache MINA FtpServer in the same JVM, with its settings flipped one at a time. */
class MinaAuditIT {

    @TempDir
    Path root;

    static Stream<Arguments> configurations() {
        return Stream.of(
                arguments("IP checks off", MinaServer.options().ipChecks(false), 1, List.of(
                        "bounce-port high category 1", "bounce-eprt high category 1", "data-theft high stolen")),
                arguments("IP checks on", MinaServer.options().ipChecks(true), 0, List.of(
                        "bounce-port ok category 2: PORT refused (501)",
                        "bounce-eprt ok category 2: EPRT refused (501)", "data-theft ok refused",
                        // MINA's active IP check compares addresses only: it connects to any port of the client.
                        "privileged-port medium accepted",
                        "anonymous-login low allowed", "anonymous-write ok refused (550)",
                        "pasv-address ok advertises 127.0.0.1", "epsv ok supported", "passive-ports ok random",
                        "cleartext-login info anonymous", "banner ok neutral",
                        "syst low discloses 'Apache FtpServer'", "auth-tls medium not offered",
                        "tls-certificate info not tested: no working TLS", "tls-versions info not tested",
                        "ccc info not tested", "data-session-reuse info not tested")),
                arguments("external address 10.0.0.1", MinaServer.options().externalAddress("10.0.0.1"), 0,
                        List.of("pasv-address medium leaks a private address: 10.0.0.1 (connected to 127.0.0.1)")),
                arguments("anonymous write", MinaServer.options().anonymousWrite(true), 1,
                        List.of("anonymous-write high allowed: stored and deleted ftpgate-audit-")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void verdicts(String name, MinaServer.Options options, int exitCode, List<String> expected) throws Exception {
        try (MinaServer mina = options.start(root)) {
            Audits.assertVerdicts(Audits.anonymous(mina.port()), exitCode, expected);
        }
        try (Stream<Path> files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("markers left behind")
                    .noneMatch(n -> n.startsWith("ftpgate-audit-"));
        }
    }

    /**
     * Issue 11: the verdict said "over 6 replies" while its evidence showed 4 PASV (two ports came from the
     * pasv-address and epsv checks) and the README said six. The count in the verdict, the passive replies in
     * the evidence, the ports it lists and the README's number must all be one number.
     */
    @Test
    void passivePortsCountsExactlyTheRepliesItShows() throws Exception {
        try (MinaServer mina = MinaServer.options().start(root)) {
            Finding f = assertVerdict(Audits.anonymous(mina.port()), "passive-ports", Severity.OK, "random");
            Matcher count = Pattern.compile("over (\\d+) replies$").matcher(f.verdict());
            assertThat(count.find()).as(f.verdict()).isTrue();
            int claimed = Integer.parseInt(count.group(1));

            Pattern passiveReply = Pattern.compile("^227 .*\\(\\d+,\\d+,\\d+,\\d+,(\\d+),(\\d+)\\)");
            List<Integer> shown = new ArrayList<>();
            for (Evidence e : f.evidence()) {
                Matcher m = e.reply() == null ? null : passiveReply.matcher(e.reply());
                if (m != null && m.find()) {
                    assertThat(e.sent()).isEqualTo("PASV");
                    shown.add(Integer.parseInt(m.group(1)) * 256 + Integer.parseInt(m.group(2)));
                }
            }
            assertThat(shown).as("passive replies in the evidence of %s", f).hasSize(claimed);
            assertThat(f.evidence()).last().isEqualTo(Evidence.observed("passive ports in order: " + shown));

            String row = Files.readAllLines(Path.of("docs/auditor.md")).stream()
                    .filter(l -> l.startsWith("| `passive-ports` |")).findFirst().orElseThrow();
            List<String> words = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight");
            assertThat(row).as("docs/auditor.md, the check table").contains("| " + words.get(claimed) + " `PASV`");
        }
    }

    @Test
    void namedUserPasswordIsNeverShown() throws Exception {
        try (MinaServer mina = MinaServer.options().start(root)) {
            AuditReport r = Audits.audit(AuditOptions.anonymous("127.0.0.1", mina.port())
                    .withLogin(MinaServer.WRITER, MinaServer.WRITER_PASSWORD));
            assertVerdict(r, "cleartext-login", Severity.MEDIUM, "password accepted in cleartext");
            assertThat(r.user()).isEqualTo(MinaServer.WRITER);
            assertThat(TextReport.render(r, false)).contains("PASS ***").doesNotContain(MinaServer.WRITER_PASSWORD);
            assertThat(JsonReport.render(r)).doesNotContain(MinaServer.WRITER_PASSWORD);
        }
    }

    @Test
    void ipv6LoopbackHasNoThirdPartyButIsStillAudited() throws Exception {
        try (DemoUpstream demo = new DemoUpstream()) {
            int port = demo.start(root, false, "::1");
            AuditReport r = Audits.auditAsIs(AuditOptions.anonymous("::1", port));
            assertThat(r.target()).isEqualTo("[::1]:" + port);
            assertThat(r.thirdParty()).isNull();
            assertThat(r.finding("bounce-port")).isEmpty();
            Audits.assertVerdicts(r, 0, List.of("bounce-eprt info not tested", "data-theft info not tested",
                    "privileged-port medium accepted", "pasv-address ok not applicable", "epsv ok supported",
                    "passive-ports ok random"));
        }
    }
}
