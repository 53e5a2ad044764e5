package io.ftpgate.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy of the audit log for a SIEM: each event as one datagram, to a syslog server over UDP (RFC 5424 in
 * RFC 5426 transport), to a local syslog socket such as {@code /dev/log}, or to the systemd journal (its native
 * protocol, {@link JournalFields}).
 *
 * <p>Datagrams are sent by one Netty event loop of the sink's own, so a session's thread only formats the event
 * and hands it over. Delivery is the datagram's: a receiver that is down loses the events sent meanwhile (each
 * such period is logged once, and the count at close); the audit file, when configured, keeps them all.
 */
public final class DatagramAuditSink implements AuditSink {

    /** Where journald listens for native-protocol datagrams (systemd.journal-fields(7), sd_journal_sendv). */
    public static final Path JOURNAL_SOCKET = Path.of("/run/systemd/journal/socket");
    /** Bytes waiting to be sent above which events are dropped rather than queued without bound. */
    private static final int PENDING_BYTES_MAX = 4 * 1024 * 1024;
    /** How long {@link #close} lets the event loop send what is queued. */
    private static final long CLOSE_WAIT_SECONDS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(DatagramAuditSink.class);

    /** JSON with every non-ASCII character escaped: the syslog MSG is then plain ASCII (no BOM needed). */
    private static final JsonMapper ASCII_JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private final String target;
    private final EventLoopGroup group;
    private final Channel channel;
    private final Function<AuditEvent, byte[]> encoder;
    private final Function<ByteBuf, Object> packet;
    private final LongAdder lost = new LongAdder();
    /** True after a send failed, until one succeeds: each failing period is logged once. */
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile boolean closed;

    private DatagramAuditSink(String target, EventLoopGroup group, Channel channel,
            Function<AuditEvent, byte[]> encoder, Function<ByteBuf, Object> packet) {
        this.target = target;
        this.group = group;
        this.channel = channel;
        this.encoder = encoder;
        this.packet = packet;
    }

    /** RFC 5424 messages to the syslog server {@code server} over UDP. */
    public static DatagramAuditSink syslogUdp(InetSocketAddress server, Rfc5424 header) throws IOException {
        boolean epoll = Epoll.isAvailable();
        return open("syslog " + server.getHostString() + ":" + server.getPort(),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory(),
                epoll ? EpollDatagramChannel.class : NioDatagramChannel.class,
                e -> header.format(e, json(e)).getBytes(StandardCharsets.US_ASCII),
                buf -> new DatagramPacket(buf, server));
    }

    /** RFC 5424 messages to a local datagram socket such as {@code /dev/log} (rsyslog, syslog-ng). */
    public static DatagramAuditSink syslogSocket(Path socket, Rfc5424 header) throws IOException {
        return local("syslog " + socket, socket, e -> header.format(e, json(e)).getBytes(StandardCharsets.US_ASCII));
    }

    /** Native-protocol entries to the systemd journal's socket. */
    public static DatagramAuditSink journal(Path socket, JournalFields fields) throws IOException {
        return local("journal " + socket, socket, e -> fields.encode(e, json(e)));
    }

    private static DatagramAuditSink local(String target, Path socket, Function<AuditEvent, byte[]> encoder)
            throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("a local socket needs Linux (Netty's epoll transport): "
                    + Epoll.unavailabilityCause().getMessage());
        }
        if (!Files.exists(socket)) {
            throw new IOException("no socket at " + socket);
        }
        DomainSocketAddress address = new DomainSocketAddress(socket.toString());
        return open(target, EpollIoHandler.newFactory(), EpollDomainDatagramChannel.class, encoder,
                buf -> new DomainDatagramPacket(buf, address));
    }

    private static DatagramAuditSink open(String target, IoHandlerFactory io, Class<? extends Channel> type,
            Function<AuditEvent, byte[]> encoder, Function<ByteBuf, Object> packet) throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ftpgate-audit-dgram", true),
                io);
        ChannelFuture registered = new Bootstrap().group(group).channel(type)
                // Unbound and unconnected: each datagram names its receiver, so a restarted daemon is found again.
                .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(PENDING_BYTES_MAX / 2, PENDING_BYTES_MAX))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Nothing is read: the receivers do not answer.
                    }
                })
                .register().awaitUninterruptibly();
        if (!registered.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IOException("cannot open a datagram socket for " + target + ": " + registered.cause());
        }
        return new DatagramAuditSink(target, group, registered.channel(), encoder, packet);
    }

    /** The event's JSON object on one line, ASCII only. */
    static String json(AuditEvent event) {
        try {
            return ASCII_JSON.writeValueAsString(event.fields());
        } catch (JsonProcessingException e) {
            // Only strings, numbers and booleans are put into events; this cannot happen, but must not throw.
            return "{\"event\":\"" + event.event() + "\",\"error\":\"not serialisable\"}";
        }
    }

    @Override
    public void emit(AuditEvent event) {
        if (closed || !channel.isWritable()) {
            lost.increment();
            return;
        }
        byte[] bytes;
        try {
            bytes = encoder.apply(event);
        } catch (RuntimeException e) {
            lost.increment();
            LOG.warn("audit event not sent to {}: {}", target, e.toString());
            return;
        }
        channel.writeAndFlush(packet.apply(Unpooled.wrappedBuffer(bytes))).addListener(f -> {
            if (f.isSuccess()) {
                if (failing.compareAndSet(true, false)) {
                    LOG.info("audit events reach {} again", target);
                }
            } else {
                lost.increment();
                if (failing.compareAndSet(false, true)) {
                    LOG.warn("audit events cannot be sent to {} and are lost there until it answers again: {}",
                            target, describe(f.cause()));
                }
            }
        });
    }

    /** A send failure in a few words: the system's message (e.g. "Connection refused"), else the exception's name. */
    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    /** Where the events go, e.g. {@code syslog 192.0.2.20:514}. */
    public String target() {
        return target;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Queued behind the writes already handed to the event loop, so those are sent first.
        channel.close().awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        group.shutdownGracefully(0, CLOSE_WAIT_SECONDS, TimeUnit.SECONDS).awaitUninterruptibly();
        long n = lost.sum();
        if (n > 0) {
            LOG.warn("{} audit events were not delivered to {} (receiver unreachable or too slow)", n, target);
        }
    }
}
