package io.ftpgate.data;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * How the bytes of data connections move: the seam between brokering (the control package decides who may
 * connect where, and when) and forwarding. A path makes the two legs of a transfer — a {@link Pinhole} a peer
 * connects to, or an outward connection to a control peer's data port — and then, per transfer,
 * {@link #prepare prepares} a {@link DataFlow} that is committed or aborted, and reports the bytes moved each
 * way.
 *
 * <p>Today's implementation is {@link RelayDataPath}: pinholes are Netty listeners shared by peer and the flow is a
 * backpressured user-space relay. A kernel path (nftables forwarding each data connection, as OpenBSD's
 * ftp-proxy does with pf) implements the same interface. The security properties are the control package's
 * and hold for every path: a leg is only ever connected to a control peer, and a pinhole accepts only its
 * expected peer, once.
 */
public interface DataPath {

    /** A short name for logs, audit and metrics ("relay"). */
    String name();

    /** Opens a pinhole as {@code spec} says; fails with {@link Pinhole.PinholeExhaustedException}. */
    Future<Pinhole> listen(EventLoop loop, PinholeSpec spec, Pinhole.Events events);

    /**
     * Connects a leg to {@code remote} (always a control peer's address, with the port it named) from the
     * gateway's own {@code localAddress} on that side; with {@code transparent} (IP_TRANSPARENT) that address may
     * be one the gateway does not own: in transparent placement the server's toward the client, the client's
     * toward the server.
     */
    Future<DataLeg> connect(EventLoop loop, InetSocketAddress remote, InetAddress localAddress, Duration timeout,
            boolean transparent);

    /** Prepares the transfer between two legs this path made; nothing moves until {@link DataFlow#commit}. */
    DataFlow prepare(DataLeg clientLeg, DataLeg serverLeg);
}
