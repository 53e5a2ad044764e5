package io.ftpgate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FtpCommandTest {

    @ParameterizedTest(name = "[{0}] -> {1} [{2}]")
    @CsvSource(delimiter = ';', value = {
        "USER anonymous;    USER; anonymous",
        "user x;            USER; x",
        "'RETR  two  spaces'; RETR; ' two  spaces'",
        "NOOP;              NOOP; ''",
        "'NOOP ';           NOOP; ''",
        "cwd /a b/c;        CWD;  /a b/c",
        "PORT 1,2,3,4,5,6;  PORT; '1,2,3,4,5,6'",
        "'STOR x\t';        STOR; 'x\t'",
        "'RETR caf\u00e9';  RETR; 'caf\u00e9'",
        "mkd;               MKD;  ''",
    })
    void parses(String line, String verb, String argument) throws FtpSyntaxException {
        FtpCommand c = FtpCommand.parse(line);
        assertThat(c.verb()).isEqualTo(verb);
        assertThat(c.argument()).isEqualTo(argument);
        assertThat(c.hasArgument()).isEqualTo(!argument.isEmpty());
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        "", " USER", " ", "US3R x", "ABCDE x", "\u0001BC", "AB\u0001 x", "USER\tx", "USER,x", "1234",
        "GET/ x", "\u00c9TAT", "NO\u0000OP", "RETR a\r\nDELE b", "RETR a\nb", "RETR \u0100",
    })
    void rejects(String line) {
        FtpSyntaxException e = catchThrowableOfType(FtpSyntaxException.class, () -> FtpCommand.parse(line));
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo("command-syntax");
        assertThat(e.getMessage()).doesNotContain("\r", "\n", "\u0000", "\u0001");
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = ';', value = {
        "user anonymous;     USER anonymous",
        "'RETR  two  spaces'; 'RETR  two  spaces'",
        "noop;               NOOP",
        "'NOOP ';            NOOP",
    })
    void toLineRegeneratesTheWireForm(String line, String wire) throws FtpSyntaxException {
        assertThat(FtpCommand.parse(line).toLine()).isEqualTo(wire);
    }

    @Test
    void constructorNormalisesAndRefusesInjection() {
        assertThat(new FtpCommand("pasv", "").verb()).isEqualTo("PASV");
        assertThatIllegalArgumentException().isThrownBy(() -> new FtpCommand("USER", "a\r\nPORT 1,2,3,4,0,25"));
        assertThatIllegalArgumentException().isThrownBy(() -> new FtpCommand("USER", "a\nb"));
        assertThatIllegalArgumentException().isThrownBy(() -> new FtpCommand("USER", "a\u0000"));
        assertThatIllegalArgumentException().isThrownBy(() -> new FtpCommand("US ER", "a"));
        assertThatIllegalArgumentException().isThrownBy(() -> new FtpCommand("", "a"));
        assertThatIllegalArgumentException().isThrownBy(() -> new FtpCommand("XSHA1", "a"));
    }

    @ParameterizedTest(name = "{0}: known={1} transfer={2} dataChannel={3} beforeLogin={4}")
    @CsvSource({
        "USER, true,  false, false, true",
        "pass, true,  false, false, true",
        "QUIT, true,  false, false, true",
        "FEAT, true,  false, false, true",
        "AUTH, true,  false, false, true",
        "HOST, true,  false, false, true",
        "SYST, true,  false, false, true",
        "RETR, true,  true,  false, false",
        "stor, true,  true,  false, false",
        "STOU, true,  true,  false, false",
        "APPE, true,  true,  false, false",
        "LIST, true,  true,  false, false",
        "NLST, true,  true,  false, false",
        "MLSD, true,  true,  false, false",
        "MLST, true,  false, false, false",
        "PORT, true,  false, true,  false",
        "EPRT, true,  false, true,  false",
        "PASV, true,  false, true,  false",
        "EPSV, true,  false, true,  false",
        "LPRT, false, false, true,  false",
        "LPSV, false, false, true,  false",
        "XPWD, true,  false, false, false",
        "PRET, true,  false, false, false",
        "SITE, true,  false, false, false",
        "CWD,  true,  false, false, false",
        "ENC,  false, false, false, false",
        "MIC,  false, false, false, false",
        "CONF, false, false, false, false",
        "GET,  false, false, false, false",
        "XYZW, false, false, false, false",
    })
    void classifiesVerbs(String verb, boolean known, boolean transfer, boolean dataChannel, boolean beforeLogin) {
        assertThat(Verbs.isKnown(verb)).isEqualTo(known);
        assertThat(Verbs.isTransfer(verb)).isEqualTo(transfer);
        assertThat(Verbs.isDataChannel(verb)).isEqualTo(dataChannel);
        assertThat(Verbs.allowedBeforeLogin(verb)).isEqualTo(beforeLogin);
    }

    @Test
    void nullVerbIsNothing() {
        assertThat(Verbs.isKnown(null)).isFalse();
        assertThat(Verbs.allowedBeforeLogin(null)).isFalse();
    }
}
