package io.ftpgate.auditor;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Listening sockets on one port of several local addresses, waiting for a server's active-mode data connection.
 * The bounce check binds the third-party address and the client's own address on the same port: after
 * {@code PORT 127,0,0,2,156,65} a category 1 server connects to 127.0.0.2:40001, a redirecting one (which
 * takes only the port, as ftpgate can by policy) to 127.0.0.1:40001.
 */
final class DataTrap implements AutoCloseable {

    /** Attempts to find a port that is free on every address. */
    static final int BIND_ATTEMPTS = 20;
    /** Bytes of a data connection read before giving up on its end; a LIST is far smaller. */
    static final int MAX_DRAIN_BYTES = 1 << 20;

    /**
     * A data connection the server made to the trap.
     *
     * @param listener the trap address it reached
     * @param from     where it came from
     * @param bytes    bytes read from it before EOF, the cap or the timeout
     */
    record Caught(InetSocketAddress listener, InetSocketAddress from, long bytes) {
    }

    private final Selector selector;
    private final List<ServerSocketChannel> channels;
    private final int port;

    private DataTrap(Selector selector, List<ServerSocketChannel> channels, int port) {
        this.selector = selector;
        this.channels = channels;
        this.port = port;
    }

    /**
     * Listens on {@code port} of every address, or, with port 0, on one ephemeral port free on all of them.
     *
     * @throws IOException when no such port can be bound (for example, the address is not one of this host's)
     */
    static DataTrap listen(List<InetAddress> addresses, int port) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < (port == 0 ? BIND_ATTEMPTS : 1); attempt++) {
            Selector selector = Selector.open();
            List<ServerSocketChannel> bound = new ArrayList<>();
            try {
                int p = port;
                for (InetAddress a : addresses) {
                    ServerSocketChannel ch = ServerSocketChannel.open();
                    bound.add(ch);
                    ch.bind(new InetSocketAddress(a, p), 1);
                    p = ((InetSocketAddress) ch.getLocalAddress()).getPort();
                    ch.configureBlocking(false);
                    ch.register(selector, SelectionKey.OP_ACCEPT);
                }
                return new DataTrap(selector, bound, p);
            } catch (IOException e) {
                last = e;
                closeAll(selector, bound);
            }
        }
        throw last;
    }

    /** The port listened on. */
    int port() {
        return port;
    }

    /**
     * Waits up to {@code wait} for a connection; accepts it, reads it to the end (each read bounded by
     * {@code wait}) and closes it.
     */
    Optional<Caught> await(Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        for (long left = wait.toMillis(); left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
            selector.select(left);
            for (SelectionKey key : selector.selectedKeys()) {
                ServerSocketChannel ch = (ServerSocketChannel) key.channel();
                SocketChannel accepted = ch.accept();
                if (accepted != null) {
                    try (Socket s = accepted.socket()) {
                        accepted.configureBlocking(true);
                        long bytes = drain(s, wait);
                        return Optional.of(new Caught((InetSocketAddress) ch.getLocalAddress(),
                                (InetSocketAddress) s.getRemoteSocketAddress(), bytes));
                    }
                }
            }
            selector.selectedKeys().clear();
        }
        return Optional.empty();
    }

    /**
     * Reads {@code s} until EOF, a reset, {@link #MAX_DRAIN_BYTES} or a read that waits longer than
     * {@code wait}; returns the bytes read.
     */
    static long drain(Socket s, Duration wait) throws IOException {
        s.setSoTimeout(ControlSession.millis(wait));
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        long total = 0;
        try {
            for (int n = in.read(buf); n >= 0 && total < MAX_DRAIN_BYTES; n = in.read(buf)) {
                total += n;
            }
        } catch (SocketTimeoutException e) {
            // The server keeps the connection open without sending: what came so far is the answer.
        } catch (IOException e) {
            // A reset ends the data as surely as EOF does.
        }
        return total;
    }

    @Override
    public void close() {
        closeAll(selector, channels);
    }

    private static void closeAll(Selector selector, List<ServerSocketChannel> channels) {
        for (ServerSocketChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                // Closing a listener cannot fail in a way that matters here.
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // Same.
        }
    }
}
