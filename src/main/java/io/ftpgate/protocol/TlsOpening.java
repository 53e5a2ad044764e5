package io.ftpgate.protocol;

import java.util.Objects;

/**
 * Recognises a TLS client on a plain FTP control port from the first bytes it sends, before line framing.
 *
 * <p>A client that starts TLS at once (implicit FTPS such as {@code curl ftps://}, or {@code openssl s_client})
 * opens with a binary TLS record, and its ClientHello always carries a NUL within the first seven bytes (the
 * high byte of the handshake length). Line scanning alone would report that NUL ({@code nul-byte}, with nothing
 * to show as the input), so the control path looks at the record header first and names the real mistake, as
 * it names an HTTP request line: {@code protocol-confusion}.
 * <pre>
 *   16 03 01 02 00 01 00 01 fc 03 03 ...   -&gt; TLS        (handshake record, version 3.1)
 *   16 03                                  -&gt; UNDECIDED  (wait for the third byte)
 *   16 03 05 / 17 03 03 / "USER a"         -&gt; NOT_TLS
 * </pre>
 */
public final class TlsOpening {

    /** What the first bytes say. */
    public enum Verdict {
        /** Fewer than {@link #PREFIX_BYTES} bytes, all of them a TLS handshake record's. */
        UNDECIDED,
        /** A TLS handshake record header: a TLS client. */
        TLS,
        /** Anything else; line framing decides what it is. */
        NOT_TLS
    }

    /** Bytes the decision needs: the record header's content type and both version bytes (RFC 8446 §5.1). */
    public static final int PREFIX_BYTES = 3;
    /** The audit input of a session refused for opening with TLS: the bytes themselves would say nothing. */
    public static final String AUDIT_INPUT = "TLS handshake (ClientHello) on a plain FTP listener";

    /** ContentType handshake: the first record of every TLS client is its ClientHello. */
    private static final int HANDSHAKE = 0x16;
    /** The record's major version: 3 for SSL 3.0 and every TLS version. */
    private static final int VERSION_MAJOR = 0x03;
    /** The highest minor version accepted: 0 (SSL 3.0) to 4; clients send 1 (TLS 1.0) or 3 (TLS 1.2). */
    private static final int MAX_VERSION_MINOR = 0x04;

    private TlsOpening() {
    }

    /** Judges the first {@code length} bytes of a connection, at {@code offset} in {@code buf}. */
    public static Verdict of(byte[] buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.length);
        for (int i = 0; i < Math.min(length, PREFIX_BYTES); i++) {
            if (!fits(i, buf[offset + i] & 0xff)) {
                return Verdict.NOT_TLS;
            }
        }
        return length >= PREFIX_BYTES ? Verdict.TLS : Verdict.UNDECIDED;
    }

    /** True when an ISO-8859-1 line starts with a TLS handshake record header. */
    public static boolean startsLine(String latin1) {
        if (latin1 == null || latin1.length() < PREFIX_BYTES) {
            return false;
        }
        for (int i = 0; i < PREFIX_BYTES; i++) {
            if (!fits(i, latin1.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The audit input for a line refused as another protocol: {@link #AUDIT_INPUT} for a TLS record, the line
     * itself otherwise (an HTTP request line or an SSH banner is its own best description).
     */
    public static String auditInput(String line) {
        return startsLine(line) ? AUDIT_INPUT : line;
    }

    private static boolean fits(int index, int b) {
        return switch (index) {
            case 0 -> b == HANDSHAKE;
            case 1 -> b == VERSION_MAJOR;
            default -> b <= MAX_VERSION_MINOR;
        };
    }
}
