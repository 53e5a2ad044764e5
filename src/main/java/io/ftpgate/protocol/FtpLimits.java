package io.ftpgate.protocol;

import io.ftpgate.net.PortRange;

/**
 * Hard limits on what the protocol codecs accept. Every limit is enforced by rejecting, never by truncating and
 * forwarding (truncation is how ProFTPD's CommandBufferSize ends up relaying half a command).
 */
public final class FtpLimits {

    /**
     * Bytes in one control line, excluding the CRLF. RFC 959 sets no limit; this is vsftpd's
     * {@code VSFTP_MAX_COMMAND_LINE} (4096), which answers {@code 500 Input line too long.} and exits. OpenBSD
     * ftp-proxy uses 500 and pyftpdlib 2048; 4096 leaves room for long paths.
     */
    public static final int MAX_LINE_BYTES = 4096;

    /**
     * Lines in one multi-line reply. RFC 959 §4.2 sets no limit; curl test 1062 sends 218 lines of
     * {@code 250-AAAA...}, so 1000 is generous for real servers and bounds what a hostile one can make us hold.
     */
    public static final int MAX_REPLY_LINES = 1000;

    /**
     * Bytes (counting CRLFs) in one multi-line reply, the byte-wise companion of {@link #MAX_REPLY_LINES}: 256 KiB
     * is far above any real FEAT, HELP or STAT reply.
     */
    public static final int MAX_REPLY_BYTES = 256 * 1024;

    /**
     * Letters in a verb. RFC 959 §5.3.1: "The command codes themselves are alphabetic characters terminated by
     * the character &lt;SP&gt; ... or the &lt;CRLF&gt;" and §4.1 "four or fewer alphabetic characters".
     */
    public static final int MAX_VERB_LENGTH = 4;

    /**
     * Lowest data port a peer may name. Ports below 1024 are privileged; OpenBSD ftp-proxy ends the session,
     * pyftpdlib and MINA answer 501, and Linux conntrack never lets a PORT open a hole to them. The one
     * definition of the limit is {@link PortRange#MIN_UNPRIVILEGED}; pinhole ranges obey the same.
     */
    public static final int MIN_DATA_PORT = PortRange.MIN_UNPRIVILEGED;

    /**
     * Decimal digits in one field of {@code PORT h1,h2,h3,h4,p1,p2} or of a 227 reply. RFC 959 §4.1.2 makes each
     * field the decimal value of one byte; with more digits Linux conntrack (before 2026) let
     * {@code 10,0,1,2,256,22} spill into the neighbouring field.
     */
    public static final int MAX_BYTE_FIELD_DIGITS = 3;

    /** Decimal digits of a port in EPRT, EPSV and 229 (RFC 2428: a 16-bit port has at most 5). */
    public static final int MAX_PORT_DIGITS = 5;

    /** Characters of the longest IPv6 literal, {@code ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255} (RFC 4291). */
    public static final int MAX_IPV6_LITERAL_CHARS = 45;

    private FtpLimits() {
    }
}
