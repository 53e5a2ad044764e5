package io.ftpgate.cli;

import io.ftpgate.config.ConfigValues;
import io.ftpgate.config.ListenerTls;
import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.config.ListenerTls.ServerTlsMode;
import io.ftpgate.tls.TlsSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The FTPS flags of {@code run} for the common case, beside the YAML keys (README "FTPS"): each replaces the
 * matching key of every listener.
 */
final class TlsOptions {

    @Option(names = "--client-tls", paramLabel = "MODE",
            description = "FTPS toward clients: off, optional, required or implicit (YAML client-tls; default off).")
    String clientTls;

    @Option(names = "--server-tls", paramLabel = "MODE", description = "FTPS toward the server: off, required,"
            + " implicit, auto or match-client (YAML server-tls; default off).")
    String serverTls;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain shown to clients (YAML tls-certificate).")
    Path certificate;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert (YAML tls-key).")
    Path key;

    @Option(names = "--server-ca", paramLabel = "FILE",
            description = "PEM CA certificates that verify the server (YAML server-ca; default: the system's).")
    Path serverCa;

    @Option(names = "--tls-provider", paramLabel = "NAME", description = "TLS implementation on both sides: jdk or"
            + " openssl (BoringSSL; Linux x86-64 and aarch64) (YAML tls-provider; default jdk; openssl is opt-in,"
            + " see the README).")
    String provider;

    /** {@code base} with the given flags applied; throws {@link IllegalArgumentException} naming the problem. */
    ListenerTls apply(ListenerTls base) {
        if (clientTls == null && serverTls == null && certificate == null && key == null && serverCa == null
                && provider == null) {
            return base;
        }
        ClientTlsMode client = clientTls == null ? base.client()
                : ConfigValues.choice(clientTls, ClientTlsMode.values());
        ServerTlsMode server = serverTls == null ? base.server()
                : ConfigValues.choice(serverTls, ServerTlsMode.values());
        return new ListenerTls(client, certificate != null ? certificate : base.certificate(),
                key != null ? key : base.key(), base.clientCa(), base.requireProtP(), base.requireDataSessionReuse(),
                server, base.serverDataProtection(), serverCa != null ? serverCa : base.serverCa(),
                serverCa != null ? null : base.serverFingerprint(), base.serverVerify(), base.protocols(),
                base.serverClientCertificate(), base.serverClientKey(),
                provider == null ? base.provider() : ConfigValues.choice(provider, TlsSettings.Provider.values()));
    }
}
