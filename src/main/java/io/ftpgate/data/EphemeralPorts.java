package io.ftpgate.data;

import io.ftpgate.net.PortRange;
import io.ftpgate.net.PortRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The kernel's ephemeral port range, and which pinhole ports lie inside it.
 *
 * <p>Why it matters: every outgoing connection the gateway makes (the control connection to the server, an
 * early or active data leg) takes its local port from the kernel's ephemeral range
 * ({@code net.ipv4.ip_local_port_range}, 32768–60999 on Linux by default, and it applies to IPv6 too). If the
 * pinhole ranges lie inside it, such a connection can hold a port a pinhole then cannot bind: the pinhole skips
 * to another port, and under load the range runs short sooner. The ports listed in
 * {@code net.ipv4.ip_local_reserved_ports} are never handed out as ephemeral ports, so reserving the pinhole
 * ranges there removes the conflict without moving them. The parsing here is pure; only {@link #read} does I/O.
 *
 * @param ephemeral the kernel's ephemeral range
 * @param reserved  the ranges excluded from it ({@code ip_local_reserved_ports}), in the kernel's order
 */
public record EphemeralPorts(PortRange ephemeral, List<PortRange> reserved) {

    /**
     * The largest sysctl value read at once: {@code ip_local_reserved_ports} listing all 65,535 ports one by one,
     * every other port (no ranges to merge), is about 200 KB.
     */
    private static final int PROC_READ_MAX = 1 << 20;

    /** Where Linux keeps both settings; the values are per network namespace. */
    public static final Path PROC_IPV4 = Path.of("/proc/sys/net/ipv4");

    public EphemeralPorts {
        reserved = List.copyOf(reserved);
    }

    /**
     * Reads both settings from {@code dir} (normally {@link #PROC_IPV4}).
     *
     * @return empty where they do not exist or cannot be parsed (not Linux, no /proc): nothing to warn about
     */
    public static Optional<EphemeralPorts> read(Path dir) {
        try {
            Path reservedFile = dir.resolve("ip_local_reserved_ports");
            return Optional.of(parse(readProcFile(dir.resolve("ip_local_port_range")),
                    Files.isReadable(reservedFile) ? readProcFile(reservedFile) : ""));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Reads a sysctl file with one {@code read}. A sysctl file reports a size of 0, returns its whole value to
     * the first read and end-of-file to any read at a later offset. So a reader that reads in steps gets a prefix:
     * {@code Files.readString} returned only "3" of "32768\t60999" on JDK 17, and an 8 KiB first step would cut
     * a long reserved-ports list. A value that does not end in a newline was cut short, and is refused.
     */
    private static String readProcFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer buf = ByteBuffer.allocate(PROC_READ_MAX);
            int n = ch.read(buf);
            String value = n <= 0 ? "" : new String(buf.array(), 0, n, StandardCharsets.US_ASCII);
            if (!value.endsWith("\n")) {
                throw new IOException(file + ": value empty or cut short");
            }
            return value;
        }
    }

    /**
     * Parses the two files' contents: {@code "32768\t60999\n"} and {@code "50000-51999,60000\n"} (possibly empty).
     *
     * @throws IllegalArgumentException if either is not in that form
     */
    public static EphemeralPorts parse(String portRange, String reservedPorts) {
        String[] ends = portRange.trim().split("\\s+");
        if (ends.length != 2) {
            throw new IllegalArgumentException("expected 'LOW HIGH', got '" + portRange.trim() + "'");
        }
        PortRange ephemeral = new PortRange(Integer.parseInt(ends[0]), Integer.parseInt(ends[1]));
        List<PortRange> reserved = new ArrayList<>();
        for (String item : reservedPorts.trim().split(",")) {
            if (!item.isBlank()) {
                String[] lh = item.trim().split("-", 2);
                int low = Integer.parseInt(lh[0].trim());
                int high = lh.length == 2 ? Integer.parseInt(lh[1].trim()) : low;
                // The kernel accepts port 0 here; no pinhole can use it, so only the rest of the entry counts.
                if (high >= 1) {
                    reserved.add(new PortRange(Math.max(low, 1), high));
                }
            }
        }
        return new EphemeralPorts(ephemeral, reserved);
    }

    /** Ports of {@code pinholes} the kernel may hand out to outgoing connections: in the range, not reserved. */
    public int exposed(PortRange pinholes) {
        int count = 0;
        for (int p = Math.max(pinholes.low(), ephemeral.low()); p <= Math.min(pinholes.high(), ephemeral.high());
                p++) {
            if (!isReserved(p)) {
                count++;
            }
        }
        return count;
    }

    /**
     * The value for {@code ip_local_reserved_ports} that keeps what is reserved now and adds {@code pinholes}:
     * merged, sorted ranges such as {@code "50000-51999"}.
     */
    public String reservedWith(Collection<PortRange> pinholes) {
        List<PortRange> all = new ArrayList<>(reserved);
        pinholes.forEach(r -> all.add(new PortRange(r.low(), r.high())));
        all.sort(Comparator.comparingInt(PortRange::low));
        List<PortRange> merged = new ArrayList<>();
        for (PortRange r : all) {
            PortRange last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r.low() <= last.high() + 1) {
                merged.set(merged.size() - 1, new PortRange(last.low(), Math.max(last.high(), r.high())));
            } else {
                merged.add(r);
            }
        }
        return merged.stream().map(r -> r.low() == r.high() ? String.valueOf(r.low()) : r.low() + "-" + r.high())
                .collect(Collectors.joining(","));
    }

    private boolean isReserved(int port) {
        return reserved.stream().anyMatch(r -> r.contains(port));
    }
}
