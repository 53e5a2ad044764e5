package io.ftpgate.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal blocking FTP client for the load tool: one control connection, one data connection at a time. */
final class BlockingFtpClient implements AutoCloseable {

    /** How the client asks for its data connection. */
    enum Mode { PASV, EPSV, PORT, EPRT }

    /** A reply: code and the text of its last line. */
    record Reply(int code, String text) {
    }

    private final Socket control;
    private final InputStream in;
    private final OutputStream out;
    private final InetSocketAddress server;

    BlockingFtpClient(InetSocketAddress server, int timeoutMillis) throws IOException {
        this.server = server;
        control = new Socket();
        control.setTcpNoDelay(true);
        control.connect(server, timeoutMillis);
        control.setSoTimeout(timeoutMillis);
        in = new BufferedInputStream(control.getInputStream());
        out = control.getOutputStream();
        expect(read(), 220);
    }

    void login(String user, String pass) throws IOException {
        Reply r = command("USER " + user);
        if (r.code() == 331) {
            r = command("PASS " + pass);
        }
        expect(r, 230);
        expect(command("TYPE I"), 200);
    }

    Reply command(String line) throws IOException {
        send(line);
        return read();
    }

    void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    Reply read() throws IOException {
        String first = line();
        if (first.length() >= 4 && first.charAt(3) == '-') {
            String end = first.substring(0, 3) + " ";
            String l;
            do {
                l = line();
            } while (!l.startsWith(end));
            return new Reply(Integer.parseInt(first.substring(0, 3)), l.substring(4));
        }
        return new Reply(Integer.parseInt(first.substring(0, 3)), first.length() > 4 ? first.substring(4) : "");
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("control connection closed");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    static Reply expect(Reply r, int code) throws IOException {
        if (r.code() != code) {
            throw new IOException("expected " + code + ", got " + r.code() + " " + r.text());
        }
        return r;
    }

    /** A data connection being set up: passive (already connected) or active (listening). */
    final class Data implements AutoCloseable {
        private Socket socket;
        private final ServerSocket listener;

        Data(Socket socket, ServerSocket listener) {
            this.socket = socket;
            this.listener = listener;
        }

        /** The connected data socket (accepts the server's connection for active modes). */
        Socket socket() throws IOException {
            if (socket == null) {
                socket = listener.accept();
                socket.setSoTimeout(control.getSoTimeout());
            }
            return socket;
        }

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
            }
            if (listener != null) {
                listener.close();
            }
        }
    }

    /** Negotiates a data connection in {@code mode}; passive modes are connected on return. */
    Data open(Mode mode) throws IOException {
        InetAddress local = control.getLocalAddress();
        switch (mode) {
            case PASV -> {
                Reply r = expect(command("PASV"), 227);
                String t = r.text();
                String[] p = t.substring(t.indexOf('(') + 1, t.indexOf(')')).split(",");
                InetSocketAddress to = new InetSocketAddress(p[0] + "." + p[1] + "." + p[2] + "." + p[3],
                        Integer.parseInt(p[4]) * 256 + Integer.parseInt(p[5]));
                return new Data(connect(to), null);
            }
            case EPSV -> {
                Reply r = expect(command("EPSV"), 229);
                String t = r.text();
                String inner = t.substring(t.indexOf('(') + 1, t.indexOf(')'));
                int port = Integer.parseInt(inner.substring(3, inner.length() - 1));
                return new Data(connect(new InetSocketAddress(server.getAddress(), port)), null);
            }
            default -> {
                ServerSocket ss = new ServerSocket(0, 1, local);
                ss.setSoTimeout(control.getSoTimeout());
                int port = ss.getLocalPort();
                String a = local.getHostAddress();
                String line = mode == Mode.PORT
                        ? "PORT " + a.replace('.', ',') + "," + (port >> 8) + "," + (port & 255)
                        : "EPRT |1|" + a + "|" + port + "|";
                Reply r = command(line);
                if (r.code() != 200) {
                    ss.close();
                    throw new IOException(mode + ": " + r.code() + " " + r.text());
                }
                return new Data(null, ss);
            }
        }
    }

    private Socket connect(InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        s.connect(to, control.getSoTimeout());
        s.setSoTimeout(control.getSoTimeout());
        return s;
    }

    @Override
    public void close() throws IOException {
        try {
            send("QUIT");
            read();
        } catch (IOException ignored) {
            // already gone
        } finally {
            control.close();
        }
    }
}
