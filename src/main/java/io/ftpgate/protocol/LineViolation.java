package io.ftpgate.protocol;

/**
 * Violations of the control-line framing rules; any one of them ends the session (OpenBSD ftp-proxy: "client
 * command too long or not clean").
 */
public enum LineViolation {
    /** More than the line cap before the terminator (vsftpd: {@code 500 Input line too long.}). */
    LINE_TOO_LONG("line-too-long"),
    /** A NUL byte: OpenBSD ends the session, vsftpd maps it to LF inside paths, so it is never forwarded. */
    NUL_BYTE("nul-byte"),
    /** A CR not followed by LF: servers disagree on whether it ends a line, so it is refused (RFC 959 §4.1). */
    BARE_CR("bare-cr");

    private final String code;

    LineViolation(String code) {
        this.code = code;
    }

    /** The stable audit reason code. */
    public String code() {
        return code;
    }
}
