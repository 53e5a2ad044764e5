package io.ftpgate.cli;

import io.ftpgate.config.DataPathMode;
import io.ftpgate.config.GatewayConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What this host lacks for {@code data-path: kernel}, for {@code check-config}: IPv4 forwarding (the translated
 * data connections are forwarded), IPv6 forwarding (without it IPv6 transfers use the relay), and the {@code nft}
 * command that installs the table. {@code run} fails on the first two of these in one line; this names them all
 * before.
 */
final class KernelHostCheck {

    private static final Path IPV4_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
    private static final Path IPV6_FORWARD = Path.of("/proc/sys/net/ipv6/conf/all/forwarding");
    /** How long {@code nft --version} may take before it counts as missing. */
    private static final long NFT_TIMEOUT_SECONDS = 5;

    private KernelHostCheck() {
    }

    /** One line per missing piece; empty when no listener uses the kernel path or all is in place. */
    static List<String> missing(GatewayConfig config) {
        List<String> out = new ArrayList<>();
        if (config.listeners().stream().noneMatch(l -> l.dataPath() == DataPathMode.KERNEL)) {
            return out;
        }
        if (!on(IPV4_FORWARD)) {
            out.add("data-path kernel needs net.ipv4.ip_forward=1 (sysctl -w net.ipv4.ip_forward=1; see"
                    + " docs/data-paths.md for a forward policy that accepts only ftpgate's connections)");
        }
        if (!on(IPV6_FORWARD)) {
            out.add("net.ipv6.conf.all.forwarding is off: IPv6 transfers of data-path kernel listeners use the relay");
        }
        if (!nftRuns()) {
            out.add("data-path kernel needs the nft command (Debian: apt-get install nftables)");
        }
        return out;
    }

    private static boolean on(Path sysctl) {
        try {
            return "1".equals(Files.readString(sysctl, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean nftRuns() {
        try {
            Process p = new ProcessBuilder("nft", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(NFT_TIMEOUT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
