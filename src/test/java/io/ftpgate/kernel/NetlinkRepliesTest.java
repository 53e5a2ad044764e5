package io.ftpgate.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpgate.kernel.NetlinkReplies.Ack;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The answer parser against a captured kernel refusal and acknowledgements laid out as netlink(7) says. */
class NetlinkRepliesTest {

    @Test
    void readsTheKernelsRefusalWithItsSequenceNumberAndErrno() throws IOException {
        byte[] reply = NftBatchTest.read("reply-delete-missing"); // ENOENT, with the echoed request and an ext-ack
        assertThat(NetlinkReplies.parse(reply, reply.length)).containsExactly(new Ack(1, Errno.ENOENT));
    }

    @Test
    void readsSeveralAcknowledgementsInOneBuffer() {
        byte[] two = concat(ack(7, 0), ack(8, 0));
        assertThat(NetlinkReplies.parse(two, two.length)).containsExactly(new Ack(7, 0), new Ack(8, 0));
        assertThat(NetlinkReplies.parse(two, two.length)).allMatch(Ack::ok);
    }

    @Test
    void skipsOtherMessageTypes() {
        byte[] done = ack(9, 0);
        ByteBuffer.wrap(done).order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) NetlinkReplies.NLMSG_DONE);
        byte[] both = concat(done, ack(10, Errno.EEXIST));
        assertThat(NetlinkReplies.parse(both, both.length)).containsExactly(new Ack(10, Errno.EEXIST));
    }

    @Test
    void onlyTheReceivedLengthCounts() {
        byte[] buffer = Arrays.copyOf(ack(3, 0), 4096);
        assertThat(NetlinkReplies.parse(buffer, 36)).containsExactly(new Ack(3, 0));
    }

    @Test
    void refusesAMessageLongerThanWhatWasReceived() {
        byte[] cut = Arrays.copyOf(ack(3, 0), 30);
        assertThatThrownBy(() -> NetlinkReplies.parse(cut, cut.length))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("malformed netlink answer");
    }

    @Test
    void refusesAnErrorMessageTooShortForItsErrno() {
        byte[] tiny = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(16)
                .putShort((short) NetlinkReplies.NLMSG_ERROR).array();
        assertThatThrownBy(() -> NetlinkReplies.parse(tiny, tiny.length))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("an error message of 16 bytes");
    }

    /**
     * An acknowledgement as the kernel sends it for a request with NLM_F_ACK: header, the negated errno, and the
     * request's own header only (NLM_F_CAPPED, 0x100, since the payload is not echoed when it succeeded).
     */
    private static byte[] ack(int seq, int errno) {
        return ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(36).putShort((short) NetlinkReplies.NLMSG_ERROR).putShort((short) 0x100).putInt(seq).putInt(0)
                .putInt(-errno)
                .putInt(48).putShort((short) 0x0a0c).putShort((short) 0x0405).putInt(seq).putInt(0).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
