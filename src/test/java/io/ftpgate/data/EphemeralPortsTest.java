package io.ftpgate.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ftpgate.config.PortRange;
import io.ftpgate.policy.PortSpan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EphemeralPortsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "range \"{0}\", reserved \"{1}\", pinholes {2}: {3} exposed")
    @CsvSource(delimiter = '|', value = {
        // Debian's defaults: the default ranges lie wholly inside. (The files' trailing newline: see below.)
        "32768 60999 | ''                       | 50000-50999 | 1000",
        "32768\t60999 | ''                       | 51000-51999 | 1000",
        // Reserved ports are never handed out, in whatever form the kernel lists them.
        "32768 60999 | '50000-51999'            | 50000-50999 | 0",
        "32768 60999 | '50000-50499,50500'      | 50000-50999 | 499",
        "32768 60999 | '80,50010-50019'         | 50000-50999 | 990",
        // Partly or wholly outside the ephemeral range.
        "32768 60999 | ''                       | 60000-61999 | 1000",
        "32768 60999 | ''                       | 61000-61999 | 0",
        "32768 60999 | ''                       | 20000-20999 | 0",
        "1024 65535  | ''                       | 1024-1024   | 1",
    })
    void countsThePinholePortsTheKernelMayHandOut(String range, String reserved, String pinholes, int exposed) {
        EphemeralPorts kernel = EphemeralPorts.parse(range, reserved);
        assertThat(kernel.exposed(PortRange.parse(pinholes))).isEqualTo(exposed);
    }

    @Test
    void parsesTheKernelsForms() {
        EphemeralPorts kernel = EphemeralPorts.parse("32768\t60999\n", "80,443,50000-51999\n");
        assertThat(kernel.ephemeral()).isEqualTo(new PortSpan(32768, 60999));
        assertThat(kernel.reserved()).containsExactly(new PortSpan(80, 80), new PortSpan(443, 443),
                new PortSpan(50000, 51999));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"'' | ''", "32768 | ''", "a b | ''", "60999 32768 | ''",
        "32768 60999 | 5-x", "32768 60999 | 70000"})
    void rejectsWhatIsNotTheKernelsForm(String range, String reserved) {
        assertThatThrownBy(() -> EphemeralPorts.parse(range, reserved))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "reserved \"{0}\" + pinholes {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "''                | 50000-50999,51000-51999 | 50000-51999",
        "''                | 51000-51999,50000-50999 | 50000-51999",
        "'80,443'          | 50000-50999             | 80,443,50000-50999",
        "'50500-50600'     | 50000-50999             | 50000-50999",
        "'60000'           | 50000-50999,52000-52999 | 50000-50999,52000-52999,60000",
        "''                | 50000-50000             | 50000",
    })
    void suggestsAReservedValueThatKeepsWhatIsThere(String reserved, String pinholes, String expected) {
        EphemeralPorts kernel = EphemeralPorts.parse("32768 60999", reserved);
        List<PortRange> ranges = java.util.Arrays.stream(pinholes.split(",")).map(PortRange::parse).toList();
        assertThat(kernel.reservedWith(ranges)).isEqualTo(expected);
    }

    @Test
    void readsBothFilesAndToleratesAMissingReservedFile() throws Exception {
        Files.writeString(dir.resolve("ip_local_port_range"), "40000\t49999\n");  // as /proc writes it
        assertThat(EphemeralPorts.read(dir)).contains(new EphemeralPorts(new PortSpan(40000, 49999), List.of()));
        Files.writeString(dir.resolve("ip_local_reserved_ports"), "45000-45099\n");
        assertThat(EphemeralPorts.read(dir).orElseThrow().exposed(PortRange.parse("45000-45199"))).isEqualTo(100);
    }

    @Test
    void nothingToReadMeansNothingToWarnAbout() throws Exception {
        assertThat(EphemeralPorts.read(dir)).isEmpty();
        Files.writeString(dir.resolve("ip_local_port_range"), "garbage\n");
        assertThat(EphemeralPorts.read(dir)).isEmpty();
    }

    @Test
    void readsThisMachinesKernel() throws Exception {
        Path file = EphemeralPorts.PROC_IPV4.resolve("ip_local_port_range");
        assumeTrue(Files.isReadable(file), "not Linux");
        // sysctl files report size 0; a reader that trusts the size gets "3" instead of "32768\t60999".
        String[] expected = Files.readAllLines(file).get(0).trim().split("\\s+");
        assertThat(EphemeralPorts.read(EphemeralPorts.PROC_IPV4).orElseThrow().ephemeral())
                .isEqualTo(new PortSpan(Integer.parseInt(expected[0]), Integer.parseInt(expected[1])));
    }
}
