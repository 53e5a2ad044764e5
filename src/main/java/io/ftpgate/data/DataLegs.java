package io.ftpgate.data;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;

/**
 * Socket and buffer options of data legs, in one place so that every leg (connected by the gateway or accepted
 * by a pinhole) gets the same ones, and a benchmark can vary them without touching the relay.
 *
 * <p>The defaults were chosen by measurement (docs/benchmarks.md): reads of up to {@value #DEFAULT_READ_MAX}
 * bytes (Netty's default adaptive allocator stops at 64 KiB, so a bulk transfer costs four times the read
 * calls), Nagle left on (the relay flushes once per read batch, so there is no small-write latency to save and
 * full segments are cheaper), and the kernel's socket-buffer autotuning left alone (a fixed SO_RCVBUF/SO_SNDBUF
 * disables it and measured no better). The water marks bound what one transfer may queue in user space: with
 * 10,000 sessions that is the memory that matters, not the socket buffers the kernel already has.
 *
 * <p>Each value can be overridden by a system property, for benchmarks only: {@code ftpgate.data.read-max},
 * {@code ftpgate.data.water-low}, {@code ftpgate.data.water-high}, {@code ftpgate.data.nodelay},
 * {@code ftpgate.data.sndbuf}, {@code ftpgate.data.rcvbuf} (0 = kernel autotuning).
 */
public final class DataLegs {

    /** Largest single read of a data leg. */
    static final int DEFAULT_READ_MAX = 256 * 1024;
    /** Smallest and first read size guess of the adaptive allocator. */
    private static final int READ_MIN = 2048;
    private static final int READ_INITIAL = 64 * 1024;
    private static final int DEFAULT_WATER_LOW = 256 * 1024;
    private static final int DEFAULT_WATER_HIGH = 1024 * 1024;

    private static final int READ_MAX = Integer.getInteger("ftpgate.data.read-max", DEFAULT_READ_MAX);
    private static final boolean NODELAY = Boolean.getBoolean("ftpgate.data.nodelay");
    private static final int SNDBUF = Integer.getInteger("ftpgate.data.sndbuf", 0);
    private static final int RCVBUF = Integer.getInteger("ftpgate.data.rcvbuf", 0);
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(
            Integer.getInteger("ftpgate.data.water-low", DEFAULT_WATER_LOW),
            Integer.getInteger("ftpgate.data.water-high", DEFAULT_WATER_HIGH));

    private DataLegs() {
    }

    /** The read allocator of a data leg (one instance per leg: the adaptive guess is per channel anyway). */
    private static RecvByteBufAllocator readAllocator() {
        return new AdaptiveRecvByteBufAllocator(READ_MIN, Math.min(READ_INITIAL, READ_MAX), READ_MAX);
    }

    /** The water marks of a data leg: read from the other leg only while this one queues less. */
    public static WriteBufferWaterMark waterMark() {
        return WATER_MARK;
    }

    /** Applies the data-leg options to a bootstrap that connects a data leg. Auto-read stays off. */
    public static <B extends AbstractBootstrap<B, C>, C extends Channel> B apply(B bootstrap) {
        bootstrap.option(ChannelOption.TCP_NODELAY, NODELAY)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.RCVBUF_ALLOCATOR, readAllocator());
        if (SNDBUF > 0) {
            bootstrap.option(ChannelOption.SO_SNDBUF, SNDBUF);
        }
        if (RCVBUF > 0) {
            bootstrap.option(ChannelOption.SO_RCVBUF, RCVBUF);
        }
        return bootstrap;
    }

    /** Applies the data-leg options to a leg a pinhole accepted. */
    public static void apply(Channel leg) {
        ChannelConfig c = leg.config();
        c.setWriteBufferWaterMark(WATER_MARK);
        c.setRecvByteBufAllocator(readAllocator());
        c.setOption(ChannelOption.TCP_NODELAY, NODELAY);
        if (SNDBUF > 0) {
            c.setOption(ChannelOption.SO_SNDBUF, SNDBUF);
        }
        if (RCVBUF > 0) {
            c.setOption(ChannelOption.SO_RCVBUF, RCVBUF);
        }
    }
}
