package io.ftpgate.event;

/**
 * What happens in a session, as typed events: one publisher ({@link EventBus}), any number of subscribers (the
 * JSON-lines audit log is one; metrics and a live view are others). Lifecycle events come in pairs that a
 * subscriber can count: {@link Opened}/{@link Closed}, {@link TransferStarted}/{@link TransferFinished} (with
 * {@link TransferFlowing} between them once data moves),
 * {@link PinholeArmed} then one of {@link PinholeConsumed} or {@link PinholeExpired} (or the session ends).
 *
 * <p>Events are immutable records published on the session's event loop, in the order they happen. Text
 * fields are already escaped for logs ({@code SafeText}); {@code null} means "not known".
 */
public sealed interface SessionEvent {

    /** The session an event belongs to. */
    Origin origin();

    /**
     * Which session: its random id and the client's {@code address:port} (after any PROXY header, the real
     * client's).
     */
    record Origin(String session, String client) {
    }

    /** Which side of the gateway a data-connection event concerns. */
    enum Side {
        CLIENT, SERVER;

        /** "client" or "server", as the audit log writes it. */
        public String text() {
            return this == CLIENT ? "client" : "server";
        }
    }

    /**
     * A control connection was accepted on a listener (before admission is decided). {@code via} is the balancer
     * that sent a PROXY header naming the client, or null when the client connected directly.
     */
    record Opened(Origin origin, String listener, String placement, String gateway, String via)
            implements SessionEvent {

        /** A client that connected directly. */
        public Opened(Origin origin, String listener, String placement, String gateway) {
            this(origin, listener, placement, gateway, null);
        }
    }

    /** The session ended; {@code reason} is a stable code such as {@code client-quit} or {@code idle-timeout}. */
    record Closed(Origin origin, String reason, String user, String destination, long durationMillis,
            int transfers, long bytes) implements SessionEvent {
    }

    /**
     * The server answered a login (230, or a refusal of PASS/ACCT). On a reverse listener {@code upstream} is the
     * server as configured and {@code upstreamPolicy} how it was chosen; both null in forward placement.
     */
    record Login(Origin origin, String user, String destination, String outcome, int reply, String profile,
            String upstream, String upstreamPolicy) implements SessionEvent {

        /** A login with no upstream choice to record (forward placement). */
        public Login(Origin origin, String user, String destination, String outcome, int reply, String profile) {
            this(origin, user, destination, outcome, reply, profile, null, null);
        }
    }

    /**
     * Something was refused (or, in monitor mode, would have been: {@code enforced} false). {@code reply} is the
     * code the client was answered with, or null; {@code side} is set for data-connection refusals only.
     */
    record Refused(Origin origin, Reason reason, Side side, String input, Integer reply, Boolean enforced,
            String user, String destination) implements SessionEvent {
    }

    /**
     * A TLS handshake completed on a control connection: {@code side} says which (client: ftpgate was the TLS
     * server; server: ftpgate was the TLS client). {@code peerSubject} is the peer certificate's subject, or null.
     */
    record TlsEstablished(Origin origin, Side side, String protocol, String cipherSuite, boolean resumed,
            String peerSubject) implements SessionEvent {
    }

    /** A configured FXP exception let the client name a data peer other than itself. */
    record FxpAllowed(Origin origin, String verb, String peer) implements SessionEvent {
    }

    /**
     * The server's control connection is up: {@code server} is its {@code address:port}, {@code connectNanos}
     * the time the TCP connect took (the upstream connect time metric).
     */
    record UpstreamConnected(Origin origin, String server, long connectNanos) implements SessionEvent {
    }

    /** A transfer command (RETR, STOR, LIST...) is being brokered. */
    record TransferStarted(Origin origin, String command, String clientMode) implements SessionEvent {
    }

    /**
     * Both data legs of a transfer are connected (and secured) and the data starts to flow: {@code setupNanos}
     * is the time since its {@link TransferStarted} (the transfer setup time metric).
     */
    record TransferFlowing(Origin origin, String command, long setupNanos) implements SessionEvent {
    }

    /**
     * A transfer ended: {@code outcome} is {@code ok}, {@code failed} or {@code aborted}; bytes are counted per
     * direction; {@code reply} is the final reply sent to the client (null when the session ended first).
     */
    record TransferFinished(Origin origin, String user, String destination, String command, String path,
            String clientMode, String serverMode, long clientToServerBytes, long serverToClientBytes,
            long durationMillis, String outcome, Integer reply, String detail, String dataPath)
            implements SessionEvent {

        /** Bytes moved in both directions. */
        public long bytes() {
            return clientToServerBytes + serverToClientBytes;
        }
    }

    /** A pinhole listens on {@code port} for one connection from the session's peer on {@code side}. */
    record PinholeArmed(Origin origin, Side side, int port) implements SessionEvent {
    }

    /** The expected peer connected to the pinhole; it no longer listens. */
    record PinholeConsumed(Origin origin, Side side, int port) implements SessionEvent {
    }

    /** The expected peer did not connect in time; the pinhole is closed. */
    record PinholeExpired(Origin origin, Side side, int port) implements SessionEvent {
    }
}
