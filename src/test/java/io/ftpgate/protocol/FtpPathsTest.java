package io.ftpgate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FtpPathsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "\"/\" is current directory.|/",
        "\"/pub/incoming\" is current directory.|/pub/incoming",
        "\"/a \"\"quoted\"\" dir\" created|/a \"quoted\" dir",
        "no quotes here|null",
        "\"/unterminated|null",
    })
    void pwdReply(String text, String dir) {
        assertThat(FtpPaths.parsePwdReply(text)).isEqualTo(dir);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/|file.txt|/file.txt",
        "/incoming|file.txt|/incoming/file.txt",
        "/incoming||/incoming",
        "/incoming|../etc/passwd|/etc/passwd",
        "/incoming|./a/../b|/incoming/b",
        "/|../../..|/",
        "/x|/abs//path/|/abs/path",
        "/incoming|sub/..|/incoming",
    })
    void resolve(String cwd, String arg, String expected) {
        assertThat(FtpPaths.resolve(cwd, arg == null ? "" : arg)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "/incoming, /incoming, true", "/incoming/a, /incoming, true", "/incomingx, /incoming, false",
        "/, /incoming, false", "/anything, /, true",
    })
    void within(String path, String dir, boolean inside) {
        assertThat(FtpPaths.within(path, dir)).isEqualTo(inside);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"-la|", "-la /incoming|/incoming", "-a -l x|x", "/pub|/pub"})
    void listingPath(String arg, String path) {
        assertThat(FtpPaths.listingPath(arg)).isEqualTo(path == null ? "" : path);
    }
}
