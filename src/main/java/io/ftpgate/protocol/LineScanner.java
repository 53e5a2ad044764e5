package io.ftpgate.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Pure, incremental splitter of a control stream into lines (RFC 959 §4.1: Telnet NVT lines ending CRLF).
 *
 * <p>Framing rules, applied to the data bytes after Telnet decoding:
 * <ul>
 *   <li>a line ends at LF, whether {@code CR LF} or a bare {@code LF}. vsftpd ends lines on LF, so splitting the
 *       same way means no server behind us can see a line boundary we did not see ({@code PASS foo\nbar} is two
 *       lines to both);</li>
 *   <li>a CR not followed by LF is {@link LineViolation#BARE_CR}; a CR at the end of a chunk waits for the next;</li>
 *   <li>a NUL anywhere is {@link LineViolation#NUL_BYTE} (this also refuses RFC 2640's {@code CR NUL});</li>
 *   <li>more than {@code maxLineBytes} bytes before the terminator is {@link LineViolation#LINE_TOO_LONG},
 *       reported on the first byte past the cap, so the buffer never grows beyond the cap.</li>
 * </ul>
 * After any violation the scanner is dead and ignores further input: a stream that broke framing once cannot be
 * resynchronised safely.
 *
 * <p>With {@code telnet == true} (the client-to-gateway direction) Telnet sequences are decoded first (RFC 854):
 * <pre>
 *   IAC IAC                 -&gt; one 0xFF data byte
 *   IAC WILL|WONT|DO|DONT x -&gt; swallowed (no option is ever agreed)
 *   IAC SB ... IAC SE       -&gt; swallowed
 *   IAC cmd (IP, DM, ...)   -&gt; removed, reported through {@link Sink#telnet}
 * </pre>
 * Telnet bytes do not count toward the line length, but one subnegotiation longer than {@code maxLineBytes} is
 * reported as {@link LineViolation#LINE_TOO_LONG} so that a stream of SB bytes cannot be swallowed forever. Any
 * sequence may be split across chunks. With {@code telnet == false} (server replies) 0xFF is plain data.
 *
 * <p>Not thread-safe: one instance belongs to one direction of one session, on that session's event loop.
 */
public final class LineScanner {

    /** Receives the scanner's output, in stream order. Callbacks run inside {@link #feed}. */
    public interface Sink {
        /** A complete line without its terminator, as an ISO-8859-1 byte string. */
        void line(String line);

        /** A Telnet command other than option negotiation or subnegotiation. */
        void telnet(TelnetSignal signal);

        /** A framing violation; it is the last callback this scanner ever makes. */
        void violation(LineViolation v);
    }

    private static final int CR = '\r';
    private static final int LF = '\n';
    private static final int INITIAL_BUFFER = 128;

    /** Where the Telnet decoder is inside a sequence; all but DATA survive a chunk boundary. */
    private enum TelnetState { DATA, IAC, OPTION, SUBNEGOTIATION, SUBNEGOTIATION_IAC }

    private final int maxLineBytes;
    private final boolean telnet;

    private byte[] buffer = new byte[INITIAL_BUFFER];
    private int count;
    private boolean pendingCr;
    private TelnetState telnetState = TelnetState.DATA;
    private int subnegotiationBytes;
    private boolean dead;

    /**
     * Creates a scanner.
     *
     * @param maxLineBytes the cap on a line's bytes, excluding the terminator (normally
     *                     {@link FtpLimits#MAX_LINE_BYTES})
     * @param telnet       whether to decode Telnet IAC sequences (client-to-gateway direction)
     */
    public LineScanner(int maxLineBytes, boolean telnet) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive, got " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
        this.telnet = telnet;
    }

    /** Scans {@code length} bytes of {@code buf} from {@code offset}, reporting to {@code sink}. */
    public void feed(byte[] buf, int offset, int length, Sink sink) {
        Objects.checkFromIndexSize(offset, length, buf.length);
        Objects.requireNonNull(sink, "sink");
        for (int i = offset; i < offset + length && !dead; i++) {
            int b = buf[i] & 0xff;
            if (telnet) {
                telnetByte(b, sink);
            } else {
                dataByte(b, sink);
            }
        }
    }

    /** True once a violation has been reported; all further input is ignored. */
    public boolean isDead() {
        return dead;
    }

    /** Bytes of the current incomplete line (data bytes only; a pending CR is not counted). */
    public int bufferedBytes() {
        return count;
    }

    private void telnetByte(int b, Sink sink) {
        switch (telnetState) {
            case DATA -> {
                if (b == TelnetSignal.IAC) {
                    telnetState = TelnetState.IAC;
                } else {
                    dataByte(b, sink);
                }
            }
            case IAC -> {
                telnetState = TelnetState.DATA;
                if (b == TelnetSignal.IAC) {
                    dataByte(b, sink);
                } else if (b >= TelnetSignal.WILL && b <= TelnetSignal.DONT) {
                    telnetState = TelnetState.OPTION;
                } else if (b == TelnetSignal.SB) {
                    telnetState = TelnetState.SUBNEGOTIATION;
                    subnegotiationBytes = 0;
                } else {
                    sink.telnet(new TelnetSignal(b));
                }
            }
            case OPTION -> telnetState = TelnetState.DATA;
            case SUBNEGOTIATION -> {
                if (b == TelnetSignal.IAC) {
                    telnetState = TelnetState.SUBNEGOTIATION_IAC;
                } else {
                    subnegotiationByte(sink);
                }
            }
            case SUBNEGOTIATION_IAC -> {
                // IAC SE ends it; IAC IAC is an escaped 0xFF inside it; anything else is malformed and stays
                // inside, since nothing in a subnegotiation is ever data.
                if (b == TelnetSignal.SE) {
                    telnetState = TelnetState.DATA;
                } else {
                    telnetState = TelnetState.SUBNEGOTIATION;
                    subnegotiationByte(sink);
                }
            }
            default -> throw new IllegalStateException(telnetState.name());
        }
    }

    private void subnegotiationByte(Sink sink) {
        if (++subnegotiationBytes > maxLineBytes) {
            die(LineViolation.LINE_TOO_LONG, sink);
        }
    }

    private void dataByte(int b, Sink sink) {
        if (b == 0) {
            die(LineViolation.NUL_BYTE, sink);
        } else if (pendingCr) {
            if (b == LF) {
                pendingCr = false;
                emit(sink);
            } else {
                die(LineViolation.BARE_CR, sink);
            }
        } else if (b == CR) {
            pendingCr = true;
        } else if (b == LF) {
            emit(sink);
        } else if (count >= maxLineBytes) {
            die(LineViolation.LINE_TOO_LONG, sink);
        } else {
            if (count == buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(maxLineBytes, buffer.length * 2));
            }
            buffer[count++] = (byte) b;
        }
    }

    private void emit(Sink sink) {
        String line = new String(buffer, 0, count, StandardCharsets.ISO_8859_1);
        count = 0;
        sink.line(line);
    }

    private void die(LineViolation v, Sink sink) {
        dead = true;
        count = 0;
        pendingCr = false;
        buffer = new byte[0];
        sink.violation(v);
    }
}
