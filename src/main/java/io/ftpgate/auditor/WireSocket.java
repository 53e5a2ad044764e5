package io.ftpgate.auditor;

import io.ftpgate.tls.ServerFlight;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A TCP socket that shows the auditor the TLS handshake layered over it ({@link TlsClient}): after
 * {@link #watch()}, the bytes the server sends are reassembled into whole TLS records and read by a
 * {@link ServerFlight}, which says whether the server resumed a session. The JDK's SSLSocket does not say, and
 * whether a data connection resumed its control connection's session is what {@code data-session-reuse} is
 * about. A TLS socket layered over this one reads through {@link #getInputStream()}.
 *
 * <p>It also lends the TLS socket the port its session is cached under ({@link #cacheTlsSessionsAs}): the JDK's
 * layered SSLSocket keys its client session cache by the TCP socket's own {@link #getPort()} and ignores the port
 * it was created with (its SSLEngine takes the given one), so without this a data connection would never find,
 * and never offer, the control connection's session. ({@link #getRemoteSocketAddress()} then shows that port too;
 * the auditor names a data connection by the address it connected to.)
 */
final class WireSocket extends java.net.Socket {

    private static final int RECORD_HEADER = 5;

    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private ServerFlight flight;
    private InputStream in;
    private int sessionPort;

    /** Makes {@link #getPort()} answer {@code port}, the control connection's, for the JDK's session cache. */
    synchronized void cacheTlsSessionsAs(int port) {
        sessionPort = port;
    }

    /** The port TLS sessions are cached under when one was set, else the remote port. */
    @Override
    public synchronized int getPort() {
        return sessionPort != 0 ? sessionPort : super.getPort();
    }

    /** Starts reading the server's handshake flight from the next byte it sends. */
    synchronized void watch() {
        flight = new ServerFlight();
        partial.reset();
    }

    /** What the server's flight said since {@link #watch()}. */
    synchronized ServerFlight.Verdict flight() {
        return flight == null ? ServerFlight.Verdict.UNDECIDED : flight.verdict();
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (in == null) {
            in = new FilterInputStream(super.getInputStream()) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        seen(new byte[] {(byte) b}, 0, 1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        seen(b, off, n);
                    }
                    return n;
                }
            };
        }
        return in;
    }

    /** Feeds every whole record received so far to the flight, until it has decided. */
    private synchronized void seen(byte[] b, int off, int n) {
        if (flight == null || flight.verdict() != ServerFlight.Verdict.UNDECIDED) {
            return;
        }
        partial.write(b, off, n);
        byte[] all = partial.toByteArray();
        int p = 0;
        while (p + RECORD_HEADER <= all.length) {
            int end = p + RECORD_HEADER + (((all[p + 3] & 0xff) << 8) | (all[p + 4] & 0xff));
            if (end > all.length) {
                break; // the record continues in the next read
            }
            flight.feed(ByteBuffer.wrap(all), p, end);
            p = end;
        }
        partial.reset();
        partial.write(all, p, all.length - p);
    }
}
