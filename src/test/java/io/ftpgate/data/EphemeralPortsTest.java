package io.ftpgate.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ftpgate.net.PortRange;
import io.ftpgate.net.PortRange;
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
        // Debian's kernel defaults; ranges such as ftpgate's old defaults lie wholly inside. (The trailing
        // newline of the files: see the tests that read them.)
        "32768 60999 | ''                       | 50000-50999 | 1000",
        "32768\t60999 | ''                       | 51000-51999 | 1000",
        // Reserved ports are never handed out, in whatever form the kernel lists them.
        "32768 60999 | '50000-51999'            | 50000-50999 | 0",
        "32768 60999 | '50000-50499,50500'      | 50000-50999 | 499",
        "32768 60999 | '80,50010-50019'         | 50000-50999 | 990",
        "32768 60999 | '0,0-50009'              | 50000-50999 | 990",  // the kernel accepts port 0 here
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
        assertThat(kernel.ephemeral()).isEqualTo(new PortRange(32768, 60999));
        assertThat(kernel.reserved()).containsExactly(new PortRange(80, 80), new PortRange(443, 443),
                new PortRange(50000, 51999));
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
        assertThat(EphemeralPorts.read(dir)).contains(new EphemeralPorts(new PortRange(40000, 49999), List.of()));
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
    void aValueCutShortIsRefusedNotMisread() throws Exception {
        // Without its newline the value may be a prefix ("3" of "32768\t60999", or part of a long list).
        Files.writeString(dir.resolve("ip_local_port_range"), "32768\t60999");
        assertThat(EphemeralPorts.read(dir)).isEmpty();
        Files.writeString(dir.resolve("ip_local_port_range"), "32768\t60999\n");
        Files.writeString(dir.resolve("ip_local_reserved_ports"), "50000-50");
        assertThat(EphemeralPorts.read(dir)).isEmpty();
    }

    @Test
    void aLongReservedListIsReadWhole() throws Exception {
        // Every other port from 1024 on, each listed singly: about 200 KB, far past any small first read.
        StringBuilder list = new StringBuilder();
        for (int p = 1024; p <= 65534; p += 2) {
            list.append(p == 1024 ? "" : ",").append(p);
        }
        Files.writeString(dir.resolve("ip_local_port_range"), "32768\t60999\n");
        Files.writeString(dir.resolve("ip_local_reserved_ports"), list + "\n");
        assertThat(EphemeralPorts.read(dir).orElseThrow().exposed(PortRange.parse("60000-60999"))).isEqualTo(500);
    }

    @Test
    void readsThisMachinesKernel() throws Exception {
        Path file = EphemeralPorts.PROC_IPV4.resolve("ip_local_port_range");
        assumeTrue(Files.isReadable(file), "not Linux");
        // sysctl files report size 0; a reader that trusts the size gets "3" instead of "32768\t60999".
        String[] expected = Files.readAllLines(file).get(0).trim().split("\\s+");
        assertThat(EphemeralPorts.read(EphemeralPorts.PROC_IPV4).orElseThrow().ephemeral())
                .isEqualTo(new PortRange(Integer.parseInt(expected[0]), Integer.parseInt(expected[1])));
    }
}
