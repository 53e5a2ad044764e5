package io.ftpgate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafeTextRedactTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "PASS secret            | PASS ***",
        "pass secret            | pass ***",
        "PASS\tsecret           | PASS ***",
        "  PASS secret          | PASS ***",
        "PASS                   | PASS ***",
        "ACCT billing-42        | ACCT ***",
        "PASSWORD x             | PASSWORD x",
        "RETR PASS secret       | RETR PASS secret",
        "USER alice@example.net | USER alice@example.net",
    })
    void redactsTheArgumentOfPassAndAcct(String in, String out) {
        assertThat(SafeText.redactSecrets(in.replace("\\t", "\t"))).isEqualTo(out);
    }
}
