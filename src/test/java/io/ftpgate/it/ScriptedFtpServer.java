package io.ftpgate.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake upstream FTP server on 127.0.0.1 running a small scripted dialogue, in the style of curl's
 * ftpserver.pl: 220 greeting, USER→331, PASS→230, TYPE→200, PASV→227 (address configurable, to play a
 * hostile or NATed server), RETR (and LIST, NLST, MLSD)→150 + {@link #retrData} on the data connection + 226,
 * QUIT→221.
 * Every command it receives and every data connection it accepts is recorded.
 *
 * <p>For hostile-server tests any reply can be scripted: {@link #script} maps a verb (or {@link #GREETING}) to
 * reply lines, {@link #rawScript} to exact bytes, and {@link #chunkBytes}/{@link #chunkPauseMs} make the server
 * write them in small TCP segments. Placeholders in scripted lines ({@code {p1} {p2} {port} {host}}) open a
 * passive data listener, so a scripted 227/229 can still lead to a working RETR.
 */
public final class ScriptedFtpServer implements AutoCloseable {

    private final ServerSocket control;
    private final Thread acceptor;
    public final List<String> commands = new CopyOnWriteArrayList<>();
    /** Remote addresses of accepted data connections ("127.0.0.1"). */
    public final List<String> dataPeers = new CopyOnWriteArrayList<>();
    public final AtomicInteger controlConnections = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

    // Script knobs; set before the gateway connects.
    /** The host written into the 227 reply (e.g. "127.0.0.3" for a hostile server). */
    public volatile String pasvHost = "127.0.0.1";
    /** If set, the port written into the 227 reply instead of the real data port (e.g. 22). */
    public volatile Integer pasvPortOverride;
    /** If set, the reply to NOOP (e.g. a spurious 227). */
    public volatile String noopReply = "200 NOOP ok.";
    /** The FEAT reply lines (CRLF added). */
    public volatile List<String> featReply = List.of("211-Features:", " MDTM", " SIZE", " AUTH TLS", " PBSZ", " PROT",
            " EPRT", " LPSV", " UTF8", "211 End");
    public volatile byte[] retrData = "hello from the scripted server\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The greeting line (e.g. a hostile "227 ..." greeting). */
    public volatile String greeting = "220 scripted server ready";
    /**
     * How RETR behaves: {@code normal}; {@code 150-then-425} (announces, never connects, then fails);
     * {@code reply-227} (answers RETR with a 227); {@code close-after-226} (hangs up right after 226).
     */
    public volatile String retrMode = "normal";
    /** Victim listening on pasvHost at the advertised port, when pasvHost is not the server's own host. */
    public volatile Victim victim;

    /** The {@link #script}/{@link #rawScript} key of the greeting. */
    public static final String GREETING = "<greeting>";
    /**
     * Scripted replies by upper-case verb (or {@link #GREETING}): each string is one line, written with CRLF
     * added. {@code {p1}}, {@code {p2}}, {@code {port}} and {@code {host}} (comma form, e.g. {@code 127,0,0,1})
     * are replaced with a freshly opened data listener's values, which the next RETR then uses.
     */
    public final Map<String, List<String>> script = new ConcurrentHashMap<>();
    /** Scripted replies by upper-case verb (or {@link #GREETING}), written exactly (no CRLF added). */
    public final Map<String, byte[]> rawScript = new ConcurrentHashMap<>();
    /** When positive, scripted replies are written in pieces of this many bytes, flushed separately. */
    public volatile int chunkBytes;
    /** Pause between the pieces of a chunked scripted reply. */
    public volatile int chunkPauseMs = 20;
    /** If set, the data listener binds this port when it is free (e.g. 35289 to honour a literal 227). */
    public volatile Integer dataPort;
    /**
     * When true, PORT/EPRT are remembered and a RETR without a passive listener connects there (after
     * {@link #activeConnectDelayMs}) from this server's host; otherwise such a RETR gets 425.
     */
    public volatile boolean activeData;
    /** Delay before the server connects for an active-mode RETR (lets a test race it). */
    public volatile long activeConnectDelayMs;
    /** The last PORT/EPRT target received (host and port), when {@link #activeData} is on. */
    public volatile InetSocketAddress activeTarget;
    /**
     * What happens to the data connection made to the first PASV/EPSV listener, before any transfer command:
     * {@code normal} (left in the backlog until a transfer accepts it), {@code drop} (accepted and closed at
     * once, as a server with a short idle timeout would) or {@code watch} (accepted and read until the gateway
     * closes it). {@link #firstDataConnectionDone} counts down when it was dropped or reached EOF.
     */
    public volatile String firstDataConnection = "normal";
    public final java.util.concurrent.CountDownLatch firstDataConnectionDone =
            new java.util.concurrent.CountDownLatch(1);
    /**
     * STOR on a passive listener: accept, wait this long before answering 150 (a busy server), and note in
     * {@link #dataBeforeAck} whether any byte or the EOF arrived on the data connection meanwhile.
     */
    public volatile long storAckDelayMs;
    /** Set when a STOR's data connection carried something before the server's 150 (see above). */
    public volatile boolean dataBeforeAck;
    /** What the last STOR received. */
    public volatile byte[] stored;
    /**
     * When set, PASV and EPSV are answered only once this latch is open: a server slow to answer, for tests of
     * what the gateway does meanwhile. {@link #passiveAnswers} counts the answers, each just before it is
     * written.
     */
    public volatile java.util.concurrent.CountDownLatch passiveReplyGate;
    public final AtomicInteger passiveAnswers = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean firstHandled =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final String host;

    public ScriptedFtpServer() throws IOException {
        this("127.0.0.1");
    }

    /** A scripted server whose control and data listeners bind {@code host} (e.g. "127.0.0.3" or "::1"). */
    public ScriptedFtpServer(String host) throws IOException {
        this.host = host;
        if (!"127.0.0.1".equals(host)) {
            pasvHost = host;
        }
        control = new ServerSocket();
        control.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 16);
        acceptor = new Thread(this::acceptLoop, "scripted-ftp-" + control.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Waits until a control session of this server has ended (the server hung up or the client left). */
    public void awaitControlClosed(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (open.stream().anyMatch(Socket::isClosed)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the scripted server's control session did not end");
    }

    public int port() {
        return control.getLocalPort();
    }

    /** The address the control and data listeners bind. */
    public String host() {
        return host;
    }

    /** Commands received, as a single string for assertion messages. */
    public String received() {
        return "scripted server received: " + commands + ", data peers " + dataPeers;
    }

    private void acceptLoop() {
        while (!control.isClosed()) {
            try {
                Socket s = control.accept();
                controlConnections.incrementAndGet();
                open.add(s);
                Thread t = new Thread(() -> session(s), "scripted-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket s) {
        ServerSocket data = null;
        try (s) {
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            if (!scripted(out, GREETING, null)) {
                write(out, greeting);
            }
            String line;
            while ((line = in.readLine()) != null) {
                commands.add(line);
                int sp = line.indexOf(' ');
                String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
                List<String> lines = script.get(verb);
                if (lines != null && lines.stream().anyMatch(l -> l.contains("{p1}") || l.contains("{p2}")
                        || l.contains("{port}") || l.contains("{host}"))) {
                    if (data != null) {
                        data.close();
                    }
                    data = openData();
                }
                if (scripted(out, verb, data)) {
                    if ("QUIT".equals(verb)) {
                        return;
                    }
                    continue;
                }
                switch (verb) {
                    case "USER" -> write(out, "331 Password required.");
                    case "PASS" -> write(out, "230 Logged in.");
                    case "TYPE", "MODE", "STRU" -> write(out, "200 Command okay.");
                    case "SYST" -> write(out, "215 UNIX Type: L8");
                    case "NOOP" -> write(out, noopReply);
                    case "FEAT" -> {
                        for (String l : featReply) {
                            write(out, l);
                        }
                    }
                    case "PASV" -> {
                        if (data != null) {
                            data.close();
                        }
                        data = openData();
                        maybeDropIdle(data);
                        awaitPassiveGate();
                        int p = pasvPortOverride != null ? pasvPortOverride : data.getLocalPort();
                        write(out, "227 Entering Passive Mode (" + pasvHost.replace('.', ',') + "," + (p >> 8) + ","
                                + (p & 0xff) + ")");
                    }
                    case "EPSV" -> {
                        if (data != null) {
                            data.close();
                        }
                        data = openData();
                        maybeDropIdle(data);
                        awaitPassiveGate();
                        write(out, "229 Entering Extended Passive Mode (|||" + data.getLocalPort() + "|)");
                    }
                    case "PORT", "EPRT" -> {
                        if (activeData) {
                            activeTarget = parseActive(verb, line.substring(sp + 1));
                        }
                        write(out, "200 " + verb + " command successful.");
                    }
                    case "STOR" -> {
                        if (data == null) {
                            write(out, "425 Use PASV first.");
                            break;
                        }
                        try (ServerSocket d = data; Socket conn = d.accept()) {
                            stor(out, conn);
                        } catch (IOException e) {
                            write(out, "425 Can't open data connection.");
                        }
                        data = null;
                    }
                    case "RETR", "LIST", "NLST", "MLSD" -> {
                        if ("150-then-425".equals(retrMode)) {
                            write(out, "150 Opening BINARY mode data connection.");
                            write(out, "425 Can't open data connection.");
                            break;
                        }
                        if ("reply-227".equals(retrMode)) {
                            write(out, "227 Entering Passive Mode (10,0,0,5,4,1)");
                            break;
                        }
                        if (data == null && activeData && activeTarget != null) {
                            activeRetr(out);
                            break;
                        }
                        if (data == null) {
                            write(out, "425 Use PASV first.");
                            break;
                        }
                        write(out, "150 Opening BINARY mode data connection.");
                        try (ServerSocket d = data; Socket conn = d.accept()) {
                            dataPeers.add(((InetSocketAddress) conn.getRemoteSocketAddress()).getAddress()
                                    .getHostAddress());
                            conn.getOutputStream().write(retrData);
                            conn.getOutputStream().flush();
                        } catch (IOException e) {
                            write(out, "425 Can't open data connection.");
                            data = null;
                            break;
                        }
                        data = null;
                        write(out, "226 Transfer complete.");
                        if ("close-after-226".equals(retrMode)) {
                            return;
                        }
                    }
                    case "QUIT" -> {
                        write(out, "221 Goodbye.");
                        return;
                    }
                    default -> write(out, "502 Command not implemented.");
                }
            }
        } catch (IOException e) {
            // session over
        } finally {
            if (data != null) {
                try {
                    data.close();
                } catch (IOException e) {
                    // ignore
                }
            }
        }
    }

    /**
     * Opens the data listener on 127.0.0.1; when the 227 names another host, also opens a {@link Victim} on that
     * host with the same port number, so a gateway that trusted the 227 address would be caught connecting there.
     */
    private ServerSocket openData() throws IOException {
        Integer wanted = dataPort;
        if (wanted != null) {
            try {
                ServerSocket d = new ServerSocket();
                d.setReuseAddress(true);
                d.bind(new InetSocketAddress(InetAddress.getByName(host), wanted), 4);
                d.setSoTimeout(15_000);
                return d;
            } catch (IOException e) {
                // busy: fall back to a free port
            }
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            ServerSocket d = new ServerSocket();
            d.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 4);
            d.setSoTimeout(15_000);
            if (host.equals(pasvHost)) {
                return d;
            }
            try {
                Victim v = new Victim(pasvHost, d.getLocalPort());
                resources.add(v);
                victim = v;
                return d;
            } catch (IOException e) {
                d.close();
            }
        }
        throw new IOException("cannot open a data port with a matching victim on " + pasvHost);
    }

    /**
     * Writes the scripted reply for {@code key}, if any, with placeholders filled from {@code data}; returns
     * false when nothing is scripted for it.
     */
    private boolean scripted(OutputStream out, String key, ServerSocket data) throws IOException {
        byte[] raw = rawScript.get(key);
        List<String> lines = script.get(key);
        if (raw == null && lines == null) {
            return false;
        }
        if (raw == null) {
            StringBuilder sb = new StringBuilder();
            int p = data == null ? 0 : data.getLocalPort();
            for (String l : lines) {
                sb.append(l.replace("{p1}", String.valueOf(p >> 8)).replace("{p2}", String.valueOf(p & 0xff))
                        .replace("{port}", String.valueOf(p)).replace("{host}", host.replace('.', ',')))
                        .append("\r\n");
            }
            raw = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        }
        int chunk = chunkBytes;
        if (chunk <= 0) {
            out.write(raw);
            out.flush();
            return true;
        }
        for (int i = 0; i < raw.length; i += chunk) {
            out.write(raw, i, Math.min(chunk, raw.length - i));
            out.flush();
            try {
                Thread.sleep(chunkPauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        return true;
    }

    /** PORT h1,h2,h3,h4,p1,p2 or EPRT |n|addr|port| to a socket address; null when unparsable. */
    private static InetSocketAddress parseActive(String verb, String arg) {
        try {
            if ("PORT".equals(verb)) {
                String[] f = arg.trim().split(",");
                return new InetSocketAddress(InetAddress.getByName(f[0] + "." + f[1] + "." + f[2] + "." + f[3]),
                        Integer.parseInt(f[4]) * 256 + Integer.parseInt(f[5]));
            }
            String d = arg.substring(0, 1);
            String[] f = arg.split(java.util.regex.Pattern.quote(d), -1);
            return new InetSocketAddress(InetAddress.getByName(f[2]), Integer.parseInt(f[3]));
        } catch (RuntimeException | IOException e) {
            return null;
        }
    }

    /** An active-mode RETR: 150, connect to {@link #activeTarget} from this server's host, data, 226. */
    private void stor(OutputStream out, Socket conn) throws IOException {
        try {
            Thread.sleep(storAckDelayMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        conn.setSoTimeout(1);
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        try {
            int b = conn.getInputStream().read();
            dataBeforeAck = true; // a byte (b >= 0) or the EOF (b < 0) before our 150
            if (b >= 0) {
                got.write(b);
            }
        } catch (java.net.SocketTimeoutException quiet) {
            // nothing yet: as it should be
        }
        conn.setSoTimeout(10_000);
        write(out, "150 Opening BINARY mode data connection.");
        got.write(conn.getInputStream().readAllBytes());
        stored = got.toByteArray();
        write(out, "226 Transfer complete.");
    }

    /** Waits for {@link #passiveReplyGate} (if set), then counts the answer about to be written. */
    private void awaitPassiveGate() throws IOException {
        java.util.concurrent.CountDownLatch gate = passiveReplyGate;
        try {
            if (gate != null && !gate.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IOException("passive reply gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        passiveAnswers.incrementAndGet();
    }

    private void maybeDropIdle(ServerSocket listener) {
        String how = firstDataConnection;
        if ("normal".equals(how) || !firstHandled.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try (listener; Socket conn = listener.accept()) {
                dataPeers.add(how + ":" + ((InetSocketAddress) conn.getRemoteSocketAddress()).getAddress()
                        .getHostAddress());
                if ("watch".equals(how)) {
                    conn.setSoTimeout(30_000);
                    while (conn.getInputStream().read() >= 0) {
                        // the gateway sends nothing on a leg it never used; wait for its close
                    }
                }
                firstDataConnectionDone.countDown();
            } catch (IOException e) {
                // not connected, or reset: no countdown, so the test sees it
            }
        }, "scripted-first-data");
        t.setDaemon(true);
        t.start();
    }

    private void activeRetr(OutputStream out) throws IOException {
        write(out, "150 Opening BINARY mode data connection.");
        try {
            Thread.sleep(activeConnectDelayMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try (Socket conn = new Socket()) {
            conn.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            conn.connect(activeTarget, 5_000);
            dataPeers.add(((InetSocketAddress) conn.getRemoteSocketAddress()).getAddress().getHostAddress());
            conn.getOutputStream().write(retrData);
            conn.getOutputStream().flush();
        } catch (IOException e) {
            write(out, "425 Can't open data connection.");
            return;
        }
        write(out, "226 Transfer complete.");
    }

    private static void write(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        control.close();
        for (Socket s : open) {
            s.close();
        }
        List<AutoCloseable> rs = new ArrayList<>(resources);
        for (AutoCloseable r : rs) {
            try {
                r.close();
            } catch (Exception e) {
                // ignore
            }
        }
    }
}
