package io.ftpgate.cli;

import io.ftpgate.config.ConfigException;
import io.ftpgate.control.GatewayStartException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code ftpgate} command line: {@code run}, {@code check-config}, {@code demo}, {@code audit},
 * {@code status}.
 *
 * <p>Exit codes: {@value #OK} success, {@value #RUNTIME_FAILURE} runtime failure (e.g. a port cannot be
 * bound), {@value #USAGE} usage or configuration error. Errors are one clear line on stderr, never a stack
 * trace; set {@code FTPGATE_LOG_LEVEL=DEBUG} to see the stack trace of an unexpected failure in the log.
 */
@Command(name = "ftpgate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "FTP security gateway: relays FTP sessions, brokers every data connection itself,"
                + " rewrites addresses for NAT and refuses bounce attacks.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, DemoCommand.class, AuditCommand.class,
            StatusCommand.class,
            PrintNftCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:runtime failure", "2:usage or configuration error"})
public final class Main implements Callable<Integer> {

    /** Success. */
    public static final int OK = 0;
    /** Runtime failure, e.g. a listen address cannot be bound. */
    public static final int RUNTIME_FAILURE = 1;
    /** Usage or configuration error. */
    public static final int USAGE = 2;

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        // Named from picocli's own list, so a command added to @Command(subcommands) is never left out here.
        throw new ParameterException(spec.commandLine(),
                "missing command: use one of " + String.join(", ", spec.subcommands().keySet()));
    }

    /** Entry point of the launcher; the only place that calls {@link System#exit}. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line against the process's stdout and stderr and returns the exit code. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the command line with the given output streams (for tests) and returns the exit code. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    /** A fully configured command line; callers may still redirect its output with setOut/setErr. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> failure(ex, cmd));
        return cl;
    }

    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return USAGE;
    }

    private static int failure(Exception ex, CommandLine cmd) {
        PrintWriter err = cmd.getErr();
        int code;
        if (ex instanceof ConfigException) {
            // Already "file:line:col: key: what is expected" (or "--flag: ..."); nothing to add.
            err.println(ex.getMessage());
            code = USAGE;
        } else if (ex instanceof GatewayStartException) {
            err.println("ftpgate: cannot start: " + ex.getMessage());
            code = RUNTIME_FAILURE;
        } else if (ex instanceof StartupException) {
            err.println("ftpgate: " + ex.getMessage());
            code = RUNTIME_FAILURE;
        } else {
            LOG.debug("unexpected failure", ex);
            err.println("ftpgate: unexpected error: " + ex
                    + " (set FTPGATE_LOG_LEVEL=DEBUG to log the details)");
            code = RUNTIME_FAILURE;
        }
        err.flush();
        return code;
    }

    /** A runtime failure outside the gateway itself (audit log, demo server); the message is complete. */
    static final class StartupException extends Exception {
        StartupException(String message) {
            super(message);
        }
    }
}
