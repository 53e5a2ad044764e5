package io.ftpgate.cli;

import io.ftpgate.config.ConfigException;
import io.ftpgate.config.ConfigLoader;
import io.ftpgate.config.GatewayConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ftpgate check-config FILE}: validates a configuration without binding anything. */
@Command(name = "check-config", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Validates a YAML configuration file and prints a summary of its listeners and policy.",
            "Every error is named, one a line: the file, line, column and key, and what is expected.",
            "The audit-log file must be one 'run' can open on this machine, and the TLS certificates, keys and",
            "CA files must load (a key must match its certificate)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the file is valid", "2:the file is invalid (the errors are printed on stderr)"})
final class CheckConfigCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The configuration file, e.g. /etc/ftpgate/ftpgate.yaml")
    private Path file;

    @Override
    public Integer call() throws ConfigException {
        GatewayConfig config = ConfigLoader.load(file);
        // A property of this machine, not of the file, so the loader does not check it; 'run' would fail on it.
        Optional<String> audit = auditLogProblem(config.auditLog());
        if (audit.isPresent()) {
            throw new ConfigException(file + ": audit-log: " + audit.get());
        }
        Optional<String> syslog = AuditOutputs.syslogProblem(config.auditSyslog());
        if (syslog.isPresent()) {
            throw new ConfigException(file + ": audit-syslog: " + syslog.get());
        }
        // Certificates and keys are files on this machine too: a missing one, or a key that is not the
        // certificate's, would stop 'run'.
        java.util.List<String> tls = io.ftpgate.control.Gateway.checkTls(config);
        if (!tls.isEmpty()) {
            throw new ConfigException(file + ": " + String.join("\n" + file + ": ", tls));
        }
        if (config.admin() != null && config.admin().tokenFile() != null) {
            String problem = io.ftpgate.admin.AdminServer.tokenFileProblem(config.admin().tokenFile());
            if (problem != null) {
                throw new ConfigException(file + ": admin.token-file: " + problem);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(file + ": OK");
        ListenerSummary.summary(config).forEach(out::println);
        // Checked against this machine's kernel settings: the file may be meant for another one.
        ListenerSummary.ephemeralWarning(config).ifPresent(w -> out.println("  warning (this machine): " + w));
        TproxyHostCheck.missing(config.listeners()).forEach(w -> out.println("  warning (this machine): " + w));
        KernelHostCheck.missing(config).forEach(w -> out.println("  warning (this machine): " + w));
        out.flush();
        return Main.OK;
    }

    /**
     * Why the audit log {@code target} cannot be opened for appending on this machine, as {@code run} would open
     * it; empty when it can, or when there is none ({@code null}) or it is stdout ({@code -}). Shared with
     * {@code run}, so both say the same.
     */
    static Optional<String> auditLogProblem(String target) {
        if (target == null || "-".equals(target)) {
            return Optional.empty();
        }
        String problem;
        Path path = Path.of(target).toAbsolutePath();
        Path folder = path.getParent();
        if (Files.isDirectory(path)) {
            problem = "it is a folder; expected the path of a file in it, such as " + path.resolve("audit.jsonl");
        } else if (Files.exists(path)) {
            problem = Files.isWritable(path) ? null : "the file is not writable by this user";
        } else if (folder == null || !Files.exists(folder)) {
            problem = "the folder " + folder + " does not exist; create it, writable by the user ftpgate runs as";
        } else if (!Files.isDirectory(folder)) {
            problem = folder + " is not a folder";
        } else {
            problem = Files.isWritable(folder) ? null : "the folder " + folder + " is not writable by this user,"
                    + " so the file cannot be created in it";
        }
        return Optional.ofNullable(problem).map(p -> "cannot open audit log '" + target + "': " + p);
    }
}
