package io.ftpgate.protocol;

/**
 * A Telnet command (RFC 854) found in the client's control stream and removed from the data. RFC 959 §4.1.3
 * asks clients to precede ABOR with {@code IAC IP} and the Synch ({@code IAC DM} sent as TCP urgent data), so
 * the gateway sees {@code IAC IP IAC DM ABOR CRLF}.
 *
 * @param command the command byte, 0..255 (for example {@link #IP} = 244)
 */
public record TelnetSignal(int command) {

    /** End of subnegotiation. */
    public static final int SE = 240;
    /** No operation. */
    public static final int NOP = 241;
    /** Data Mark: the data-stream part of a Synch. */
    public static final int DM = 242;
    /** Break. */
    public static final int BRK = 243;
    /** Interrupt Process: RFC 959 §4.1.3 sends it before ABOR. */
    public static final int IP = 244;
    /** Abort Output. */
    public static final int AO = 245;
    /** Are You There. */
    public static final int AYT = 246;
    /** Start of subnegotiation. */
    public static final int SB = 250;
    /** Option negotiation: WILL. */
    public static final int WILL = 251;
    /** Option negotiation: WONT. */
    public static final int WONT = 252;
    /** Option negotiation: DO. */
    public static final int DO = 253;
    /** Option negotiation: DONT. */
    public static final int DONT = 254;
    /** Interpret As Command: starts every Telnet command; doubled it is one 0xFF data byte. */
    public static final int IAC = 255;

    /** Checks that {@code command} is a byte value. */
    public TelnetSignal {
        if (command < 0 || command > 255) {
            throw new IllegalArgumentException("telnet command must be 0-255, got " + command);
        }
    }

    /** True for Interrupt Process, the signal that announces an ABOR. */
    public boolean isInterrupt() {
        return command == IP;
    }

    /** True for Data Mark, the end of a Synch. */
    public boolean isDataMark() {
        return command == DM;
    }
}
