package io.ftpgate.data;

import io.netty.util.concurrent.Future;
import java.time.Duration;

/**
 * One prepared data transfer between a client leg and a server leg ({@link DataPath#prepare}): nothing moves
 * until {@link #commit}; {@link #abort} ends it at once. Like OpenBSD ftp-proxy's filter seam (prepare, add the
 * rules, commit or roll back), the control code decides when, the data path decides how. Methods run on the
 * session's event loop.
 */
public interface DataFlow {

    /**
     * Starts moving bytes in both directions until each side has ended (EOF travels after the last byte).
     *
     * @param idle a flow on which nothing moved for this long is aborted; {@code null} for no limit
     * @return completes when both legs are closed, with the bytes moved each way
     */
    Future<FlowResult> commit(Duration idle);

    /** Ends the flow now, discarding data in flight (ABOR, session end, a server that gave up). */
    void abort(String reason);

    /**
     * The server has given the transfer command's final reply. The relay sees its legs close and ignores this;
     * a path that does not see the connection ({@link TranslatedPinhole}) now watches for its end.
     */
    default void serverAnswered() {
    }

    /** Bytes moved so far, both directions. */
    long bytesSoFar();
}
