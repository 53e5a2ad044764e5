package io.ftpgate.control;

import io.ftpgate.protocol.FtpReply;
import io.netty.channel.Channel;
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

    private final Channel client;
    private boolean draining;
    private final ArrayDeque<FtpReply> waiting = new ArrayDeque<>();
    private int reserved;

    ClientReplies(Channel client) {
        this.client = client;
    }

    /** Writes a reply now, or queues it behind a reserved slot (or behind replies {@link #fill} is draining). */
    void send(FtpReply reply) {
        if (reserved > 0 || draining) {
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
        // A write can fire channelWritabilityChanged synchronously, and the session then runs its next command,
        // whose reply comes back here while older replies still wait: it queues behind them (draining), and the
        // loop below sends everything in order.
        draining = true;
        try {
            write(reply);
            while (reserved == 0 && !waiting.isEmpty()) {
                write(waiting.poll());
            }
        } finally {
            draining = false;
        }
    }

    private void write(FtpReply reply) {
        if (!client.isActive()) {
            return;
        }
        // Every reply is regenerated from its parsed form (code + text lines), never copied byte for byte.
        client.writeAndFlush(WireWriter.reply(client.alloc(), reply));
    }
}
