package io.ftpgate.control;

import io.ftpgate.protocol.FtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * Writes replies to the client strictly in command order, with one twist: a slot can be reserved for a reply
 * that is not known yet, and later replies wait behind it.
 *
 * <p>The slot is used for a transfer's final reply, which must not reach the client before the last data
 * byte has (RFC 959 §3.2: the reply reports the outcome of the transfer, so a 226 ahead of the data would
 * let a client close the data connection early and lose the tail). Owned by the session's event loop.
 */
final class ClientReplies {

    private static final int INITIAL_CAPACITY = 128;
    private static final int MAX_KEPT_CAPACITY = 1024;

    private final Channel client;
    private StringBuilder wire = new StringBuilder(INITIAL_CAPACITY);
    private final ArrayDeque<FtpReply> waiting = new ArrayDeque<>();
    private int reserved;

    ClientReplies(Channel client) {
        this.client = client;
    }

    /** Writes a reply now, or queues it behind a reserved slot. */
    void send(FtpReply reply) {
        if (reserved > 0) {
            waiting.add(reply);
        } else {
            write(reply);
        }
    }

    /** Reserves the next reply slot; {@link #fill} provides its reply later. */
    void reserve() {
        reserved++;
    }

    /** Fills the slot reserved by {@link #reserve} and sends what waited behind it. */
    void fill(FtpReply reply) {
        reserved--;
        write(reply);
        while (reserved == 0 && !waiting.isEmpty()) {
            write(waiting.poll());
        }
    }

    private void write(FtpReply reply) {
        if (!client.isActive()) {
            return;
        }
        // Every reply is regenerated from its parsed form (code + text lines), never copied byte for byte. It is
        // encoded into one builder reused for the session and written into the buffer directly (ISO-8859-1:
        // one byte per char, every char of an FtpReply is below 0x100), so a reply allocates only its buffer.
        wire.setLength(0);
        reply.encodeTo(wire);
        ByteBuf buf = client.alloc().buffer(wire.length());
        buf.writeCharSequence(wire, StandardCharsets.ISO_8859_1);
        client.writeAndFlush(buf);
        if (wire.capacity() > MAX_KEPT_CAPACITY) {
            // A rare long reply (a FEAT or a HELP listing) does not pin its builder for the session's lifetime.
            wire = new StringBuilder(INITIAL_CAPACITY);
        }
    }
}
