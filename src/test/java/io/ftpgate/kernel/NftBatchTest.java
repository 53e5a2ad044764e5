package io.ftpgate.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.kernel.NftBatch.Family;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The encoder against the golden bytes: what {@code nft} 1.0.6 sends for the same command, captured by
 * src/test/resources/kernel/golden/capture.sh (each file names its command). {@code nft} numbers a batch from
 * sequence 0 and names each set by a transaction id as well (armed4 1, target4 2, armed6 3, target6 4, ...
 * source4 7 in ruleset.nft's order), so the calls below pass the same.
 */
class NftBatchTest {

    private static final String TABLE = "ftpgate_t";
    private static final Duration THIRTY_SECONDS = Duration.ofSeconds(30);

    static Stream<Arguments> golden() {
        return Stream.of(
                golden("add-armed4", () -> nft().add("armed4", 1, ep("10.77.1.2", 40000), null, THIRTY_SECONDS)),
                golden("add-target4", () -> nft().add("target4", 2, ep("10.77.1.2", 40000), ep("10.77.2.2", 9000),
                        THIRTY_SECONDS)),
                golden("add-pinhole4", () -> nft()
                        .add("armed4", 1, ep("10.77.1.2", 40001), null, Duration.ofMillis(2500))
                        .add("target4", 2, ep("10.77.1.2", 40001), ep("10.77.2.2", 65535), Duration.ofMillis(2500))),
                golden("add-pinhole6", () -> nft()
                        .add("armed6", 3, ep("fd77:1::2", 40002), null, THIRTY_SECONDS)
                        .add("target6", 4, ep("fd77:1::2", 40002), ep("fd77:2::2", 21), THIRTY_SECONDS)),
                golden("add-target4-permanent", () -> nft().add("target4", 2, ep("10.77.1.2", 40000),
                        ep("10.77.2.2", 9000), null)),
                golden("add-source4", () -> nft().add("source4", 7, ep("10.77.1.2", 40000), ip("10.77.2.1"), null)),
                golden("delete-pinhole4", () -> nft()
                        .delete("armed4", ep("10.77.1.2", 40001)).delete("target4", ep("10.77.1.2", 40001))),
                golden("delete-pinhole6", () -> nft()
                        .delete("armed6", ep("fd77:1::2", 40002)).delete("target6", ep("fd77:1::2", 40002))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void encodesWhatNftSends(String capture, Supplier<NftBatch> batch) throws IOException {
        assertThat(HexFormat.ofDelimiter(" ").formatHex(batch.get().end().bytes()))
                .isEqualTo(HexFormat.ofDelimiter(" ").formatHex(read(capture)));
    }

    @Test
    void ftpgatesOwnTransactionsDifferOnlyInTheAckAndExclusiveFlags() throws IOException {
        byte[] own = NftBatch.begin(0, Family.INET, TABLE).acknowledged().exclusive()
                .add("armed4", 1, ep("10.77.1.2", 40000), null, THIRTY_SECONDS).end().bytes();
        byte[] nft = read("add-armed4");
        int flags = 20 + 6; // the element message follows the 20-byte batch begin; flags at offset 6 of its header
        assertThat(flag(own, flags)).isEqualTo(flag(nft, flags) | NftBatch.NLM_F_ACK | NftBatch.NLM_F_EXCL);
        own[flags] = nft[flags];
        own[flags + 1] = nft[flags + 1];
        assertThat(own).isEqualTo(nft);
    }

    @Test
    void theEncodedBatchSaysWhichSequenceNumbersToAwait() {
        NftBatch.Encoded e = NftBatch.begin(41, Family.INET, TABLE).acknowledged()
                .add("armed4", 0, ep("10.77.1.2", 40000), null, THIRTY_SECONDS)
                .add("target4", 0, ep("10.77.1.2", 40000), ep("10.77.2.2", 9000), THIRTY_SECONDS).end();
        assertThat(e.firstElementSeq()).isEqualTo(42);
        assertThat(e.elementMessages()).isEqualTo(2);
        assertThat(e.nextSeq()).isEqualTo(45); // begin 41, elements 42 and 43, end 44
        assertThat(e.acknowledged()).isTrue();
    }

    @Test
    void deletesCarryTheAckFlagButNeverCreateOrExclusive() {
        byte[] b = NftBatch.begin(0, Family.INET, TABLE).acknowledged().exclusive()
                .delete("armed4", ep("10.77.1.2", 40000)).end().bytes();
        assertThat(flag(b, 26)).isEqualTo(NftBatch.NLM_F_REQUEST | NftBatch.NLM_F_ACK);
    }

    private static int flag(byte[] b, int offset) {
        return Short.toUnsignedInt(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(offset));
    }

    private static Arguments golden(String capture, Supplier<NftBatch> batch) {
        return Arguments.of(capture, batch);
    }

    private static NftBatch nft() {
        return NftBatch.begin(0, Family.INET, TABLE);
    }

    /** An {@code address . port} key or value. */
    /** An address alone, as the data of a map of type {@code ipv4_addr} (the {@code source} maps). */
    static byte[] ip(String address) {
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static byte[] ep(String address, int port) {
        try {
            return NftBatch.addressPort(InetAddress.getByName(address), port);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The hex bytes of a capture, its '#' lines (the command, nft's version) left out. */
    static byte[] read(String capture) throws IOException {
        try (InputStream in = NftBatchTest.class.getResourceAsStream("/kernel/golden/" + capture + ".hex")) {
            StringBuilder hex = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.startsWith("#")) {
                    hex.append(line.replace(" ", ""));
                }
            }
            return HexFormat.of().parseHex(hex);
        }
    }
}
