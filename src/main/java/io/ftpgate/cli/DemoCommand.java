package io.ftpgate.cli;

import io.ftpgate.audit.JsonLinesAuditLog;
import io.ftpgate.config.AdminConfig;
import io.ftpgate.config.GatewayConfig;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerTls;
import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.config.ListenerTls.ServerTlsMode;
import io.ftpgate.tls.SelfSigned;
import io.ftpgate.net.PortRange;
import io.ftpgate.config.Timeouts;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.control.Gateway;
import io.ftpgate.control.GatewayStartException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ftpgate demo}: an embedded FTP server on loopback with ftpgate in front of it, so a newcomer can see
 * the gateway work with curl or lftp in one command. Everything lives in a temporary directory that is removed
 * on exit.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Starts an embedded FTP server (Apache MINA) on loopback serving a demo folder, puts"
                + " ftpgate in front of it on 127.0.0.1:PORT and prints how to connect. Ctrl-C stops"
                + " everything and removes the temporary files.",
            "Users: anonymous (read-only); demo/demo (may write to /upload/ only)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by Ctrl-C", "1:could not start (e.g. the port is in use)", "2:usage error"})
final class DemoCommand implements Callable<Integer> {

    /** Client-facing pinhole range of the demo gateway: the default one. */
    /** The demo certificate lives as long as a demo reasonably runs. */
    private static final java.time.Duration DEMO_CERT_VALIDITY = java.time.Duration.ofDays(30);
    static final PortRange CLIENT_DATA_PORTS = ListenerConfig.DEFAULT_CLIENT_DATA_PORTS;

    @Spec
    private CommandSpec spec;

    /**
     * A class of the embedded FTP server. The Debian package's jar leaves Apache MINA FtpServer out (a production
     * gateway has no use for an FTP server), so the demo looks for it before anything touches it.
     */
    static final String EMBEDDED_SERVER_CLASS = "org.apache.ftpserver.FtpServerFactory";

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "2121",
            description = "Port of the gateway on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any free port).")
    private int port;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT", converter = AdminOptions.Listen.class,
            description = "Also serve /metrics and the live view here, e.g. 127.0.0.1:9121 (loopback only).")
    private HostAndPort adminListen;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > PortRange.MAX_PORT) {
            throw new ParameterException(spec.commandLine(), "--port: expected 0-65535, got " + port);
        }
        if (!embeddedServerPresent()) {
            throw new Main.StartupException("demo: this build has no embedded FTP server (the installed package"
                    + " leaves it out); the demo runs from a source checkout: ./ftpgate demo");
        }
        if (adminListen != null && new AdminConfig(adminListen, null).problem() != null) {
            throw new ParameterException(spec.commandLine(), "--admin-listen: the demo's admin listener must be"
                    + " a loopback address such as 127.0.0.1:9121");
        }
        Lifecycle lifecycle = new Lifecycle();
        try {
            Path dir = Files.createTempDirectory("ftpgate-demo-");
            lifecycle.onStop("temporary directory", () -> deleteTree(dir));
            Path root = Files.createDirectory(dir.resolve("root"));
            String sha256 = DemoFiles.create(root);

            DemoUpstream upstream = new DemoUpstream();
            int upstreamPort = upstream.start(root, true);
            lifecycle.onStop("embedded FTP server", upstream::stop);

            Path auditFile = dir.resolve("audit.jsonl");
            JsonLinesAuditLog audit = JsonLinesAuditLog.open(auditFile.toString());
            lifecycle.onStop("audit log", audit::close);

            // FTPS out of the box: a self-signed certificate made now; clients may use TLS or stay in clear.
            SelfSigned.Written cert = SelfSigned.write(Files.createDirectory(dir.resolve("tls")),
                    List.of("localhost", "127.0.0.1"), SelfSigned.KeyType.EC_P256, DEMO_CERT_VALIDITY);
            ListenerTls tls = new ListenerTls(ClientTlsMode.OPTIONAL, cert.certPem(), cert.keyPem(), null, false, true,
                    ServerTlsMode.OFF, null, null, null, true, null);
            ListenerConfig listener = ListenerConfig.builder("demo")
                    .listen(new HostAndPort("127.0.0.1", port)).upstream(new HostAndPort("127.0.0.1", upstreamPort))
                    .clientDataPorts(CLIENT_DATA_PORTS).upstreamMode(UpstreamMode.PASSIVE).tls(tls).build();
            Gateway gateway;
            try {
                gateway = AdminOptions.startGateway(new GatewayConfig(List.of(listener), Timeouts.DEFAULTS, null)
                        .withAdmin(adminListen == null ? null : new AdminConfig(adminListen, null)), audit, lifecycle,
                        m -> { });
            } catch (GatewayStartException e) {
                throw new GatewayStartException(e.getMessage()
                        + (port == 0 ? "" : " (try another port with 'ftpgate demo --port PORT')"), e);
            }
            int gatewayPort = gateway.boundAddresses().isEmpty() ? port : gateway.boundAddresses().get(0).getPort();

            // Before the instructions: a Ctrl-C as soon as they appear must stop cleanly (exit 0), not 130.
            lifecycle.handleStopSignals();
            printInstructions(spec.commandLine().getOut(), gatewayPort, upstreamPort, root, auditFile, sha256);
            printFtps(spec.commandLine().getOut(), gatewayPort, cert.fingerprintSha256());
        } catch (IOException e) {
            lifecycle.stop();
            throw new Main.StartupException("demo: " + e.getMessage());
        } catch (Exception e) {
            lifecycle.stop();
            throw e;
        }
        lifecycle.awaitTermination();
        return Main.OK;
    }

    /** Whether Apache MINA FtpServer is on the class path; looked up by name so nothing of it is loaded here. */
    static boolean embeddedServerPresent() {
        try {
            Class.forName(EMBEDDED_SERVER_CLASS, false, DemoCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static void printInstructions(PrintWriter out, int port, int upstreamPort, Path root, Path audit,
            String sha256) {
        String url = "ftp://127.0.0.1:" + port;
        out.println();
        out.println("ftpgate demo is running");
        out.println("  gateway     127.0.0.1:" + port + "  (reverse, upstream-mode passive, client data ports "
                + CLIENT_DATA_PORTS + ")");
        out.println("  FTP server  127.0.0.1:" + upstreamPort + "  (Apache MINA, serving " + root + ")");
        out.println("  audit log   " + audit + "  (follow it with: tail -f " + audit + ")");
        out.println("  users       anonymous (read-only), demo/demo (may write to /upload/ only)");
        out.println();
        out.println("Try, in another terminal:");
        out.println("  curl " + url + "/README.txt                      # passive (EPSV)");
        out.println("  curl --disable-epsv " + url + "/README.txt       # passive (PASV)");
        out.println("  curl -P - " + url + "/README.txt                 # active (EPRT)");
        out.println("  curl -P - --disable-eprt " + url + "/README.txt  # active (PORT)");
        out.println("  curl -s " + url + "/random.bin | sha256sum       # expect " + sha256);
        out.println("  curl " + url + "/pub/                            # directory listing");
        out.println("  curl -u demo:demo -T somefile " + url + "/upload/  # upload");
        out.println("  lftp -e 'set ftp:passive-mode off; ls; bye' " + url);
        out.println("  lftp -u demo,demo 127.0.0.1:" + port);
        out.println();
    }

    private static void printFtps(PrintWriter out, int port, String fingerprint) {
        String url = "ftp://127.0.0.1:" + port;
        out.println("FTPS (explicit, AUTH TLS) on the same port, with a self-signed certificate made at start:");
        out.println("  certificate SHA-256 " + fingerprint);
        out.println("  curl --ssl-reqd -k " + url + "/README.txt          # TLS on control and data (PROT P)");
        out.println("  curl --ssl-reqd -k -s " + url + "/random.bin | sha256sum");
        out.println("  lftp -e 'set ssl:verify-certificate no; set ftp:ssl-force true; set ftp:ssl-protect-data true;"
                + " ls; bye' " + url);
        out.println();
        out.println("Press Ctrl-C to stop (the temporary files are removed).");
        out.flush();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
