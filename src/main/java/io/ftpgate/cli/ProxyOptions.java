package io.ftpgate.cli;

import io.ftpgate.config.ListenerProxy;
import io.ftpgate.net.Cidr;
import io.ftpgate.proxy.ProxyVersion;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The PROXY protocol flags of {@code run} (README "Behind a load balancer"), beside the YAML keys: each replaces
 * the matching key of every listener.
 */
final class ProxyOptions {

    @Option(names = "--proxy-protocol", paramLabel = "MODE", converter = Converters.ProxyIn.class,
            description = "Control connections start with a PROXY header: off, v1, v2 or any (YAML proxy-protocol;"
                    + " default off). Needs --proxy-protocol-from.")
    ProxyVersion in;

    @Option(names = "--proxy-protocol-from", paramLabel = "CIDR", converter = Converters.Block.class,
            description = "A balancer whose PROXY headers are believed; repeatable (YAML proxy-protocol-from).")
    List<Cidr> from;

    @Option(names = "--data-proxy-protocol", paramLabel = "MODE", converter = Converters.ProxyIn.class,
            description = "Client pinholes expect a PROXY header first (the balancer forwards the passive range):"
                    + " off, v1, v2 or any (YAML data-proxy-protocol; default off).")
    ProxyVersion data;

    @Option(names = "--server-proxy-protocol", paramLabel = "MODE", converter = Converters.ProxyOut.class,
            description = "Send a PROXY header naming the client to the server: off, v1 or v2"
                    + " (YAML server-proxy-protocol; default off).")
    ProxyVersion server;

    /** {@code base} with the given flags applied; throws {@link IllegalArgumentException} naming the problem. */
    ListenerProxy apply(ListenerProxy base) {
        if (in == null && from == null && data == null && server == null) {
            return base;
        }
        return new ListenerProxy(in != null ? in : base.in(), from != null ? from : base.from(),
                data != null ? data : base.data(), server != null ? server : base.server());
    }
}
