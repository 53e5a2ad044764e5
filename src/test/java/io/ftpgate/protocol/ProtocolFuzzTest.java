package io.ftpgate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzz targets for the pure protocol code. In the normal build each runs its committed seeds
 * (regression mode); {@code fuzz/run.sh} fuzzes one for as long as asked. Oracle: only the documented
 * exception ({@link FtpSyntaxException}) may escape, and what is accepted satisfies the invariants the
 * gateway relies on.
 */
class ProtocolFuzzTest {

    /** Lines never exceed the cap and never contain CR, LF or NUL; after a violation nothing more comes out. */
    @FuzzTest(maxDuration = "24h")
    void lineScanner(byte[] input) {
        if (input.length == 0) {
            return;
        }
        boolean telnet = (input[0] & 1) == 1;
        int cap = 16 + (input[0] & 0xff);
        LineScanner scanner = new LineScanner(cap, telnet);
        List<String> lines = new ArrayList<>();
        int[] violations = {0};
        LineScanner.Sink sink = new LineScanner.Sink() {
            @Override
            public void line(String line) {
                assertThat(violations[0]).as("line after a violation").isZero();
                lines.add(line);
            }

            @Override
            public void telnet(TelnetSignal signal) {
            }

            @Override
            public void violation(LineViolation v) {
                violations[0]++;
            }
        };
        // Feed in chunks whose sizes come from the input, so segment boundaries are fuzzed too.
        int pos = 1;
        while (pos < input.length) {
            int n = Math.min(input.length - pos, 1 + (input[pos] & 0x0f));
            scanner.feed(input, pos, n, sink);
            pos += n;
        }
        assertThat(violations[0]).isLessThanOrEqualTo(1);
        for (String l : lines) {
            assertThat(l.length()).isLessThanOrEqualTo(cap);
            assertThat(l).doesNotContain("\r", "\n", "\0");
        }
    }

    /** Accepted data addresses are in range and survive a format/parse round trip. */
    @FuzzTest(maxDuration = "24h")
    void dataAddresses(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        for (int which = 0; which < 4; which++) {
            try {
                switch (which) {
                    case 0 -> {
                        HostPort hp = DataAddresses.parsePort(text);
                        assertThat(hp.port()).isBetween(0, 65535);
                        assertThat(DataAddresses.parsePort(DataAddresses.formatPort((Inet4Address) hp.address(),
                                hp.port()))).isEqualTo(hp);
                    }
                    case 1 -> {
                        HostPort hp = DataAddresses.parseEprt(text);
                        assertThat(hp.port()).isBetween(0, 65535);
                        assertThat(DataAddresses.parseEprt(DataAddresses.formatEprt(hp.address(), hp.port())))
                                .isEqualTo(hp);
                    }
                    case 2 -> {
                        HostPort hp = DataAddresses.parsePasvReply(text);
                        assertThat(hp.port()).isBetween(0, 65535);
                        assertThat(hp.address()).isInstanceOf(Inet4Address.class);
                    }
                    default -> assertThat(DataAddresses.parseEpsvReply(text)).isBetween(1, 65535);
                }
            } catch (FtpSyntaxException expected) {
                assertThat(expected.code()).isNotBlank();
            }
        }
    }

    /** Assembled replies are well-formed and their regenerated wire form assembles to the same reply. */
    @FuzzTest(maxDuration = "24h")
    void replyAssembler(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        ReplyAssembler assembler = new ReplyAssembler(64, 8192);
        for (String line : text.split("\n", -1)) {
            if (line.indexOf('\r') >= 0 || line.indexOf('\0') >= 0) {
                continue; // the line scanner never delivers these
            }
            try {
                FtpReply reply = assembler.accept(line);
                if (reply != null) {
                    assertThat(reply.code()).isBetween(100, 599);
                    assertThat(reassemble(reply.encode())).isEqualTo(reply.encode());
                }
            } catch (FtpSyntaxException expected) {
                assertThat(expected.code()).isIn("reply-malformed", "reply-too-long");
            }
        }
    }

    private static String reassemble(String wire) {
        ReplyAssembler again = new ReplyAssembler();
        assertThat(wire).endsWith("\r\n");
        FtpReply out = null;
        for (String l : wire.substring(0, wire.length() - 2).split("\r\n", -1)) {
            try {
                assertThat(out).as("reply ended early").isNull();
                out = again.accept(l);
            } catch (FtpSyntaxException e) {
                throw new AssertionError("regenerated reply does not parse: " + wire, e);
            }
        }
        assertThat(out).as("regenerated reply incomplete: " + wire).isNotNull();
        return out.encode();
    }
}
