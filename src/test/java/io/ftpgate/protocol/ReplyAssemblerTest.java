package io.ftpgate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyAssemblerTest {

    /** Feeds lines; returns every completed reply. */
    private static List<FtpReply> assemble(ReplyAssembler a, List<String> lines) throws FtpSyntaxException {
        List<FtpReply> out = new ArrayList<>();
        for (String line : lines) {
            FtpReply r = a.accept(line);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = ';', value = {
        "220 Service ready;         220; Service ready",
        "200;                       200; ''",
        "'200 ';                    200; ''",
        "'227 Entering Passive Mode (10,0,0,1,0,22)'; 227; 'Entering Passive Mode (10,0,0,1,0,22)'",
        "'150  two  spaces';        150; ' two  spaces'",
        "'550 caf\u00e9';           550; 'caf\u00e9'",
        "'599 x';                   599; x",
        "'100 x';                   100; x",
    })
    void singleLineReplies(String line, int code, String text) throws FtpSyntaxException {
        ReplyAssembler a = new ReplyAssembler();
        FtpReply r = a.accept(line);
        assertThat(r).isEqualTo(FtpReply.of(code, text));
        assertThat(r.isMultiLine()).isFalse();
        assertThat(a.inProgress()).isFalse();
    }

    static Stream<Arguments> multiLine() {
        return Stream.of(
                Arguments.of(List.of("211-Features:", " EPRT", " UTF8", "211 End"),
                        FtpReply.multiLine(211, List.of("Features:", " EPRT", " UTF8", "End"))),
                Arguments.of(List.of("230-", "230"), FtpReply.multiLine(230, List.of("", ""))),
                // Intermediate lines that start with other codes, or with "227 ", do not end the reply.
                Arguments.of(List.of("220-Welcome", "227 Entering Passive Mode (10,0,0,1,0,22)", "500 x",
                                "220-still banner", "2200 not the end", "220x not the end", "220 Done"),
                        FtpReply.multiLine(220, List.of("Welcome", "227 Entering Passive Mode (10,0,0,1,0,22)",
                                "500 x", "220-still banner", "2200 not the end", "220x not the end", "Done"))),
                // A final line with another code is just another line.
                Arguments.of(List.of("211-x", "212 not mine", "211 mine"),
                        FtpReply.multiLine(211, List.of("x", "212 not mine", "mine"))),
                Arguments.of(List.of("250-a", "\u0001 control in text is data", "250"),
                        FtpReply.multiLine(250, List.of("a", "\u0001 control in text is data", ""))));
    }

    @ParameterizedTest
    @MethodSource("multiLine")
    void multiLineReplies(List<String> lines, FtpReply expected) throws FtpSyntaxException {
        ReplyAssembler a = new ReplyAssembler();
        for (int i = 0; i < lines.size() - 1; i++) {
            assertThat(a.accept(lines.get(i))).isNull();
            assertThat(a.inProgress()).isTrue();
        }
        assertThat(a.accept(lines.get(lines.size() - 1))).isEqualTo(expected);
        assertThat(a.inProgress()).isFalse();
    }

    @Test
    void assemblesConsecutiveReplies() throws FtpSyntaxException {
        assertThat(assemble(new ReplyAssembler(), List.of("150 Opening", "226-Done", " bytes", "226 ok", "200")))
                .containsExactly(FtpReply.of(150, "Opening"), FtpReply.multiLine(226, List.of("Done", " bytes", "ok")),
                        FtpReply.of(200, ""));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        "", "2", "20", "2000 x", "abc", "600 x", "099 x", "700", "000 x", "20x x", "220_x", "220\tx", " 220 x",
        "\u0001220 x", "22\u00010 x", "\u0662\u0662\u0660 x", "HTTP/1.1 200 OK", "SSH-2.0-x",
    })
    void malformedFirstLines(String line) {
        FtpSyntaxException e = catchThrowableOfType(FtpSyntaxException.class, () -> new ReplyAssembler().accept(line));
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo("reply-malformed");
    }

    @Test
    void lineWithLineBreakIsMalformedEvenMidReply() throws FtpSyntaxException {
        ReplyAssembler a = new ReplyAssembler();
        a.accept("220-x");
        FtpSyntaxException e = catchThrowableOfType(FtpSyntaxException.class, () -> a.accept("a\r\n227 x"));
        assertThat(e.code()).isEqualTo("reply-malformed");
        assertThat(a.inProgress()).isFalse();
    }

    @Test
    void tooManyLines() throws FtpSyntaxException {
        ReplyAssembler a = new ReplyAssembler();
        assertThat(a.accept("250-start")).isNull();
        for (int i = 2; i <= FtpLimits.MAX_REPLY_LINES; i++) {
            assertThat(a.accept("250-AAAA")).isNull();
        }
        // MAX_REPLY_LINES lines are held; the final line would be one more.
        FtpSyntaxException e = catchThrowableOfType(FtpSyntaxException.class, () -> a.accept("250 Finally"));
        assertThat(e.code()).isEqualTo("reply-too-long");
        assertThat(a.inProgress()).isFalse();
    }

    @Test
    void exactlyMaxLinesIsAccepted() throws FtpSyntaxException {
        assertThat(assemble(new ReplyAssembler(3, 1000), List.of("250-a", "b", "250 c"))).hasSize(1);
        FtpSyntaxException e = catchThrowableOfType(FtpSyntaxException.class,
                () -> assemble(new ReplyAssembler(3, 1000), List.of("250-a", "b", "c", "250 d")));
        assertThat(e.code()).isEqualTo("reply-too-long");
    }

    @Test
    void curlTest1062StyleReplyFitsTheDefaults() throws FtpSyntaxException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 218; i++) {
            lines.add("250-" + "A".repeat(200));
        }
        lines.add("250 Finally");
        assertThat(assemble(new ReplyAssembler(), lines)).singleElement()
                .satisfies(r -> assertThat(r.lines()).hasSize(219));
    }

    @Test
    void tooManyBytes() throws FtpSyntaxException {
        ReplyAssembler a = new ReplyAssembler(FtpLimits.MAX_REPLY_LINES, 100);
        a.accept("250-" + "A".repeat(40));
        a.accept("A".repeat(40));
        FtpSyntaxException e = catchThrowableOfType(FtpSyntaxException.class, () -> a.accept("250 " + "A".repeat(20)));
        assertThat(e.code()).isEqualTo("reply-too-long");
        FtpSyntaxException single = catchThrowableOfType(FtpSyntaxException.class,
                () -> new ReplyAssembler(10, 10).accept("200 " + "A".repeat(10)));
        assertThat(single.code()).isEqualTo("reply-too-long");
    }

    @Test
    void encodePadsIntermediateLinesThatStartWithADigit() {
        FtpReply r = FtpReply.multiLine(220, List.of("Hello", "227 Entering Passive Mode (10,0,0,1,0,22)",
                "220 fake end", "text", " 1 already padded", ""));
        assertThat(r.encode()).isEqualTo("220-Hello\r\n"
                + " 227 Entering Passive Mode (10,0,0,1,0,22)\r\n"
                + " 220 fake end\r\n"
                + "text\r\n"
                + " 1 already padded\r\n"
                + "220 \r\n");
    }

    @Test
    void encodeToAppendsTheSameWireForm() {
        FtpReply multi = FtpReply.multiLine(211, List.of("Features:", "227 (1,2,3,4,5,6)", " MDTM", "End"));
        FtpReply single = FtpReply.of(226, "Transfer complete.");
        StringBuilder sb = new StringBuilder("x");
        assertThat(multi.encodeTo(sb)).isSameAs(sb);
        single.encodeTo(sb);
        assertThat(sb.toString()).isEqualTo("x" + multi.encode() + single.encode())
                .isEqualTo("x211-Features:\r\n 227 (1,2,3,4,5,6)\r\n MDTM\r\n211 End\r\n226 Transfer complete.\r\n");
    }

    @Test
    void encodedMultiLineReplyReassemblesToItself() throws FtpSyntaxException {
        FtpReply r = FtpReply.multiLine(220, List.of("Hello", "227 x", "220", "220-x", "Bye"));
        List<String> wire = List.of(r.encode().split("\r\n"));
        FtpReply back = assemble(new ReplyAssembler(), wire).get(0);
        assertThat(back.code()).isEqualTo(220);
        assertThat(back.lines()).containsExactly("Hello", " 227 x", " 220", " 220-x", "Bye");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "150; true;  false",
        "226; false; true",
        "350; false; false",
        "425; false; false",
        "530; false; false",
    })
    void classes(int code, boolean preliminary, boolean positive) {
        FtpReply r = FtpReply.of(code, "x");
        assertThat(r.isPreliminary()).isEqualTo(preliminary);
        assertThat(r.isPositiveCompletion()).isEqualTo(positive);
    }

    @Test
    void singleLineEncodeAndText() {
        assertThat(FtpReply.of(200, "OK").encode()).isEqualTo("200 OK\r\n");
        assertThat(FtpReply.of(200, "").encode()).isEqualTo("200 \r\n");
        assertThat(FtpReply.multiLine(211, List.of("a", " b", "c")).text()).isEqualTo("a\n b\nc");
    }

    @Test
    void refusesUnsendableReplies() {
        assertThatIllegalArgumentException().isThrownBy(() -> FtpReply.of(99, "x"));
        assertThatIllegalArgumentException().isThrownBy(() -> FtpReply.of(600, "x"));
        assertThatIllegalArgumentException().isThrownBy(() -> FtpReply.of(200, "a\r\n227 x"));
        assertThatIllegalArgumentException().isThrownBy(() -> FtpReply.of(200, "a\u0000"));
        assertThatIllegalArgumentException().isThrownBy(() -> FtpReply.multiLine(211, List.of("only")));
        assertThatIllegalArgumentException().isThrownBy(() -> new FtpReply(200, List.of()));
    }
}
