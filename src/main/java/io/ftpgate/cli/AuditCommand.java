package io.ftpgate.cli;

import io.ftpgate.auditor.AuditException;
import io.ftpgate.auditor.AuditOptions;
import io.ftpgate.auditor.AuditReport;
import io.ftpgate.auditor.Auditor;
import io.ftpgate.auditor.JsonReport;
import io.ftpgate.auditor.TextReport;
import io.ftpgate.net.HostAndPort;
import io.netty.util.NetUtil;
import java.io.Console;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ftpgate audit HOST[:PORT]}: probes one FTP server (or an FTP-aware firewall in front of one) and says
 * which CERT category it is in (bounce-capable or strict suppression), whether its passive data connections
 * can be stolen, and what else leaks. Exit codes suit CI pipelines: {@value AuditReport#EXIT_OK} no high
 * findings, {@value AuditReport#EXIT_HIGH} high findings, {@value AuditReport#EXIT_NOT_AUDITED} could not
 * audit (the reason on stderr; usage errors too).
 */
@Command(name = "audit", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Probes an FTP server and reports, for each check, the verdict, the evidence (command sent,"
                + " reply received), the severity, what it means in the terms of the CERT tech tip on the FTP"
                + " bounce attack, and the fix.",
            "Checks: bounce category (PORT/EPRT to a third party), privileged ports, PASV address leak, EPSV,"
                + " passive port predictability, data-connection theft, anonymous login and write, banner and SYST"
                + " disclosure; FTPS: AUTH TLS with a real handshake, the certificate, TLS versions, CCC, data"
                + " connections that must resume the control TLS session, and implicit FTPS on one port."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no high findings", "1:high findings",
            "2:could not audit (the reason is printed on stderr) or usage error"})
public final class AuditCommand implements Callable<Integer> {

    /** The FTP control port when HOST has none. */
    static final int FTP_PORT = 21;
    /** The longest {@code --timeout}: past this a probe is not an audit but a hang. */
    static final double MAX_TIMEOUT_SECONDS = 300;

    /** The login options: a named user, or anonymous (the default). */
    static final class Login {
        @Option(names = "--user", paramLabel = "U", required = true, description = "Log in as this user.")
        String user;

        @Option(names = "--password", paramLabel = "P", description = "Password of --user (asked for on the"
                + " terminal when omitted). Never printed.")
        String password;
    }

    /** Mutually exclusive: a user and password, or --anonymous. */
    static final class Credentials {
        @ArgGroup(exclusive = false)
        Login login;

        @Option(names = "--anonymous", description = "Log in as anonymous (the default).")
        boolean anonymous;
    }

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "HOST[:PORT]", description = "The server, e.g. ftp.example.com, 192.0.2.10:2121 or"
            + " [2001:db8::10]:21 (default port 21).")
    private String target;

    @ArgGroup(exclusive = true)
    private Credentials credentials;

    @Option(names = "--third-party", paramLabel = "ADDR", description = "Another address of this host, posing as"
            + " the third party in the bounce and theft checks (default: 127.0.0.2 against a server on loopback,"
            + " else another local address of the same family).")
    private String thirdParty;

    @Option(names = "--implicit-port", paramLabel = "N", description = "Probe port N of the server for implicit"
            + " FTPS (TLS from the first byte). Default: only the audited port, when it is 990; an audited port that"
            + " speaks implicit FTPS is audited over TLS.")
    private Integer implicitPort;

    @Option(names = "--json", description = "Print one JSON document instead of the table.")
    private boolean json;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "5",
            description = "Longest wait in seconds for any connect, reply or data connection (default:"
                    + " ${DEFAULT-VALUE}).")
    private double timeoutSeconds;

    @Override
    public Integer call() {
        AuditOptions options = options();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            AuditReport report = Auditor.audit(options);
            out.print(json ? JsonReport.render(report) + "\n"
                    : TextReport.render(report,
                            TextReport.colourWanted(System.console() != null, System.getenv("NO_COLOR"))));
            out.flush();
            if (report.incomplete() != null) {
                err.println("ftpgate audit: could not complete the audit of " + report.target() + ": "
                        + report.incomplete());
            }
            return report.exitCode();
        } catch (AuditException e) {
            err.println("ftpgate audit: could not audit: " + e.getMessage());
            return AuditReport.EXIT_NOT_AUDITED;
        } finally {
            err.flush();
        }
    }

    private AuditOptions options() {
        HostAndPort hp;
        try {
            hp = HostAndPort.parse(target, FTP_PORT);
        } catch (IllegalArgumentException e) {
            throw usage("HOST[:PORT]: " + e.getMessage());
        }
        if (hp.port() == 0) {
            throw usage("HOST[:PORT]: port must be 1-65535");
        }
        if (!(timeoutSeconds > 0) || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
            throw usage("--timeout: expected seconds between 0 and " + (int) MAX_TIMEOUT_SECONDS + ", got "
                    + timeoutSeconds);
        }
        InetAddress third = null;
        if (thirdParty != null) {
            third = NetUtil.createInetAddressFromIpAddressString(thirdParty);
            if (third == null) {
                throw usage("--third-party: expected an IPv4 or IPv6 address literal, got '" + thirdParty + "'");
            }
        }
        if (implicitPort != null && (implicitPort < 1 || implicitPort > 65535)) {
            throw usage("--implicit-port: port must be 1-65535, got " + implicitPort);
        }
        Duration timeout = Duration.ofMillis(Math.round(timeoutSeconds * 1000));
        AuditOptions options = new AuditOptions(hp.host(), hp.port(), null, null, third, timeout,
                implicitPort == null ? 0 : implicitPort);
        Login login = credentials == null ? null : credentials.login;
        if (login != null) {
            options = options.withLogin(login.user, login.password != null ? login.password : askPassword());
        }
        return options;
    }

    private String askPassword() {
        Console console = System.console();
        if (console == null) {
            throw usage("--user needs --password when not run on a terminal");
        }
        char[] pw = console.readPassword("Password: ");
        return pw == null ? "" : new String(pw);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
