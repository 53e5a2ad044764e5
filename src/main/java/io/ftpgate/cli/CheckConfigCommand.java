package io.ftpgate.cli;

import io.ftpgate.config.ConfigException;
import io.ftpgate.config.ConfigLoader;
import io.ftpgate.config.GatewayConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ftpgate check-config FILE}: validates a configuration without binding anything. */
@Command(name = "check-config", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Validates a YAML configuration file and prints a summary of its listeners.",
            "Errors name the file, line, column and key, and say what is expected."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the file is valid", "2:the file is invalid (the error is printed on stderr)"})
final class CheckConfigCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The configuration file, e.g. /etc/ftpgate/ftpgate.yaml")
    private Path file;

    @Override
    public Integer call() throws ConfigException {
        GatewayConfig config = ConfigLoader.load(file);
        PrintWriter out = spec.commandLine().getOut();
        out.println(file + ": OK");
        ListenerSummary.summary(config).forEach(out::println);
        // Checked against this machine's kernel settings: the file may be meant for another one.
        ListenerSummary.ephemeralWarning(config).ifPresent(w -> out.println("  warning (this machine): " + w));
        out.flush();
        return Main.OK;
    }
}
