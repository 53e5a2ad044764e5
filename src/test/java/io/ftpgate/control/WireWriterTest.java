package io.ftpgate.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.protocol.FtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire bytes of lines and replies: byte-transparent ISO-8859-1, CR LF, and scratch reuse across sizes. */
class WireWriterTest {

    private static byte[] bytes(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void aCommandLineKeepsEveryByteAndGetsCrLf() {
        // A path with bytes 0x80-0xFF (a Latin-1 name, and the doubled Telnet IAC the session sends for 0xFF).
        String line = "RETR caf\u00e9/\u00ff\u00ff/\u0080\u00a0.bin";
        assertThat(bytes(WireWriter.line(ByteBufAllocator.DEFAULT, line)))
                .isEqualTo((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aReplyIsItsEncodedForm() {
        FtpReply reply = FtpReply.multiLine(211, List.of("Features:", "227 (1,2,3,4,5,6)", " UTF8", "End"));
        assertThat(bytes(WireWriter.reply(ByteBufAllocator.DEFAULT, reply)))
                .isEqualTo(reply.encode().getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aLongLineThenAShortOneAreBothWhole() {
        String longText = "x".repeat(10_000) + "\u00e9";
        FtpReply longReply = FtpReply.of(214, longText);
        assertThat(bytes(WireWriter.reply(ByteBufAllocator.DEFAULT, longReply)))
                .isEqualTo(longReply.encode().getBytes(StandardCharsets.ISO_8859_1));
        assertThat(bytes(WireWriter.line(ByteBufAllocator.DEFAULT, "NOOP")))
                .isEqualTo("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(bytes(WireWriter.reply(ByteBufAllocator.DEFAULT, FtpReply.of(200, "ok"))))
                .isEqualTo("200 ok\r\n".getBytes(StandardCharsets.US_ASCII));
    }
}
