package io.ftpgate.auditor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortPatternTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "40000 40001 40002 40003 40004 40005; SEQUENTIAL; 1; 40000; 40005",
        "40002 40003 40004 40000 40001 40002; SEQUENTIAL; 1; 40000; 40004",  // one wrap-around of a small range
        "50010 50008 50006 50004; SEQUENTIAL; -2; 50004; 50010",
        "40000 40000 40000; CONSTANT; 0; 40000; 40000",
        "52113 50871 59342 51007 57720 50144; RANDOM; 0; 50144; 59342",
        "40000 41000 42000 43000; RANDOM; 0; 40000; 43000",                  // equal but large steps
        "40000 40001; UNKNOWN; 0; 40000; 40001"
    })
    void judges(String ports, PortPattern.Kind kind, int step, int min, int max) {
        List<Integer> list = Arrays.stream(ports.split(" ")).map(Integer::valueOf).toList();
        assertThat(PortPattern.of(list)).isEqualTo(new PortPattern(kind, step, min, max));
    }

    @Test
    void noPorts() {
        assertThat(PortPattern.of(List.of()).kind()).isEqualTo(PortPattern.Kind.UNKNOWN);
    }

    @Test
    void findingsBySeverity() {
        Finding sequential = PassiveCheck.ports(List.of(40000, 40001, 40002, 40003), List.of());
        assertThat(sequential.severity()).isEqualTo(Severity.LOW);
        assertThat(sequential.verdict()).isEqualTo("sequential (step 1), ports 40000-40003 over 4 replies");
        assertThat(PassiveCheck.ports(List.of(52113, 50871, 59342, 51007), List.of()).severity())
                .isEqualTo(Severity.OK);
    }
}
