package io.ftpgate.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/** A listening socket that must never be reached: it counts (and closes) every connection it accepts. */
final class Victim implements AutoCloseable {

    private final ServerSocket server;
    private final AtomicInteger accepts = new AtomicInteger();
    private final Thread thread;

    Victim(String address, int port) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(address), port), 16);
        thread = new Thread(this::run, "victim-" + address + ":" + port());
        thread.setDaemon(true);
        thread.start();
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

    int port() {
        return server.getLocalPort();
    }

    int accepts() {
        return accepts.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
