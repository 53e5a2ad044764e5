package io.ftpgate.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/** A listening socket that must never be reached: it counts (and closes) every connection it accepts. */
public final class Victim implements AutoCloseable {

    private final ServerSocket server;
    private final AtomicInteger accepts = new AtomicInteger();
    private final Thread thread;

    public Victim(String address, int port) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(address), port), 16);
        thread = new Thread(this::run, "victim-" + address + ":" + port());
        thread.setDaemon(true);
        thread.start();
    }

    /** A victim on {@code address:port}, or null when that port cannot be bound there (busy, no privilege). */
    public static Victim tryOpen(String address, int port) {
        try {
            return new Victim(address, port);
        } catch (IOException e) {
            return null;
        }
    }

    /** "address:port", for assertion messages. */
    public String name() {
        return server.getInetAddress().getHostAddress() + ":" + port();
    }

    private void run() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                accepts.incrementAndGet();
            } catch (IOException e) {
                return;
            }
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public int accepts() {
        return accepts.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
