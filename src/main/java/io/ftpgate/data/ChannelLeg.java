package io.ftpgate.data;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;

/** A {@link DataLeg} of the relay path: a Netty channel with auto-read off and an {@link EarlyDataBuffer}. */
final class ChannelLeg implements DataLeg {

    private final Channel channel;

    ChannelLeg(Channel channel) {
        this.channel = channel;
    }

    /** The channel of a leg made by the relay path; anything else is a programming error. */
    static Channel channelOf(DataLeg leg) {
        if (leg instanceof ChannelLeg c) {
            return c.channel;
        }
        throw new IllegalArgumentException("not a leg of the relay data path: " + leg);
    }

    @Override
    public InetSocketAddress remote() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void watch() {
        // One read: epoll notices EPOLLRDHUP anyway, NIO only with read interest. EarlyDataBuffer keeps the bytes.
        channel.read();
    }

    @Override
    public Future<Void> secure(SslHandler tls) {
        Promise<Void> done = channel.eventLoop().newPromise();
        channel.pipeline().addFirst(DataLegPipeline.TLS, tls);
        tls.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                done.trySuccess(null);
            } else {
                done.tryFailure(f.cause());
            }
        });
        // Auto-read is off: the handshake needs reads (SslHandler asks for more itself once it has started).
        channel.read();
        return done;
    }

    @Override
    public void close() {
        channel.close();
        EarlyDataBuffer.discard(channel);
    }

    @Override
    public String toString() {
        return channel.toString();
    }
}
