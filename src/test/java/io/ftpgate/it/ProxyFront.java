package io.ftpgate.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal TCP balancer for tests, in the JVM: it accepts on a front address and forwards each connection to
 * the same port (or a given one) of a target, connecting from the "balancer" address and sending first a PROXY
 * header (Netty's {@link HAProxyMessageEncoder}) that names the accepted connection's peer and the front
 * address, as HAProxy's {@code send-proxy}/{@code send-proxy-v2} does. Also sends the header in two TCP segments,
 * or in one segment with the client's first bytes, to test a reader that must cope with both.
 */
public final class ProxyFront implements AutoCloseable {

    /** How the header goes out. */
    public enum Framing {
        /** The header alone, in one write (HAProxy). */
        WHOLE,
        /** The header split in two writes with a pause between (two segments). */
        SPLIT,
        /** The header and the client's first bytes in one write (one segment). */
        WITH_DATA
    }

    private final List<ServerSocket> listeners = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final String balancer;
    private final HAProxyProtocolVersion version;
    private volatile Framing framing = Framing.WHOLE;

    /** A front whose connections to the target come from {@code balancer} with a header of {@code version}. */
    public ProxyFront(String balancer, HAProxyProtocolVersion version) {
        this.balancer = balancer;
        this.version = version;
    }

    public ProxyFront framing(Framing f) {
        framing = f;
        return this;
    }

    /** Listens on {@code front} ({@code port} 0: any) and forwards to {@code target}; returns the bound port. */
    public int forward(String front, int port, InetSocketAddress target) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(InetAddress.getByName(front), port));
        listeners.add(ss);
        Thread t = new Thread(() -> acceptLoop(ss, target), "proxy-front-" + ss.getLocalPort());
        t.setDaemon(true);
        t.start();
        return ss.getLocalPort();
    }

    /** Forwards each port of {@code low..high} on {@code front} to the same port on {@code targetHost}. */
    public void forwardRange(String front, int low, int high, String targetHost) throws IOException {
        for (int p = low; p <= high; p++) {
            forward(front, p, new InetSocketAddress(targetHost, p));
        }
    }

    private void acceptLoop(ServerSocket ss, InetSocketAddress target) {
        while (!ss.isClosed()) {
            try {
                Socket client = ss.accept();
                open.add(client);
                Thread t = new Thread(() -> relay(client, target), "proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client, InetSocketAddress target) {
        try (client; Socket up = new Socket()) {
            open.add(up);
            client.setTcpNoDelay(true);
            up.setTcpNoDelay(true);
            up.bind(new InetSocketAddress(InetAddress.getByName(balancer), 0));
            up.connect(target, 5_000);
            byte[] header = header((InetSocketAddress) client.getRemoteSocketAddress(),
                    (InetSocketAddress) client.getLocalSocketAddress());
            OutputStream out = up.getOutputStream();
            switch (framing) {
                case WHOLE -> out.write(header);
                case SPLIT -> {
                    out.write(header, 0, header.length / 2);
                    out.flush();
                    Thread.sleep(100);
                    out.write(header, header.length / 2, header.length - header.length / 2);
                }
                case WITH_DATA -> out.write(withFirstBytes(client, header));
            }
            out.flush();
            Thread back = new Thread(() -> pipe(up, client), "proxy-back");
            back.setDaemon(true);
            back.start();
            pipe(client, up);
            back.join(30_000);
        } catch (IOException | InterruptedException e) {
            // the test sees the effect on its own connection
        }
    }

    /** The header followed by whatever the client sends within a second (an upload's first bytes). */
    private static byte[] withFirstBytes(Socket client, byte[] header) throws IOException {
        client.setSoTimeout(1_000);
        byte[] buf = new byte[8192];
        int n = 0;
        try {
            n = Math.max(0, client.getInputStream().read(buf));
        } catch (SocketTimeoutException e) {
            n = 0;
        }
        client.setSoTimeout(0);
        byte[] all = new byte[header.length + n];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(buf, 0, all, header.length, n);
        return all;
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                to.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** A PROXY header of this front's version naming {@code source} as client of {@code destination}. */
    public byte[] header(InetSocketAddress source, InetSocketAddress destination) {
        return encode(new HAProxyMessage(version, HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP4,
                source.getAddress().getHostAddress(), destination.getAddress().getHostAddress(), source.getPort(),
                destination.getPort()));
    }

    /** Netty's encoding of {@code m} (released). */
    public static byte[] encode(HAProxyMessage m) {
        EmbeddedChannel ch = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        ch.writeOutbound(m);
        ByteBuf b = ch.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(b);
        b.release();
        ch.finishAndReleaseAll();
        return bytes;
    }

    @Override
    public void close() {
        for (ServerSocket ss : listeners) {
            try {
                ss.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
