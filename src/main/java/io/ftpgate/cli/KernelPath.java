package io.ftpgate.cli;

import io.ftpgate.config.GatewayConfig;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.control.Gateway;
import io.ftpgate.control.GatewayStartException;
import io.ftpgate.data.RelayDataPath;
import io.ftpgate.kernel.KernelDataPath;
import io.ftpgate.kernel.KernelRuleset;
import io.ftpgate.kernel.NetlinkException;
import io.ftpgate.net.PortRange;
import java.util.List;

/**
 * Builds the kernel data path for the listeners with {@code data-path: kernel}: its table is named after the
 * first listener and its first listen port ({@code ftpgate_<listener>_<port>}), so two instances on one host
 * (which cannot share a listen address) never share a table, and a restarted instance replaces the table its
 * crashed predecessor left. Pinholes come from those listeners' client and server data ranges.
 */
final class KernelPath {

    private KernelPath() {
    }

    /** The table name of {@code config}'s instance. */
    static String tableName(GatewayConfig config) {
        ListenerConfig first = config.listeners().get(0);
        return KernelRuleset.tableName(first.name() + "_" + first.listen().get(0).port());
    }

    /** The factory {@link Gateway#start} calls when a listener wants the kernel path. */
    static Gateway.KernelPathFactory factory(GatewayConfig config) {
        return relay -> {
            List<PortRange> ranges = GatewayConfig.kernelDataPorts(config.listeners());
            try {
                return KernelDataPath.install(List.of("nft"), tableName(config), ranges, (RelayDataPath) relay);
            } catch (NetlinkException e) {
                throw new GatewayStartException("data-path kernel: " + e.getMessage());
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                throw new GatewayStartException("data-path kernel: cannot call libc through JNA: " + e.getMessage());
            }
        };
    }
}
