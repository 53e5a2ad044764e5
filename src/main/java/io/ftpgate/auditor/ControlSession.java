package io.ftpgate.auditor;

import io.ftpgate.protocol.FtpLimits;
import io.ftpgate.protocol.FtpReply;
import io.ftpgate.protocol.FtpSyntaxException;
import io.ftpgate.protocol.LineScanner;
import io.ftpgate.protocol.LineViolation;
import io.ftpgate.protocol.ReplyAssembler;
import io.ftpgate.protocol.SafeText;
import io.ftpgate.protocol.TelnetSignal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A blocking FTP control connection for the auditor: sends one command at a time and reads its reply through
 * the gateway's own {@link LineScanner} and {@link ReplyAssembler}, so the auditor accepts exactly what the
 * gateway accepts. Every exchange is recorded as {@link Evidence}; {@code PASS} arguments are redacted before
 * they are recorded. Every read and connect is bounded by the timeout. TLS comes from the first byte (implicit FTPS)
 * or after {@code AUTH TLS} ({@link #startTls}).
 */
final class ControlSession implements AutoCloseable {

    /** Characters of one reply kept as evidence; a long FEAT or HELP is cut there. */
    static final int MAX_EVIDENCE_CHARS = 200;
    private static final int READ_BUFFER = 4096;

    private final Duration timeout;
    /** The TCP socket, or the TLS socket over it once TLS is on. */
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private TlsClient.Handshake tls;
    private final LineScanner scanner = new LineScanner(FtpLimits.MAX_LINE_BYTES, false);
    private final ReplyAssembler assembler = new ReplyAssembler();
    private final Deque<String> lines = new ArrayDeque<>();
    private final List<Evidence> evidence = new ArrayList<>();
    private LineViolation violation;
    private FtpReply banner;

    private ControlSession(Socket socket, Duration timeout) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.timeout = timeout;
    }

    /**
     * Connects and reads the greeting (which may be a {@code 120} followed by the {@code 220}).
     *
     * @throws IOException when the connection fails or no greeting comes within the timeout
     */
    static ControlSession open(InetSocketAddress server, Duration timeout) throws IOException {
        return open(server, timeout, null);
    }

    /**
     * Connects, makes the TLS handshake first when {@code implicitTls} is not null (implicit FTPS), and reads the
     * greeting.
     *
     * @throws IOException when the connection or the handshake fails or no greeting comes within the timeout
     */
    static ControlSession open(InetSocketAddress server, Duration timeout, TlsClient implicitTls) throws IOException {
        WireSocket plain = new WireSocket();
        Socket socket = plain;
        try {
            plain.connect(server, millis(timeout));
            plain.setSoTimeout(millis(timeout));
            TlsClient.Handshake hs = implicitTls == null ? null
                    : implicitTls.handshake(plain, server.getPort(), timeout);
            socket = hs == null ? plain : hs.socket();
            ControlSession session = new ControlSession(socket, timeout);
            if (hs != null) {
                session.tls = hs;
                session.note("TLS from the first byte (implicit FTPS): " + hs.describe());
            }
            FtpReply greeting = session.read();
            while (greeting.isPreliminary()) {
                session.evidence.add(Evidence.unsolicited(show(greeting)));
                greeting = session.read();
            }
            session.banner = greeting;
            session.evidence.add(Evidence.unsolicited(show(greeting)));
            return session;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Makes the TLS handshake after the server's {@code 234} to {@code AUTH TLS} and goes on over TLS. Lines the
     * server sent in clear after its 234 are dropped, never taken as replies. The handshake (or its failure) is
     * noted in the evidence.
     *
     * @throws IOException when the handshake fails; the session is then closed
     * @throws IllegalStateException when TLS is already on
     */
    TlsClient.Handshake startTls(TlsClient client) throws IOException {
        if (!(socket instanceof WireSocket plain)) {
            throw new IllegalStateException("TLS is already on");
        }
        lines.clear();
        try {
            TlsClient.Handshake hs = client.handshake(plain, remote().getPort(), timeout);
            socket = hs.socket();
            in = socket.getInputStream();
            out = socket.getOutputStream();
            tls = hs;
            note("TLS handshake: " + hs.describe());
            return hs;
        } catch (IOException e) {
            note("TLS handshake failed: " + e.getMessage());
            throw e;
        }
    }

    /** The handshake of this control connection, or null while it is in clear. */
    TlsClient.Handshake tls() {
        return tls;
    }

    /** The greeting, normally {@code 220}. */
    FtpReply banner() {
        return banner;
    }

    /** Sends {@code line} and returns the first reply to it (a 1xx when a transfer starts). */
    FtpReply command(String line) throws IOException {
        String shown = send(line);
        try {
            FtpReply reply = read();
            evidence.add(Evidence.exchange(shown, show(reply)));
            return reply;
        } catch (IOException e) {
            evidence.add(Evidence.exchange(shown, "(no reply: " + e.getMessage() + ")"));
            throw e;
        }
    }

    /**
     * Sends {@code line} without reading its reply, which {@link #next()} reads later: for a transfer whose data
     * connection the auditor must handle first.
     */
    void sendOnly(String line) throws IOException {
        evidence.add(Evidence.exchange(send(line), null));
    }

    /**
     * Sends {@code line} and waits at most {@code wait} for its first reply, for commands a server may leave
     * unanswered while it waits for a data connection (pyftpdlib holds LIST until the client connects).
     *
     * @return the reply, or {@code null} when none came in time
     */
    FtpReply command(String line, Duration wait) throws IOException {
        String shown = send(line);
        socket.setSoTimeout(millis(wait));
        try {
            FtpReply reply = read();
            evidence.add(Evidence.exchange(shown, show(reply)));
            return reply;
        } catch (SocketTimeoutException e) {
            evidence.add(Evidence.exchange(shown, "(no reply within " + millis(wait) + " ms)"));
            return null;
        } finally {
            socket.setSoTimeout(millis(timeout));
        }
    }

    /** Reads the next reply (the final reply after a 1xx) within the timeout. */
    FtpReply next() throws IOException {
        FtpReply reply = read();
        evidence.add(Evidence.unsolicited(show(reply)));
        return reply;
    }

    /**
     * Waits at most {@code wait} for a reply, for replies that may or may not come: pyftpdlib's unsolicited
     * {@code 425 Rejected data connection from foreign address}, or a final reply a server holds back while it
     * waits for the real client's data connection.
     *
     * @return the reply, or {@code null} when none came in time
     */
    FtpReply poll(Duration wait) throws IOException {
        socket.setSoTimeout(millis(wait));
        try {
            return next();
        } catch (SocketTimeoutException e) {
            return null;
        } finally {
            socket.setSoTimeout(millis(timeout));
        }
    }

    /** Records something seen outside the control connection. */
    void note(String observed) {
        evidence.add(Evidence.observed(observed));
    }

    /** The evidence recorded since the last {@link #clearEvidence()}. */
    List<Evidence> evidence() {
        return List.copyOf(evidence);
    }

    /** Forgets the evidence so far (the login), so a check reports only its own exchanges. */
    void clearEvidence() {
        evidence.clear();
    }

    /** The address this end of the control connection has: the address a strict server connects back to. */
    InetAddress localAddress() {
        return socket.getLocalAddress();
    }

    /** The server's end of the control connection. */
    InetSocketAddress remote() {
        return (InetSocketAddress) socket.getRemoteSocketAddress();
    }

    /** The timeout this session was opened with. */
    Duration timeout() {
        return timeout;
    }

    /** Sends QUIT without waiting long for the 221, then closes; never throws. */
    @Override
    public void close() {
        try {
            if (!socket.isClosed()) {
                socket.setSoTimeout(millis(Probes.QUIT_WAIT));
                out.write("QUIT\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                read();
            }
        } catch (IOException | RuntimeException e) {
            // The server may already have closed, or never answer QUIT; the session is over either way.
        }
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing left to release.
        }
    }

    /** Writes one command line; returns it as evidence shows it (escaped, PASS redacted). */
    private String send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return SafeText.escape(SafeText.redactSecrets(line), MAX_EVIDENCE_CHARS);
    }

    /** A reply as evidence: {@code 227 Entering Passive Mode (127,0,0,1,156,64).}, lines joined by " | ". */
    static String show(FtpReply reply) {
        return SafeText.escape(reply.code() + " " + String.join(" | ", reply.lines()), MAX_EVIDENCE_CHARS);
    }

    static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    private FtpReply read() throws IOException {
        while (true) {
            while (!lines.isEmpty()) {
                try {
                    FtpReply reply = assembler.accept(lines.poll());
                    if (reply != null) {
                        return reply;
                    }
                } catch (FtpSyntaxException e) {
                    throw new IOException("the server sent something that is not an FTP reply: " + e.getMessage());
                }
            }
            if (violation != null) {
                throw new IOException("the server broke control-line framing (" + violation.code() + ")");
            }
            byte[] buf = new byte[READ_BUFFER];
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("no reply within " + socket.getSoTimeout() + " ms");
            }
            if (n < 0) {
                throw new IOException("the server closed the control connection");
            }
            scanner.feed(buf, 0, n, new LineScanner.Sink() {
                @Override
                public void line(String line) {
                    lines.add(line);
                }

                @Override
                public void telnet(TelnetSignal signal) {
                    // Not decoded on the reply direction (telnet == false); never called.
                }

                @Override
                public void violation(LineViolation v) {
                    violation = v;
                }
            });
        }
    }
}
