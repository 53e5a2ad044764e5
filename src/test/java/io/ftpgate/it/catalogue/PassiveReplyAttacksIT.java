package io.ftpgate.it.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.audit.AuditEvent;
import io.ftpgate.it.Bytes;
import io.ftpgate.it.RawFtp;
import io.ftpgate.it.ScriptedFtpServer;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Catalogue items 4 (server side), 5, 6 and 7: a hostile or confused server's 227/229. The gateway reads a
 * 227/229 only as the final reply to a PASV/EPSV it sent itself, parses only its final line, takes only the port,
 * and connects only to the server's control address; every other 227/228/229 is withheld.
 */
class PassiveReplyAttacksIT extends CatalogueSupport {

    /** The client's view of one passive RETR: its reply codes and the bytes that arrived. */
    record Outcome(List<Integer> codes, byte[] data) {
    }

    /** Client PASV, data connection, {@code RETR f}; the gateway then sends its own PASV to the server. */
    Outcome pasvRetr() throws IOException {
        int port = RawFtp.pasvPort(ftp.cmd("PASV"));
        List<Integer> codes = new ArrayList<>();
        byte[] data = new byte[0];
        try (Socket d = RawFtp.dataConnect("127.0.0.1", port, "127.0.0.1")) {
            RawFtp.Reply r = ftp.cmd("RETR f");
            codes.add(r.code());
            if (r.code() == 150) {
                data = RawFtp.readAll(d);
                codes.add(ftp.read().code());
            }
        }
        return new Outcome(codes, data);
    }

    /** The server's answer to the gateway's PASV is {@code lines}; the transfer must fail with 425 and reason. */
    private void refusedPassiveReply(List<String> lines, String reason) throws Exception {
        scripted();
        server.script.put("PASV", lines);
        login();
        attack(() -> {
            assertThat(pasvRetr().codes()).as("replies to RETR").containsExactly(425);
            refused(reason, null);
            assertThat(server.commands).as("the transfer command never reached the server").doesNotContain("RETR f");
            assertThat(server.dataPeers).isEmpty();
            assertSessionSurvives();
        });
    }

    /** The server's answer to the gateway's PASV is {@code lines}; the transfer must work, from the real port. */
    private Outcome acceptedPassiveReply(List<String> lines) throws Exception {
        scripted();
        server.script.put("PASV", lines);
        server.retrData = Bytes.random(5, 100_000);
        login();
        Outcome[] out = new Outcome[1];
        attack(() -> {
            out[0] = pasvRetr();
            assertThat(out[0].codes()).as("replies to RETR").containsExactly(150, 226);
            assertThat(Bytes.sha256(out[0].data())).isEqualTo(Bytes.sha256(server.retrData));
            assertThat(server.dataPeers).as("data connections the server accepted").containsExactly("127.0.0.1");
            assertSessionSurvives();
        });
        return out[0];
    }

    // ---------------------------------------------------------------- 4. overflow in 227/229

    /** curl test238 (error 13): the gateway falls back to EPSV after a 5xx to PASV. */
    @Test
    void epsvReplyPortOverflowIsRefused() throws Exception {
        trap("127.0.0.1", 1_000_000 & 0xffff);
        scripted();
        server.script.put("PASV", List.of("500 PASV not understood."));
        server.script.put("EPSV", List.of("229 Entering Passive Mode (|||1000000|)"));
        login();
        attack(() -> {
            assertThat(pasvRetr().codes()).containsExactly(425);
            assertThat(String.valueOf(refused("pasv-syntax", null).get("input"))).contains("1000000");
            assertThat(server.commands).containsSubsequence("PASV", "EPSV").doesNotContain("RETR f");
            assertSessionSurvives();
        });
    }

    /** curl test237 (error 14). */
    @Test
    void pasvReplyOctetOverflowIsRefused() throws Exception {
        trap("127.0.0.1", 32639);
        refusedPassiveReply(List.of("227 Entering Passive Mode (1216,256,2,127,127,127)"), "pasv-syntax");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"227 Entering Passive Mode (127,0,0,1,256,22)", "227 Entering Passive Mode (127,0,0,1,4)",
        "227 Entering Passive Mode (127,0,0,1,4,1,1)", "227 Entering Passive Mode (-127,0,0,1,4,1)",
        "227 Entering Passive Mode (127,0,0,1,-4,1)", "227 Entering Passive Mode (127,0,0,1,0004,1)",
        "227 Entering Passive Mode (127, 0, 0, 1, 4, 1)", "227 Entering Passive Mode ()", "227 Entering Passive Mode",
        "227 Entering Passive Mode (127,0,0,1,4294967297,1)", "227 Entering Passive Mode 1 of 2 (127,0,0,1,4,1)",
        "227 Entering Passive Mode (127,0,0,1,4,1,)", "227 Entering Passive Mode (127,0,0,1,4,,1)"})
    void malformed227IsRefused(String reply) throws Exception {
        refusedPassiveReply(List.of(reply), "pasv-syntax");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"229 Entering Extended Passive Mode (|||0|)", "229 Entering Extended Passive Mode (|||65536|)",
        "229 Entering Extended Passive Mode (|||-1|)", "229 Entering Extended Passive Mode (|1|127.0.0.2|1025|)",
        "229 Entering Extended Passive Mode (|||1025)", "229 Entering Extended Passive Mode (111102511)",
        "229 Entering Extended Passive Mode (|||4294968321|)", "229 Entering Extended Passive Mode (!!|1025|)",
        "229 Entering Extended Passive Mode"})
    void malformed229IsRefused(String reply) throws Exception {
        scripted();
        server.script.put("PASV", List.of("502 Use EPSV."));
        server.script.put("EPSV", List.of(reply));
        login();
        attack(() -> {
            assertThat(pasvRetr().codes()).containsExactly(425);
            refused("pasv-syntax", null);
            assertThat(server.commands).doesNotContain("RETR f");
            assertSessionSurvives();
        });
    }

    // ---------------------------------------------------------------- 6. untrusted PASV address (SSRF)

    @Test
    void untrustedPasvAddressIsNotConnectedTo() throws Exception {
        refusedPassiveReply(List.of("227 Entering Passive Mode (10,0,0,1,0,22)"), "pasv-privileged-port");
        assertThat(String.valueOf(gw.audit.awaitRefused("pasv-foreign-address").get("input"))).contains("10,0,0,1");
    }

    @Test
    void untrustedPasvAddressOfThirdPartyIsIgnored() throws Exception {
        refusedPassiveReply(List.of("227 Entering Passive Mode (127,0,0,2,0,25)"), "pasv-privileged-port");
    }

    /** aioftp's all-zero 227 (curl test270, PASVBADIP): only the port is used, on the server's control address. */
    @Test
    void untrustedPasvAllZeroAddressConnectsToTheServerOnly() throws Exception {
        // The server runs on 127.0.0.3: a connect to 0.0.0.0 would land on 127.0.0.1, where a victim waits.
        releaseTraps("127.0.0.3");
        trap("127.0.0.1", 35289);
        server = new ScriptedFtpServer("127.0.0.3");
        server.dataPort = 35289;
        server.script.put("PASV", List.of("227 Entering Passive Mode (0,0,0,0,{p1},{p2})"));
        server.retrData = Bytes.random(6, 50_000);
        gw = reverseTo(server).start();
        login();
        attack(() -> {
            Outcome o = pasvRetr();
            assertThat(o.codes()).containsExactly(150, 226);
            assertThat(o.data()).isEqualTo(server.retrData);
            assertThat(String.valueOf(refused("pasv-foreign-address", null).get("input"))).contains("(0,0,0,0,");
            assertThat(gw.audit.await("transfer").get("outcome")).isEqualTo("ok");
            assertSessionSurvives();
        });
    }

    @Test
    void untrustedPasvInternalAddressWithRealPortIsIgnored() throws Exception {
        scripted();
        server.pasvHost = "127.0.0.9"; // also puts a victim on 127.0.0.9 at the advertised port
        server.retrData = Bytes.random(8, 50_000);
        login();
        attack(() -> {
            Outcome o = pasvRetr();
            assertThat(o.codes()).containsExactly(150, 226);
            assertThat(o.data()).isEqualTo(server.retrData);
            assertThat(String.valueOf(refused("pasv-foreign-address", null).get("input"))).contains("127,0,0,9");
            assertThat(server.victim.accepts()).isZero();
        });
    }

    // ---------------------------------------------------------------- 5. parsers disagree about the 227 format

    @Test
    void multiLine227FinalLineIsTheOnlyOneRead() throws Exception {
        acceptedPassiveReply(List.of("227-Entering (10,0,0,9,4,1)", "227-Entering (127,0,0,9,4,1)",
                " (127,0,0,2,192,6)", "227 Entering Passive Mode (127,0,0,1,{p1},{p2})"));
        assertNoRefusals();
    }

    @Test
    void multiLine227WithTheAddressOnlyInItsFirstLineIsRefused() throws Exception {
        refusedPassiveReply(List.of("227-Entering Passive Mode (127,0,0,2,4,1)", "227 OK"), "pasv-syntax");
    }

    @Test
    void pasvReplyWithTwoTuplesUsesOnlyThePortOfTheFirst() throws Exception {
        scripted();
        server.pasvHost = "127.0.0.9";
        server.script.put("PASV", List.of("227 Entering Passive Mode (127,0,0,9,{p1},{p2}) (127,0,0,2,192,6)"));
        server.retrData = Bytes.random(9, 20_000);
        login();
        attack(() -> {
            assertThat(pasvRetr().codes()).containsExactly(150, 226);
            refused("pasv-foreign-address", null);
            assertThat(server.dataPeers).containsExactly("127.0.0.1");
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"227 Entering Passive Mode 127,0,0,1,{p1},{p2}", "227 =127,0,0,1,{p1},{p2}",
        "227 Entering Passive Mode (127,0,0,1,{p1},{p2}", "227 Entering Passive Mode (127,0,0,1,{p1},{p2}).",
        "227 Entering Passive Mode (127,000,000,001,{p1},{p2})"})
    void lenient227FormsUseOnlyThePort(String reply) throws Exception {
        acceptedPassiveReply(List.of(reply));
        assertNoRefusals();
    }

    @Test
    void pasvReplySplitAcrossSegmentsIsReassembled() throws Exception {
        scripted();
        server.chunkBytes = 3;
        server.chunkPauseMs = 5;
        server.script.put("PASV", List.of("227 Entering Passive Mode (127,0,0,1,{p1},{p2})"));
        login();
        attack(() -> {
            assertThat(pasvRetr().codes()).containsExactly(150, 226);
            assertNoRefusals();
        });
    }

    // ---------------------------------------------------------------- 7. reflected or echoed 227 / PORT text

    @Test
    void reflected227InMultiLineReplyIsPadded() throws Exception {
        scripted();
        server.script.put("CWD", List.of("250-Directory changed to /pub", "227 Entering Passive Mode (127,0,0,2,4,1)",
                "227-Entering Passive Mode (127,0,0,2,192,6)", "250 OK"));
        login();
        attack(() -> {
            RawFtp.Reply r = ftp.cmd("CWD pub");
            assertThat(r.code()).isEqualTo(250);
            assertThat(r.lines()).as("lines as the client received them").containsExactly("250-Directory changed to /pub",
                    " 227 Entering Passive Mode (127,0,0,2,4,1)", " 227-Entering Passive Mode (127,0,0,2,192,6)",
                    "250 OK");
            assertNoRefusals();
            assertThat(pasvRetr().codes()).as("a transfer after the reflection").containsExactly(150, 226);
            assertThat(server.dataPeers).containsExactly("127.0.0.1");
        });
    }

    @Test
    void reflected227InTransferRepliesIsNotActedOn() throws Exception {
        scripted();
        server.script.put("PASV", List.of("227 Entering Passive Mode (127,0,0,1,{p1},{p2})"));
        server.script.put("SIZE", List.of("213 227 Entering Passive Mode (127,0,0,2,4,1)"));
        login();
        attack(() -> {
            assertThat(ftp.cmd("SIZE f").last()).isEqualTo("213 227 Entering Passive Mode (127,0,0,2,4,1)");
            assertThat(pasvRetr().codes()).containsExactly(150, 226);
            assertNoRefusals();
        });
    }

    /** A client line that is a 227 reply (e.g. from a URL with CRLF) is not a command: nothing to reflect. */
    @Test
    void reflected227SentAsCommandIsRefused() throws Exception {
        scriptedSession();
        attack(() -> {
            ftp.sendRaw("TYPE I\n227 Entering Passive Mode (127,0,0,2,4,1)\r\n");
            assertThat(ftp.read().code()).isEqualTo(200);
            assertThat(ftp.read().code()).isEqualTo(500);
            refusedInput("command-syntax", 500, "227 Entering Passive Mode (127,0,0,2,4,1)");
            assertThat(server.commands).noneMatch(c -> c.startsWith("227"));
            assertSessionSurvives();
        });
    }

    @Test
    void unsolicited227IsWithheld() throws Exception {
        scripted();
        server.script.put("PASS", List.of("230 Logged in.", "227 Entering Passive Mode (127,0,0,2,4,1)"));
        login();
        attack(() -> {
            AuditEvent e = refused("unexpected-pasv-reply", null);
            assertThat(String.valueOf(e.get("input"))).contains("127,0,0,2,4,1");
            assertThat(ftp.poll(Duration.ofMillis(300))).as("anything relayed for the unsolicited 227").isNull();
            assertSessionSurvives();
            assertThat(pasvRetr().codes()).containsExactly(150, 226);
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"227 Entering Passive Mode (127,0,0,2,4,1)", "229 Entering Extended Passive Mode (|||1025|)",
        "228 Entering Long Passive Mode (4,4,127,0,0,2,2,4,1)", "227-Entering Passive Mode (127,0,0,2,4,1)|227 Done"})
    void passiveReplyAnsweringAnotherCommandIsWithheld(String reply) throws Exception {
        scripted();
        server.script.put("SYST", List.of(reply.split("\\|(?=227 )")));
        login();
        attack(() -> {
            RawFtp.Reply r = ftp.cmd("SYST");
            assertThat(r.code()).isEqualTo(451);
            assertThat(r.text()).doesNotContain("127,0,0,2").doesNotContain("1025");
            refused("unexpected-pasv-reply", null);
            assertThat(ftp.cmd("RETR f").code()).as("no plan came from the withheld reply").isEqualTo(425);
            assertSessionSurvives();
        });
    }

    @Test
    void pasvReplyAnsweringRetrIsWithheld() throws Exception {
        scripted();
        server.retrMode = "reply-227";
        login();
        attack(() -> {
            assertThat(pasvRetr().codes()).containsExactly(451);
            refused("unexpected-pasv-reply", null);
            assertSessionSurvives();
        });
    }

    /** Upstream active: a 227 answering the gateway's own PORT is withheld, and the transfer fails cleanly. */
    @Test
    void pasvReplyAnsweringTheGatewaysPortIsWithheld() throws Exception {
        server = new ScriptedFtpServer();
        server.script.put("PORT", List.of("227 Entering Passive Mode (127,0,0,2,192,6)"));
        gw = reverseTo(server).mode(io.ftpgate.config.UpstreamMode.ACTIVE).start();
        login();
        attack(() -> {
            assertThat(pasvRetr().codes()).containsExactly(425);
            refused("unexpected-pasv-reply", null);
            refused("data-connect-failed", null);
            assertThat(server.commands).doesNotContain("RETR f");
            assertSessionSurvives();
        });
    }

    @Test
    void reflected227InMultiLineGreetingIsPadded() throws Exception {
        scripted();
        server.script.put(ScriptedFtpServer.GREETING, List.of("220-Welcome", "227 Entering Passive Mode (127,0,0,2,4,1)",
                "220 Ready"));
        ftp = RawFtp.connect(gw.address());
        attack(() -> {
            RawFtp.Reply g = ftp.read();
            assertThat(g.lines()).containsExactly("220-Welcome", " 227 Entering Passive Mode (127,0,0,2,4,1)",
                    "220 Ready");
            ftp.login("anonymous", PASSWORD);
            assertNoRefusals();
            assertThat(pasvRetr().codes()).containsExactly(150, 226);
        });
    }

    @Test
    void pasvReplyAsGreetingIsWithheld() throws Exception {
        scripted();
        server.greeting = "227 Entering Passive Mode (127,0,0,2,4,1)";
        ftp = RawFtp.connect(gw.address());
        attack(() -> {
            assertClosedAfter(451);
            refused("unexpected-pasv-reply", null);
            assertThat(gw.audit.await("session-close").get("reason")).isEqualTo("server-refused");
        });
    }

    /** Two 227s for one PASV: the second answers nothing and is withheld; only the first is used. */
    @Test
    void second227ForOnePasvIsWithheld() throws Exception {
        refusedDesync(List.of("227 Entering Passive Mode (127,0,0,1,{p1},{p2})",
                "227 Entering Passive Mode (127,0,0,2,192,6)"), List.of(150, 226));
    }

    /** Reply desynchronisation: a 200 then a 227 for one PASV; the late 227 is never read. */
    @Test
    void pasvReplyDesyncIsNotActedOn() throws Exception {
        refusedDesync(List.of("200 Not now.", "227 Entering Passive Mode (127,0,0,2,192,6)"), List.of(425));
        refused("data-connect-failed", null);
    }

    private void refusedDesync(List<String> pasvLines, List<Integer> expected) throws Exception {
        scripted();
        server.script.put("PASV", pasvLines);
        login();
        attack(() -> {
            assertThat(pasvRetr().codes()).containsExactlyElementsOf(expected);
            assertThat(String.valueOf(refused("unexpected-pasv-reply", null).get("input"))).contains("127,0,0,2");
            assertSessionSurvives();
        });
    }
}
