package io.ftpgate.cli;

import io.ftpgate.config.ListenerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What this host lacks for transparent placement: the nftables table of {@link TproxyRules}, the {@code ip
 * rule} for its mark and the local route of its table. Read with the {@code nft} and {@code ip} commands, which
 * need root to list the ruleset; run as another user it says so instead of guessing.
 */
final class TproxyHostCheck {

    /** How long one listing command may take before it counts as failed. */
    private static final long COMMAND_TIMEOUT_SECONDS = 5;

    private TproxyHostCheck() {
    }

    /** One line per missing piece, or one line saying why nothing was checked; empty when all is in place. */
    static List<String> missing(List<ListenerConfig> listeners) {
        List<String> out = new ArrayList<>();
        if (TproxyRules.transparent(listeners).isEmpty()) {
            return out;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            out.add("host setup for transparent placement not checked (run check-config as root to check it;"
                    + " 'ftpgate print-nft' prints what is needed)");
            return out;
        }
        for (String family : TproxyRules.families(listeners)) {
            String ip = "ip6".equals(family) ? "-6" : "-4";
            String table = run("nft", "list", "table", family, TproxyRules.NFT_TABLE);
            if (table == null || !table.contains("tproxy")) {
                out.add("nftables table " + family + " " + TproxyRules.NFT_TABLE + " with the tproxy rules is"
                        + " missing (load 'ftpgate print-nft' output with nft -f)");
            }
            String rules = run("ip", ip, "rule", "show");
            if (rules == null || !rules.contains("fwmark " + TproxyRules.MARK + " lookup " + TproxyRules.TABLE)) {
                out.add("policy rule missing: ip " + ip + " rule add fwmark " + TproxyRules.MARK + " lookup "
                        + TproxyRules.TABLE);
            }
            String routes = run("ip", ip, "route", "show", "table", String.valueOf(TproxyRules.TABLE));
            if (routes == null || !routes.contains("local default")) {
                out.add("local route missing: ip " + ip + " route add local " + ("ip6".equals(family) ? "::/0"
                        : "0.0.0.0/0") + " dev lo table " + TproxyRules.TABLE);
            }
        }
        return out;
    }

    /** The command's standard output, or null when it cannot run or fails. */
    /** The output of {@code command}, or null when it cannot run, fails or takes too long. */
    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
