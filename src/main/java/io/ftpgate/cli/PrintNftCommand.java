package io.ftpgate.cli;

import io.ftpgate.config.ConfigException;
import io.ftpgate.config.ConfigLoader;
import io.ftpgate.config.ConfigValues;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.policy.Placement;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ftpgate print-nft}: the nftables rules and policy routing a router needs for the transparent listeners
 * of a configuration file, or of one listener described by flags as {@code run --transparent} takes them.
 */
@Command(name = "print-nft", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Prints the nftables TPROXY rules (for 'nft -f') and the 'ip rule'/'ip route' lines a Linux"
                + " router needs for transparent placement: FTP control connections to any server and data"
                + " connections to ftpgate's pinholes are handed to ftpgate.",
            "Without FILE the flags describe one transparent listener, as 'run --transparent' would."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed", "2:usage or configuration error, or no transparent listener"})
final class PrintNftCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "0..1", description = "A configuration file with transparent listeners.")
    private Path file;

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = Converters.Listen.class,
            description = "Without FILE: the listener's address (default 0.0.0.0:21).")
    private List<HostAndPort> listen;

    @Option(names = "--client-data-ports", paramLabel = "LO-HI", converter = Converters.Ports.class,
            description = "Without FILE: the client-side pinhole range (default 61000-61999).")
    private PortRange clientDataPorts;

    @Option(names = "--server-data-ports", paramLabel = "LO-HI", converter = Converters.Ports.class,
            description = "Without FILE: the server-side pinhole range (default 62000-62999).")
    private PortRange serverDataPorts;

    @Option(names = "--transparent-source", paramLabel = "gateway|client", converter = Converters.Source.class,
            description = "Without FILE: the address ftpgate connects to servers from (default gateway).")
    private Placement.Source source;

    @Option(names = "--ftp-port", paramLabel = "PORT", defaultValue = "21",
            description = "Destination port intercepted as FTP control; repeatable (default 21).")
    private List<Integer> ftpPorts;

    @Override
    public Integer call() throws ConfigException {
        List<ListenerConfig> listeners;
        if (file != null) {
            listeners = ConfigLoader.load(file).listeners();
        } else {
            listeners = List.of(ListenerConfig.builder("listener-1")
                    .listen(listen != null ? listen : List.of(ConfigValues.DEFAULT_LISTEN))
                    .clientDataPorts(clientDataPorts).serverDataPorts(serverDataPorts)
                    .transparent(source != null ? source : Placement.Source.GATEWAY).build());
        }
        if (TproxyRules.transparent(listeners).isEmpty()) {
            throw new ParameterException(spec.commandLine(), file + " has no listener with placement: transparent");
        }
        for (int port : ftpPorts) {
            if (port < PortRange.MIN_PORT || port > PortRange.MAX_PORT) {
                throw new ParameterException(spec.commandLine(), "--ftp-port: expected 1-65535, got " + port);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(TproxyRules.render(listeners, ftpPorts));
        out.flush();
        return Main.OK;
    }
}
