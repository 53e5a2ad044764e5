package io.ftpgate.data;

/**
 * What one {@link DataFlow} moved.
 *
 * @param clientToServerBytes bytes from the client leg to the server leg (uploads)
 * @param serverToClientBytes bytes from the server leg to the client leg (downloads, listings)
 * @param clean               false when the flow was aborted or a leg failed
 * @param failure             why it was not clean, or null
 */
public record FlowResult(long clientToServerBytes, long serverToClientBytes, boolean clean, String failure) {

    /** Bytes moved in both directions. */
    public long totalBytes() {
        return clientToServerBytes + serverToClientBytes;
    }
}
