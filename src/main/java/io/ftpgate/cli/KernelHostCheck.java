package io.ftpgate.cli;

import io.ftpgate.config.GatewayConfig;
import io.ftpgate.kernel.KernelTable;
import java.util.ArrayList;
import java.util.List;

/**
 * What this host lacks for {@code data-path: kernel}, for {@code check-config}: IPv4 forwarding (the translated
 * data connections are forwarded), IPv6 forwarding (without it IPv6 transfers use the relay), and the {@code nft}
 * command that installs the table. {@code run} fails on the first two of these in one line; this names them all
 * before.
 */
final class KernelHostCheck {

    private KernelHostCheck() {
    }

    /** One line per missing piece; empty when no listener uses the kernel path or all is in place. */
    static List<String> missing(GatewayConfig config) {
        List<String> out = new ArrayList<>();
        if (GatewayConfig.kernelDataPorts(config.listeners()).isEmpty()) {
            return out;
        }
        if (!KernelTable.forwardingOn(false)) {
            out.add("data-path kernel needs net.ipv4.ip_forward=1 (sysctl -w net.ipv4.ip_forward=1; see"
                    + " docs/data-paths.md for a forward policy that accepts only ftpgate's connections)");
        }
        if (!KernelTable.forwardingOn(true)) {
            out.add("net.ipv6.conf.all.forwarding is off: IPv6 transfers of data-path kernel listeners use the relay");
        }
        if (TproxyHostCheck.run("nft", "--version") == null) {
            out.add("data-path kernel needs the nft command (Debian: apt-get install nftables)");
        }
        return out;
    }
}
