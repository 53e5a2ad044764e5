package io.ftpgate.tls;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads the server's first handshake flight off the wire (it is cleartext up to the ServerHello in TLS 1.3, and
 * up to ChangeCipherSpec in TLS 1.2) and decides whether the server resumed a session. This is the one signal
 * that does not depend on the TLS implementation: the JDK's SSLEngine has no "session reused" flag.
 *
 * <ul>
 *   <li>TLS 1.3 (RFC 8446 4.2.11): the server accepted a pre-shared key (a ticket) exactly when its ServerHello
 *       carries the {@code pre_shared_key} extension; PSK-only resumption is the only kind ftpgate offers and
 *       accepts, and it sends no Certificate.</li>
 *   <li>TLS 1.2 (RFC 5246 7.3, RFC 5077 3.4): an abbreviated handshake follows the ServerHello directly with
 *       ChangeCipherSpec (or first a NewSessionTicket); a full one sends a Certificate (every suite ftpgate
 *       enables is certificate-based). Reading the next message, rather than comparing session ids, also covers
 *       clients that present a ticket with an empty session id.</li>
 * </ul>
 * Fed with the bytes the server sent, in order and in whole records (an SSLEngine produces and consumes whole
 * records). Not thread-safe: an engine is used by one thread at a time. Public for {@code ftpgate audit}, which
 * reads the same signal off its blocking sockets.
 */
public final class ServerFlight {

    /** What the flight said. */
    public enum Verdict {
        /** Not enough of the flight seen yet. */
        UNDECIDED,
        /** A full handshake: the server authenticated itself anew. */
        FULL,
        /** The server resumed a session (a TLS 1.3 pre-shared key, or a TLS 1.2 abbreviated handshake). */
        RESUMED,
        /** Not a flight this reader understands (an alert, or encrypted records before a decision). */
        UNREADABLE
    }

    private static final int HANDSHAKE = 22;
    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int SERVER_HELLO = 2;
    private static final int NEW_SESSION_TICKET = 4;
    private static final int EXT_PRE_SHARED_KEY = 41;
    private static final int EXT_SUPPORTED_VERSIONS = 43;
    private static final int TLS13 = 0x0304;
    /** The ServerHello.random of a HelloRetryRequest (RFC 8446 4.1.3): a second ServerHello follows. */
    private static final byte[] HELLO_RETRY_RANDOM = java.util.HexFormat.of().parseHex(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
    /** Far more than any ServerHello; a longer message means we are not reading what we think. */
    private static final int MAX_MESSAGES_BYTES = 1 << 16;

    private Verdict verdict = Verdict.UNDECIDED;
    private boolean tls12HelloSeen;
    private byte[] messages = new byte[0];

    /** A reader that has seen nothing yet. */
    public ServerFlight() {
    }

    /** What the bytes fed so far say. */
    public Verdict verdict() {
        return verdict;
    }

    /** Feeds the bytes {@code from..to} of {@code buf} (not moving its position), whole records only. */
    public void feed(ByteBuffer buf, int from, int to) {
        int p = from;
        while (verdict == Verdict.UNDECIDED && p + 5 <= to) {
            int type = buf.get(p) & 0xff;
            int len = ((buf.get(p + 3) & 0xff) << 8) | (buf.get(p + 4) & 0xff);
            int end = Math.min(p + 5 + len, to);
            if (type == HANDSHAKE) {
                byte[] payload = new byte[end - p - 5];
                buf.get(p + 5, payload);
                handshakeBytes(payload);
            } else if (type == CHANGE_CIPHER_SPEC && tls12HelloSeen) {
                verdict = Verdict.RESUMED; // TLS 1.2 abbreviated: no Certificate before the switch to the new keys
            } else if (type != CHANGE_CIPHER_SPEC) {
                verdict = Verdict.UNREADABLE; // an alert, or encrypted records before a decision
            }
            p = end;
        }
    }

    private void handshakeBytes(byte[] payload) {
        if (messages.length + payload.length > MAX_MESSAGES_BYTES) {
            verdict = Verdict.UNREADABLE;
            return;
        }
        byte[] all = Arrays.copyOf(messages, messages.length + payload.length);
        System.arraycopy(payload, 0, all, messages.length, payload.length);
        int p = 0;
        while (verdict == Verdict.UNDECIDED && p + 4 <= all.length) {
            int type = all[p] & 0xff;
            int len = ((all[p + 1] & 0xff) << 16) | ((all[p + 2] & 0xff) << 8) | (all[p + 3] & 0xff);
            if (p + 4 + len > all.length) {
                break; // the message continues in the next record
            }
            message(type, ByteBuffer.wrap(all, p + 4, len).slice());
            p += 4 + len;
        }
        messages = Arrays.copyOfRange(all, p, all.length);
    }

    private void message(int type, ByteBuffer body) {
        if (tls12HelloSeen) {
            // The message after a TLS 1.2 ServerHello: Certificate in a full handshake, a ticket in an abbreviated one.
            verdict = type == NEW_SESSION_TICKET ? Verdict.RESUMED : Verdict.FULL;
        } else if (type != SERVER_HELLO) {
            verdict = Verdict.UNREADABLE;
        } else {
            serverHello(body);
        }
    }

    private void serverHello(ByteBuffer b) {
        try {
            b.getShort(); // legacy_version
            byte[] random = new byte[32];
            b.get(random);
            int sessionIdLength = b.get() & 0xff;
            b.position(b.position() + sessionIdLength + 3); // session id, cipher suite, compression method
            boolean tls13 = false;
            boolean psk = false;
            if (b.remaining() >= 2) {
                int extEnd = b.position() + 2 + (b.getShort() & 0xffff);
                while (b.position() + 4 <= extEnd) {
                    int ext = b.getShort() & 0xffff;
                    int len = b.getShort() & 0xffff;
                    if (ext == EXT_SUPPORTED_VERSIONS && len == 2) {
                        tls13 = (b.getShort(b.position()) & 0xffff) == TLS13;
                    }
                    psk |= ext == EXT_PRE_SHARED_KEY;
                    b.position(b.position() + len);
                }
            }
            if (Arrays.equals(random, HELLO_RETRY_RANDOM)) {
                return; // HelloRetryRequest: the real ServerHello comes after the client's second ClientHello
            }
            if (tls13) {
                verdict = psk ? Verdict.RESUMED : Verdict.FULL;
            } else {
                tls12HelloSeen = true;
            }
        } catch (RuntimeException e) {
            verdict = Verdict.UNREADABLE; // truncated or malformed: the engine itself will fail the handshake
        }
    }
}
