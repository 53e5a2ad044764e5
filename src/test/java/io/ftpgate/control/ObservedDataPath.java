package io.ftpgate.control;

import io.ftpgate.data.DataFlow;
import io.ftpgate.data.DataLeg;
import io.ftpgate.data.DataPath;
import io.ftpgate.data.Pinhole;
import io.ftpgate.data.PinholeSpec;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A real data path with a witness: every outward data connection is reported to {@code connects} before it is
 * attempted. Used by oracles that prove no input makes the gateway connect anywhere but a control peer.
 */
final class ObservedDataPath implements DataPath {

    private final DataPath real;
    private final Consumer<InetSocketAddress> connects;

    ObservedDataPath(DataPath real, Consumer<InetSocketAddress> connects) {
        this.real = real;
        this.connects = connects;
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public Future<Pinhole> listen(EventLoop loop, PinholeSpec spec, Pinhole.Events events) {
        return real.listen(loop, spec, events);
    }

    @Override
    public Future<DataLeg> connect(EventLoop loop, InetSocketAddress remote, InetAddress localAddress,
            Duration timeout, boolean transparent) {
        connects.accept(remote);
        return real.connect(loop, remote, localAddress, timeout, transparent);
    }

    @Override
    public DataFlow prepare(DataLeg clientLeg, DataLeg serverLeg) {
        return real.prepare(clientLeg, serverLeg);
    }
}
