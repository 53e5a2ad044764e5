package io.ftpgate.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.kernel.NftBatch.Family;
import io.ftpgate.kernel.NftCounters.Counter;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The counter query against what nft sends for {@code nft get element} and what the kernel answered. */
class NftCountersTest {

    @Test
    void asksAsNftAsks() throws Exception {
        byte[] key = KernelPinholes.flowKey(InetAddress.getByName("10.77.1.2"), 40000, KernelPinholes.CT_DIR_ORIGINAL);
        assertThat(HexFormat.ofDelimiter(" ").formatHex(NftCounters.elementRequest(1, Family.INET, "ftpgate_t", "flows4", key)))
                .isEqualTo(HexFormat.ofDelimiter(" ").formatHex(NftBatchTest.read("get-flow4")));
    }

    @Test
    void readsTheCounterOutOfTheKernelsAnswer() throws Exception {
        byte[] answers = NftBatchTest.read("get-flow4-reply"); // the element (counter packets 5 bytes 1268), then the ack
        assertThat(NftCounters.parseElement(answers, answers.length)).contains(new Counter(1268, 5));
        assertThat(NetlinkReplies.parse(answers, answers.length)).containsExactly(new NetlinkReplies.Ack(1, 0));
    }

    @Test
    void resetsTheImpostorsCounterAsNftDoes() throws Exception {
        byte[] nft = NftBatchTest.read("reset-impostors");
        // nft 1.0.6 leaves the two padding bytes after each string as they were in memory; ftpgate zeroes them.
        for (int padding : new int[] {0x22, 0x23, 0x32, 0x33}) {
            nft[padding] = 0;
        }
        assertThat(HexFormat.ofDelimiter(" ").formatHex(
                NftCounters.resetObjectRequest(1, Family.INET, "ftpgate_t", "impostors")))
                .isEqualTo(HexFormat.ofDelimiter(" ").formatHex(nft));
    }

    @Test
    void readsTheNamedCounterOutOfTheKernelsAnswer() throws Exception {
        byte[] answers = NftBatchTest.read("reset-impostors-reply"); // counter impostors { packets 3 bytes 180 }
        assertThat(NftCounters.parseObject(answers, answers.length)).contains(new Counter(180, 3));
        assertThat(NftCounters.parseElement(answers, answers.length)).isEmpty();
    }

    @Test
    void anAnswerWithoutAnElementHasNoCounter() throws Exception {
        byte[] answers = NftBatchTest.read("get-flow4-reply");
        int elementLength = 0x84; // the first message; the acknowledgement follows it
        byte[] ackOnly = Arrays.copyOfRange(answers, elementLength, answers.length);
        assertThat(NftCounters.parseElement(ackOnly, ackOnly.length)).isEmpty();
    }
}
