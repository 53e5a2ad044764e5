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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake upstream FTP server on 127.0.0.1 running a small scripted dialogue, in the style of curl's
 * ftpserver.pl: 220 greeting, USER→331, PASS→230, TYPE→200, PASV→227 (address configurable, to play a
 * hostile or NATed server), RETR→150 + {@link #retrData} on the data connection + 226, QUIT→221.
 * Every command it receives and every data connection it accepts is recorded.
 */
final class ScriptedFtpServer implements AutoCloseable {

    private final ServerSocket control;
    private final Thread acceptor;
    final List<String> commands = new CopyOnWriteArrayList<>();
    /** Remote addresses of accepted data connections ("127.0.0.1"). */
    final List<String> dataPeers = new CopyOnWriteArrayList<>();
    final AtomicInteger controlConnections = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

    // Script knobs; set before the gateway connects.
    /** The host written into the 227 reply (e.g. "127.0.0.3" for a hostile server). */
    volatile String pasvHost = "127.0.0.1";
    /** If set, the port written into the 227 reply instead of the real data port (e.g. 22). */
    volatile Integer pasvPortOverride;
    /** If set, the reply to NOOP (e.g. a spurious 227). */
    volatile String noopReply = "200 NOOP ok.";
    /** The FEAT reply lines (CRLF added). */
    volatile List<String> featReply = List.of("211-Features:", " MDTM", " SIZE", " AUTH TLS", " PBSZ", " PROT",
            " EPRT", " LPSV", " UTF8", "211 End");
    volatile byte[] retrData = "hello from the scripted server\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The greeting line (e.g. a hostile "227 ..." greeting). */
    volatile String greeting = "220 scripted server ready";
    /**
     * How RETR behaves: {@code normal}; {@code 150-then-425} (announces, never connects, then fails);
     * {@code reply-227} (answers RETR with a 227); {@code close-after-226} (hangs up right after 226).
     */
    volatile String retrMode = "normal";
    /** Victim listening on pasvHost at the advertised port, when pasvHost is not 127.0.0.1. */
    volatile Victim victim;

    ScriptedFtpServer() throws IOException {
        control = new ServerSocket();
        control.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        acceptor = new Thread(this::acceptLoop, "scripted-ftp-" + control.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Waits until a control session of this server has ended (the server hung up or the client left). */
    void awaitControlClosed(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (open.stream().anyMatch(Socket::isClosed)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the scripted server's control session did not end");
    }

    int port() {
        return control.getLocalPort();
    }

    /** Commands received, as a single string for assertion messages. */
    String received() {
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
            write(out, greeting);
            String line;
            while ((line = in.readLine()) != null) {
                commands.add(line);
                int sp = line.indexOf(' ');
                String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
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
                        int p = pasvPortOverride != null ? pasvPortOverride : data.getLocalPort();
                        write(out, "227 Entering Passive Mode (" + pasvHost.replace('.', ',') + "," + (p >> 8) + ","
                                + (p & 0xff) + ")");
                    }
                    case "EPSV" -> {
                        if (data != null) {
                            data.close();
                        }
                        data = openData();
                        write(out, "229 Entering Extended Passive Mode (|||" + data.getLocalPort() + "|)");
                    }
                    case "PORT" -> write(out, "200 PORT command successful.");
                    case "RETR" -> {
                        if ("150-then-425".equals(retrMode)) {
                            write(out, "150 Opening BINARY mode data connection.");
                            write(out, "425 Can't open data connection.");
                            break;
                        }
                        if ("reply-227".equals(retrMode)) {
                            write(out, "227 Entering Passive Mode (10,0,0,5,4,1)");
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
        for (int attempt = 0; attempt < 50; attempt++) {
            ServerSocket d = new ServerSocket();
            d.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 4);
            d.setSoTimeout(15_000);
            if ("127.0.0.1".equals(pasvHost)) {
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
