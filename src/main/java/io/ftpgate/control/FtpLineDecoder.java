package io.ftpgate.control;

import io.ftpgate.protocol.LineScanner;
import io.ftpgate.protocol.LineViolation;
import io.ftpgate.protocol.TelnetSignal;
import io.ftpgate.protocol.TlsOpening;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits a control stream into complete lines using the pure {@link LineScanner}, emitting {@code String}
 * lines (ISO-8859-1, one char per byte, so paths stay byte-transparent), {@link TelnetSignal}s and at most one
 * {@link LineViolation}, after which it discards all input.
 *
 * <p>Only complete lines ever leave this decoder: a command or reply split across TCP segments is reassembled
 * here, and nothing downstream ever sees a partial line (the defence against segment-splitting tricks on
 * packet-level ALGs).
 *
 * <p>In the client direction the first bytes are judged by {@link TlsOpening} before any framing: a TLS
 * client's record header is emitted as one line (which the session refuses as another protocol) and the rest
 * discarded, where line framing would only have seen the NUL inside its ClientHello.
 */
final class FtpLineDecoder extends ByteToMessageDecoder {

    /** Copy chunk for direct buffers; the control path is low-volume, a small buffer is enough. */
    private static final int CHUNK = 2048;

    private final LineScanner scanner;
    /** The client's opening: UNDECIDED until {@link TlsOpening#PREFIX_BYTES} have come; servers are not judged. */
    private TlsOpening.Verdict opening;
    private final byte[] chunk = new byte[CHUNK];
    /** The output list of the decode call in progress; the sink below appends to it (one sink, no per-read object). */
    private List<Object> decoded;
    private final LineScanner.Sink sink = new LineScanner.Sink() {
        @Override
        public void line(String line) {
            decoded.add(line);
        }

        @Override
        public void telnet(TelnetSignal signal) {
            decoded.add(signal);
        }

        @Override
        public void violation(LineViolation v) {
            decoded.add(v);
        }
    };

    /**
     * @param maxLineBytes line cap
     * @param telnet       decode Telnet IAC sequences and judge the opening bytes (client direction)
     */
    FtpLineDecoder(int maxLineBytes, boolean telnet) {
        this.scanner = new LineScanner(maxLineBytes, telnet);
        this.opening = telnet ? TlsOpening.Verdict.UNDECIDED : TlsOpening.Verdict.NOT_TLS;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decoded = out;
        if (opening == TlsOpening.Verdict.UNDECIDED) {
            int n = Math.min(in.readableBytes(), TlsOpening.PREFIX_BYTES);
            in.getBytes(in.readerIndex(), chunk, 0, n);
            opening = TlsOpening.of(chunk, 0, n);
            if (opening == TlsOpening.Verdict.UNDECIDED) {
                return;  // the bytes stay in the cumulation until the next read
            }
            if (opening == TlsOpening.Verdict.TLS) {
                out.add(new String(chunk, 0, n, StandardCharsets.ISO_8859_1));
            }
        }
        if (scanner.isDead() || opening == TlsOpening.Verdict.TLS) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable() && !scanner.isDead()) {
            int n = Math.min(in.readableBytes(), CHUNK);
            if (in.hasArray()) {
                scanner.feed(in.array(), in.arrayOffset() + in.readerIndex(), n, sink);
            } else {
                in.getBytes(in.readerIndex(), chunk, 0, n);
                scanner.feed(chunk, 0, n, sink);
            }
            in.skipBytes(n);
        }
        if (scanner.isDead()) {
            in.skipBytes(in.readableBytes());
        }
    }
}
