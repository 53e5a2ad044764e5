package io.ftpgate.admin;

import io.ftpgate.event.SessionEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * {@code /api/events}: every session event, as it is published, to each open Server-Sent Events stream
 * ({@code event: TYPE}, {@code data: JSON}). A stream that cannot keep up (its channel not writable: the
 * browser stopped reading) is closed rather than buffered without bound; the page reconnects.
 */
final class EventStream implements Consumer<SessionEvent> {

    /**
     * Open streams at most: each holds a connection and a write buffer; a page needs one, so this is many
     * administrators.
     */
    static final int MAX_STREAMS = 32;

    private final ChannelGroup streams;

    EventStream(EventExecutor executor) {
        this.streams = new DefaultChannelGroup("admin-events", executor);
    }

    /** Adds an open stream; false when {@link #MAX_STREAMS} are open already. */
    boolean add(Channel ch) {
        if (streams.size() >= MAX_STREAMS) {
            return false;
        }
        streams.add(ch);
        ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("retry: 2000\n\n", StandardCharsets.UTF_8)));
        return true;
    }

    @Override
    public void accept(SessionEvent event) {
        if (streams.isEmpty()) {
            return;
        }
        send("event: " + Json.type(event) + "\ndata: " + Json.event(event) + "\n\n");
    }

    /** A comment line: keeps proxies from timing the stream out and finds streams whose peer is gone. */
    void heartbeat() {
        send(": keep-alive\n\n");
    }

    private void send(String text) {
        // Encoded once; each stream gets its own view of the same bytes.
        ByteBuf bytes = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        try {
            for (Channel ch : streams) {
                if (ch.isWritable()) {
                    ch.writeAndFlush(new DefaultHttpContent(bytes.retainedDuplicate()));
                } else {
                    ch.close();
                }
            }
        } finally {
            bytes.release();
        }
    }

    void close() {
        streams.close();
    }
}
