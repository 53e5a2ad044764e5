package io.ftpgate.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.protocol.FtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ClientRepliesTest {

    private static String drain(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    @Test
    void repliesAreWrittenInOrder() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ClientReplies r = new ClientReplies(ch);
        r.send(FtpReply.of(150, "Opening"));
        r.send(FtpReply.of(200, "ok"));
        assertThat(drain(ch)).isEqualTo("150 Opening\r\n200 ok\r\n");
    }

    @Test
    void repliesWaitBehindAReservedSlot() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ClientReplies r = new ClientReplies(ch);
        r.send(FtpReply.of(150, "Opening"));
        r.reserve();
        r.send(FtpReply.of(226, "ABOR ok"));
        assertThat(drain(ch)).isEqualTo("150 Opening\r\n");
        r.fill(FtpReply.of(426, "aborted"));
        assertThat(drain(ch)).isEqualTo("426 aborted\r\n226 ABOR ok\r\n");
    }

    @Test
    void aReplyProducedWhileTheSlotIsFilledQueuesBehindTheWaitingOnes() {
        // Water marks of 1/2 bytes: every write makes the channel unwritable, and its flush writable again, both
        // firing channelWritabilityChanged synchronously, as a real client connection does when it crosses them.
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        ClientReplies r = new ClientReplies(ch);
        boolean[] once = {false};
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                // The session, woken by writability, runs the next queued command and answers it at once.
                if (!once[0]) {
                    once[0] = true;
                    r.send(FtpReply.of(200, "next command"));
                }
            }
        });
        r.reserve();
        r.send(FtpReply.of(226, "ABOR ok"));
        r.fill(FtpReply.of(426, "aborted"));
        assertThat(once[0]).isTrue();
        assertThat(drain(ch)).isEqualTo("426 aborted\r\n226 ABOR ok\r\n200 next command\r\n");
    }

    @Test
    void multiLineReplyIsRegeneratedWithPaddedIntermediateLines() {
        EmbeddedChannel ch = new EmbeddedChannel();
        new ClientReplies(ch).send(FtpReply.multiLine(250,
                java.util.List.of("first", "227 Entering Passive Mode (10,0,0,1,0,22)", "last")));
        // An intermediate line that looks like a final 227 is padded, so nothing downstream can act on it.
        assertThat(drain(ch)).isEqualTo("250-first\r\n 227 Entering Passive Mode (10,0,0,1,0,22)\r\n250 last\r\n");
    }
}
