package io.ftpgate.control;

import io.ftpgate.protocol.FtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Turns a control line into the buffer that goes on the wire, without allocating anything per line but the
 * buffer itself (issue 6: "no allocation per line that can be avoided on the control path").
 *
 * <p>Control text is ISO-8859-1, one byte per char: the line decoder builds its Strings that way, and an
 * {@link FtpReply} refuses any char above 0xFF. So each char is narrowed into a byte array kept per event-loop
 * thread and copied into the buffer in one go; a reply is first encoded into a builder kept the same way. Both
 * are used up before the buffer is returned, so a write that re-enters the session (a writability event running
 * the next command) cannot disturb them, and a session holds no per-connection copy.
 */
public final class WireWriter {

    /** Scratch sizes kept between lines; a longer line (a FEAT or HELP listing) grows them once, then they shrink. */
    private static final int INITIAL = 256;
    private static final int MAX_KEPT = 4096;

    private static final FastThreadLocal<WireWriter> LOCAL = new FastThreadLocal<>() {
        @Override
        protected WireWriter initialValue() {
            return new WireWriter();
        }
    };

    private StringBuilder text = new StringBuilder(INITIAL);
    private byte[] bytes = new byte[INITIAL];

    private WireWriter() {
    }

    /** The regenerated wire form of {@code reply} ({@link FtpReply#encodeTo}), in a new buffer. */
    public static ByteBuf reply(ByteBufAllocator alloc, FtpReply reply) {
        WireWriter w = LOCAL.get();
        w.text.setLength(0);
        ByteBuf buf = w.toBuffer(alloc, reply.encodeTo(w.text), false);
        if (w.text.capacity() > MAX_KEPT) {
            w.text = new StringBuilder(INITIAL);
        }
        return buf;
    }

    /** {@code line} followed by CR LF, in a new buffer: a command as the gateway sends it to the server. */
    public static ByteBuf line(ByteBufAllocator alloc, CharSequence line) {
        return LOCAL.get().toBuffer(alloc, line, true);
    }

    private ByteBuf toBuffer(ByteBufAllocator alloc, CharSequence s, boolean crlf) {
        int n = s.length();
        int total = crlf ? n + 2 : n;
        if (bytes.length < total) {
            bytes = new byte[Math.max(total, bytes.length * 2)];
        }
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) s.charAt(i); // ISO-8859-1: the char is the byte
        }
        if (crlf) {
            bytes[n] = '\r';
            bytes[n + 1] = '\n';
        }
        ByteBuf buf = alloc.buffer(total).writeBytes(bytes, 0, total);
        if (bytes.length > MAX_KEPT) {
            bytes = new byte[INITIAL];
        }
        return buf;
    }
}
