package io.ftpgate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FeaturesTest {

    private static FtpReply assemble(String... wireLines) throws FtpSyntaxException {
        ReplyAssembler a = new ReplyAssembler();
        FtpReply r = null;
        for (String line : wireLines) {
            r = a.accept(line);
        }
        return r;
    }

    @Test
    void vsftpdFeatWithTls() throws FtpSyntaxException {
        // vsftpd 3.0 with ssl_enable=YES.
        FtpReply server = assemble("211-Features:", " AUTH TLS", " EPRT", " EPSV", " MDTM", " PASV", " PBSZ",
                " PROT", " REST STREAM", " SIZE", " TVFS", " UTF8", "211 End");
        assertThat(Features.rewriteFeat(server).encode()).isEqualTo("211-Features:\r\n"
                + " MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n EPRT\r\n EPSV\r\n211 End\r\n");
    }

    @Test
    void minaFeatWithOddSpacingAndCase() throws FtpSyntaxException {
        // MINA FtpServer 1.2 lists these, some servers lower-case or double-indent them.
        FtpReply server = assemble("211-Extensions supported", "SIZE", " MDTM", " REST STREAM", " LANG en;zh-tw;ja;is",
                " MLST Size;Modify;Type;Perm", "  AUTH SSL", " auth tls", " eprt", " Epsv", " lprt", " LPSV",
                " ccc", " PBSZ", " PROT", " AUTHX", " UTF8", " MFMT", " ", "211 End");
        FtpReply out = Features.rewriteFeat(server);
        assertThat(out.code()).isEqualTo(211);
        assertThat(out.lines()).containsExactly("Features:", " SIZE", " MDTM", " REST STREAM",
                " LANG en;zh-tw;ja;is", " MLST Size;Modify;Type;Perm", " UTF8", " MFMT", " EPRT", " EPSV", "End");
    }

    @Test
    void featureLinesWithRepeatedCodePrefix() throws FtpSyntaxException {
        FtpReply server = assemble("211-Features", "211-MDTM", "211-EPSV", "211 End");
        assertThat(Features.rewriteFeat(server).lines()).containsExactly("Features:", " MDTM", " EPRT", " EPSV",
                "End");
    }

    @Test
    void digitLeadingFeatureCannotForgeAFinalLine() throws FtpSyntaxException {
        FtpReply server = assemble("211-Features", "211 not really the end", "211 End");
        String wire = Features.rewriteFeat(server).encode();
        assertThat(wire.split("\r\n")).allSatisfy(l -> assertThat(l).satisfiesAnyOf(
                x -> assertThat(x).startsWith(" "), x -> assertThat(x).startsWith("211-"),
                x -> assertThat(x).isEqualTo("211 End")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"500 FEAT not understood", "502 Command not implemented", "211 No features"})
    void nonListReplyGivesOnlyTheGatewayFeatures(String line) throws FtpSyntaxException {
        FtpReply out = Features.rewriteFeat(assemble(line));
        assertThat(out.encode()).isEqualTo("211-Features:\r\n EPRT\r\n EPSV\r\n211 End\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"530 Please login with USER and PASS", "421 Try later", "450 Busy"})
    void notYetRepliesArePassedOnSoTheClientAsksAgainAfterLogin(String line) throws FtpSyntaxException {
        FtpReply in = assemble(line);
        assertThat(Features.rewriteFeat(in).encode()).isEqualTo(in.encode());
    }

    @Test
    void featureListIsBoundedByTheServerReply() throws FtpSyntaxException {
        List<String> lines = new ArrayList<>(List.of("Features:"));
        for (int i = 0; i < 100; i++) {
            lines.add(" X" + i);
        }
        lines.add("End");
        assertThat(Features.rewriteFeat(FtpReply.multiLine(211, lines)).lines()).hasSize(104);
    }
}
