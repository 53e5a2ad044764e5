package io.ftpgate.control;

import io.ftpgate.audit.AuditSink;
import io.ftpgate.config.GatewayConfig;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A running ftpgate: all listeners of one {@link GatewayConfig}, their sessions and data pinholes.
 * Start with {@link #start}; {@link #close} stops accepting, ends every session and releases every port.
 */
public final class Gateway implements AutoCloseable {

    /** Binds every listener of {@code config}; throws {@link GatewayStartException} with a clear message. */
    public static Gateway start(GatewayConfig config, AuditSink audit) throws GatewayStartException {
        throw new GatewayStartException("not yet implemented");
    }

    /** The addresses actually bound, in configuration order (useful when a listen port was 0). */
    public List<InetSocketAddress> boundAddresses() {
        return List.of();
    }

    @Override
    public void close() {
    }
}
