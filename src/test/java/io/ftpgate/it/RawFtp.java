package io.ftpgate.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte-exact FTP control client on a plain socket: what is sent is exactly what the test wrote (no
 * normalisation), and every reply is parsed strictly. Keeps a {@link Transcript}.
 */
public final class RawFtp implements AutoCloseable {

    /** One complete reply (possibly multi-line). */
    public record Reply(int code, List<String> lines) {
        public String text() {
            return String.join("\n", lines);
        }

        public String last() {
            return lines.get(lines.size() - 1);
        }

        @Override
        public String toString() {
            return text();
        }
    }

    private static final Pattern PASV = Pattern.compile("\\((\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\)");
    private static final Pattern EPSV = Pattern.compile("\\(\\|\\|\\|(\\d+)\\|\\)");

    public final Socket socket;
    public final Transcript transcript = new Transcript();
    private final InputStream in;
    private final OutputStream out;

    private RawFtp(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static RawFtp connect(InetSocketAddress gateway) throws IOException {
        Socket s = new Socket();
        s.connect(gateway, 5_000);
        return new RawFtp(s);
    }

    /** Connects from a given local address (e.g. "127.0.0.5", to play a client on another host). */
    public static RawFtp connectFrom(InetSocketAddress gateway, String localAddress) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        s.connect(gateway, 5_000);
        return new RawFtp(s);
    }

    /** {@link #open}, from a given local address. */
    public static RawFtp openFrom(InetSocketAddress gateway, String localAddress) throws IOException {
        RawFtp c = connectFrom(gateway, localAddress);
        Reply r = c.read();
        if (r.code() != 220) {
            throw new AssertionError("expected a 220 greeting, got " + r + "\n" + c.transcript);
        }
        return c;
    }

    /**
     * Reads one reply if one arrives within {@code timeout}, else returns null (the connection stays usable as
     * long as no partial line arrived). Fails on EOF.
     */
    public Reply poll(Duration timeout) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            return read();
        } catch (SocketTimeoutException e) {
            return null;
        } finally {
            socket.setSoTimeout(old);
        }
    }

    /** Sends one byte as TCP urgent data (the Telnet Synch of RFC 959 4.1.3 puts IAC DM there). */
    public void sendUrgent(int b) throws IOException {
        transcript.sent(String.format("[urgent byte 0x%02X]", b & 0xff));
        socket.sendUrgentData(b);
    }

    /** Connects and reads the greeting, which must be 220. */
    public static RawFtp open(InetSocketAddress gateway) throws IOException {
        RawFtp c = connect(gateway);
        Reply r = c.read();
        if (r.code() != 220) {
            throw new AssertionError("expected a 220 greeting, got " + r + "\n" + c.transcript);
        }
        return c;
    }

    /** Sends {@code line} + CRLF. */
    public void send(String line) throws IOException {
        transcript.sent(line);
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Sends exactly these bytes (no CRLF added). */
    public void sendRaw(byte[] bytes) throws IOException {
        transcript.sent("[raw " + bytes.length + " bytes] "
                + new String(bytes, 0, Math.min(bytes.length, 120), StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    public void sendRaw(String latin1) throws IOException {
        sendRaw(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends a command and reads its (first) reply. */
    public Reply cmd(String line) throws IOException {
        send(line);
        return read();
    }

    /** Reads one complete reply; fails on EOF or timeout. */
    public Reply read() throws IOException {
        String first = readLine();
        if (first == null) {
            throw new AssertionError("connection closed while waiting for a reply\n" + transcript);
        }
        if (first.length() < 4 || !first.substring(0, 3).chars().allMatch(Character::isDigit)) {
            throw new AssertionError("not an FTP reply line: '" + first + "'\n" + transcript);
        }
        int code = Integer.parseInt(first.substring(0, 3));
        List<String> lines = new ArrayList<>();
        lines.add(first);
        if (first.charAt(3) == '-') {
            String end = first.substring(0, 3) + " ";
            while (true) {
                String l = readLine();
                if (l == null) {
                    throw new AssertionError("connection closed inside a multi-line reply\n" + transcript);
                }
                lines.add(l);
                if (l.startsWith(end)) {
                    break;
                }
            }
        }
        return new Reply(code, lines);
    }

    /** Reads a CRLF (or LF) terminated line; null on EOF. */
    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (b.size() > 0) {
                    transcript.received(b.toString(StandardCharsets.ISO_8859_1) + " [EOF, no line end]");
                }
                return null;
            }
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                if (s.endsWith("\r")) {
                    s = s.substring(0, s.length() - 1);
                }
                transcript.received(s);
                return s;
            }
            b.write(c);
        }
    }

    /**
     * Waits for the server to close the connection: returns the replies received before EOF (a reset also
     * counts as closed). Fails if the connection is still open after {@code timeout}.
     */
    public List<Reply> awaitClose(Duration timeout) throws IOException {
        List<Reply> replies = new ArrayList<>();
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            while (true) {
                String first = readLine();
                if (first == null) {
                    transcript.note("EOF");
                    return replies;
                }
                List<String> lines = new ArrayList<>();
                lines.add(first);
                int code = first.length() >= 3 && first.substring(0, 3).chars().allMatch(Character::isDigit)
                        ? Integer.parseInt(first.substring(0, 3)) : -1;
                if (first.length() > 3 && first.charAt(3) == '-') {
                    String l;
                    while ((l = readLine()) != null) {
                        lines.add(l);
                        if (l.startsWith(first.substring(0, 3) + " ")) {
                            break;
                        }
                    }
                }
                replies.add(new Reply(code, lines));
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after " + timeout + "\n" + transcript);
        } catch (SocketException e) {
            transcript.note("closed: " + e.getMessage());
            return replies;
        }
    }

    /** USER + PASS; expects 331 then 230. */
    public void login(String user, String password) throws IOException {
        Reply u = cmd("USER " + user);
        if (u.code() == 230) {
            return;
        }
        expect(u, 331);
        expect(cmd("PASS " + password), 230);
    }

    public void expect(Reply r, int code) {
        if (r.code() != code) {
            throw new AssertionError("expected " + code + ", got " + r + "\n" + transcript);
        }
    }

    /** Parses the port of a 227 reply; the address is returned via {@link #pasvHost}. */
    public static int pasvPort(Reply r) {
        Matcher m = PASV.matcher(r.last());
        if (r.code() != 227 || !m.find()) {
            throw new AssertionError("not a 227 reply: " + r);
        }
        return Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
    }

    public static String pasvHost(Reply r) {
        Matcher m = PASV.matcher(r.last());
        if (r.code() != 227 || !m.find()) {
            throw new AssertionError("not a 227 reply: " + r);
        }
        return m.group(1) + "." + m.group(2) + "." + m.group(3) + "." + m.group(4);
    }

    public static int epsvPort(Reply r) {
        Matcher m = EPSV.matcher(r.last());
        if (r.code() != 229 || !m.find()) {
            throw new AssertionError("not a 229 reply: " + r);
        }
        return Integer.parseInt(m.group(1));
    }

    /** Opens a data connection to {@code host:port}, optionally from a given local address. */
    public static Socket dataConnect(String host, int port, String localAddress) throws IOException {
        Socket s = new Socket();
        if (localAddress != null) {
            s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        }
        s.connect(new InetSocketAddress(InetAddress.getByName(host), port), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads a socket to EOF. */
    public static byte[] readAll(Socket s) throws IOException {
        return s.getInputStream().readAllBytes();
    }

    /** The local port of the control connection (the client's port, as a PROXY header would name it). */
    public int localPort() {
        return socket.getLocalPort();
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // ignore
        }
    }

    @Override
    public String toString() {
        return transcript.toString();
    }
}
