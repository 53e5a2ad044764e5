package io.ftpgate.control;

/** Where a {@link Transfer} stands with the server; ABOR may come in any state. */
enum TransferState {
    /** The legs are being made; the server has not heard of the transfer. */
    PREPARING,
    /** The client's REST is repeated (the gateway's own PASV/PORT came between); its 350 is awaited. */
    RESTARTING,
    /** The transfer command is out; no reply yet. */
    COMMANDED,
    /** The server took the command (1xx, or 2xx at once): its data connection is in use, data may flow. */
    ACCEPTED,
    /** The final reply is in, and held until the data flow has finished. */
    ANSWERED,
    /** The client has its final reply, or the session ended: nothing more happens. */
    DONE;

    /** True once the transfer command went out: the server knows of the transfer. */
    boolean serverKnows() {
        return this == COMMANDED || this == ACCEPTED || this == ANSWERED;
    }
}
