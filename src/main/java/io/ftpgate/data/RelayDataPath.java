package io.ftpgate.data;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.ftpgate.net.PortRange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.IntPredicate;

/**
 * The user-space {@link DataPath}: Netty pinholes ({@link SocketPinhole}) on ports shared by peer
 * ({@link SharedPorts}), legs connected with the data-leg
 * options ({@link DataLegs}, pipeline {@link DataLegPipeline}), and a backpressured {@link DataRelay} between
 * them. Every leg of a transfer is on the session's event loop. Thread-safe and shared by all sessions.
 */
public final class RelayDataPath implements DataPath {

    private final Transport transport;
    private final SharedPorts ports;

    /** A relay path on {@code transport} (the transport of the event loops it is called on). */
    public RelayDataPath(Transport transport) {
        this.transport = transport;
        this.ports = new SharedPorts(transport);
    }

    @Override
    public String name() {
        return "relay";
    }

    @Override
    public Future<Pinhole> listen(EventLoop loop, PinholeSpec spec, Pinhole.Events events) {
        return SocketPinhole.open(loop, ports, spec, events);
    }

    /** Connects with auto-read off: the relay decides when to read. The local port is chosen by the kernel. */
    @Override
    public Future<DataLeg> connect(EventLoop loop, InetSocketAddress remote, InetAddress localAddress,
            Duration timeout, boolean transparent) {
        Promise<DataLeg> p = loop.newPromise();
        Bootstrap b = DataLegs.apply(transport.applyConnectOptions(transport.applyTransparent(new Bootstrap(), transparent)
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .option(ChannelOption.AUTO_READ, false)
                .handler(new DataLegPipeline(false))));
        b.connect(remote, new InetSocketAddress(localAddress, 0)).addListener(f -> {
            if (f.isSuccess()) {
                p.setSuccess(new ChannelLeg(((ChannelFuture) f).channel()));
            } else {
                p.setFailure(f.cause());
            }
        });
        return p;
    }

    /**
     * Takes a port of {@code range} for a {@link TranslatingPath}'s pinhole for {@code peer}, shared with this
     * relay's pinholes by the same rule (never a port where a pinhole already waits for that peer), and one
     * that {@code cooling} does not name while there is such a port; -1 when none is free.
     */
    public int takeTranslatedPort(PortRange range, InetAddress peer, IntPredicate cooling) {
        return ports.takeTranslated(range, peer, cooling);
    }

    /** Gives back a port {@link #takeTranslatedPort} took. */
    public void giveBackTranslatedPort(int port, InetAddress peer) {
        ports.giveBackTranslated(port, peer);
    }

    @Override
    public DataFlow prepare(DataLeg clientLeg, DataLeg serverLeg) {
        return new DataRelay(ChannelLeg.channelOf(clientLeg), ChannelLeg.channelOf(serverLeg));
    }
}
