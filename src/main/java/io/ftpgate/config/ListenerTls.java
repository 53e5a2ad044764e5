package io.ftpgate.config;

import io.ftpgate.tls.TlsSettings;
import java.nio.file.Path;
import java.util.List;

/**
 * The TLS settings of one listener: FTPS toward clients (ftpgate as TLS server) and toward the server
 * (ftpgate as TLS client). ftpgate terminates TLS on each side, so it still reads every command and reply and
 * brokers every data connection; {@code CCC} (clear the control channel) is always refused.
 *
 * @param client               FTPS toward clients
 * @param certificate          PEM certificate chain presented to clients (required when {@code client} is on)
 * @param key                  PEM private key of that certificate
 * @param clientCa             PEM CA certificates; when set, clients may present a certificate (recorded)
 * @param requireProtP         with client TLS: transfers need {@code PROT P} (RFC 4217 §9, 521 otherwise)
 * @param requireDataSessionReuse with client TLS: a client's TLS data connection must resume its control
 *                             connection's TLS session (vsftpd's {@code require_ssl_reuse=YES}), proving it
 *                             comes from the same client; a connection that does not is refused
 * @param server               FTPS toward the server
 * @param serverDataProtection the {@code PROT} level used toward the server
 * @param serverCa             PEM CA certificates that verify the server; null = the system trust store
 * @param serverFingerprint    SHA-256 of the server's certificate to pin instead of verifying a chain; or null
 * @param serverVerify         false turns verification of the server off (logged at every start)
 * @param protocols            TLS protocol versions allowed on both sides
 * @param serverClientCertificate PEM certificate chain ftpgate presents to the server when it asks for one
 *                             (servers that admit only known gateways, e.g. vsftpd {@code require_cert}); or null
 * @param serverClientKey      PEM private key of that certificate; null exactly when the certificate is
 * @param provider             the TLS implementation on both sides ({@code tls-provider}); null = not configured:
 *                             {@link TlsSettings.Provider#preferred()}
 */
public record ListenerTls(ClientTlsMode client, Path certificate, Path key, Path clientCa, boolean requireProtP,
        boolean requireDataSessionReuse, ServerTlsMode server, DataProtection serverDataProtection, Path serverCa,
        String serverFingerprint, boolean serverVerify, List<String> protocols, Path serverClientCertificate,
        Path serverClientKey, TlsSettings.Provider provider) {

    /** TLS versions allowed by default: RFC 8996 deprecated everything older than TLS 1.2. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** No TLS on either side (the default). */
    public static final ListenerTls OFF = new ListenerTls(ClientTlsMode.OFF, null, null, null, false, true,
            ServerTlsMode.OFF, DataProtection.PRIVATE, null, null, true, DEFAULT_PROTOCOLS, null, null, null);

    /** These settings with another TLS provider (null = the default). */
    public ListenerTls withProvider(TlsSettings.Provider p) {
        return new ListenerTls(client, certificate, key, clientCa, requireProtP, requireDataSessionReuse, server,
                serverDataProtection, serverCa, serverFingerprint, serverVerify, protocols, serverClientCertificate,
                serverClientKey, p);
    }

    /** FTPS toward clients. */
    public enum ClientTlsMode {
        /** AUTH is refused (502, tls-unsupported). */
        OFF,
        /** AUTH TLS is offered; clients may stay in clear. */
        OPTIONAL,
        /** AUTH TLS is required before USER/PASS (530, tls-required). */
        REQUIRED,
        /** TLS from the first byte (implicit FTPS, conventionally port 990). */
        IMPLICIT;

        /** True when the listener speaks TLS to clients at all. */
        public boolean on() {
            return this != OFF;
        }
    }

    /** FTPS toward the server. */
    public enum ServerTlsMode {
        /** Clear. */
        OFF,
        /** AUTH TLS after the greeting; a server that refuses it ends the session. */
        REQUIRED,
        /** TLS from the first byte (implicit FTPS). */
        IMPLICIT,
        /** AUTH TLS when the server's FEAT offers it, clear otherwise. */
        AUTO,
        /** Whatever the client chose: AUTH TLS when the client sends it, implicit when the client is implicit. */
        MATCH_CLIENT;

        /** True when TLS toward the server may be used at all. */
        public boolean on() {
            return this != OFF;
        }
    }

    /** The PROT level toward the server. */
    public enum DataProtection {
        /** PROT P whatever the client chose (ProFTPD mod_proxy's default): data is private on the server side. */
        PRIVATE,
        /** PROT C: data in clear toward the server. */
        CLEAR,
        /** The client's level (P or C). */
        MATCH_CLIENT
    }

    /** Settings with the default TLS provider and no client certificate toward the server (the common case). */
    public ListenerTls(ClientTlsMode client, Path certificate, Path key, Path clientCa, boolean requireProtP,
            boolean requireDataSessionReuse, ServerTlsMode server, DataProtection serverDataProtection, Path serverCa,
            String serverFingerprint, boolean serverVerify, List<String> protocols) {
        this(client, certificate, key, clientCa, requireProtP, requireDataSessionReuse, server, serverDataProtection,
                serverCa, serverFingerprint, serverVerify, protocols, null, null, null);
    }

    public ListenerTls {
        protocols = protocols == null || protocols.isEmpty() ? DEFAULT_PROTOCOLS : List.copyOf(protocols);
        client = client == null ? ClientTlsMode.OFF : client;
        server = server == null ? ServerTlsMode.OFF : server;
        serverDataProtection = serverDataProtection == null ? DataProtection.PRIVATE : serverDataProtection;
        if (client.on() && (certificate == null || key == null)) {
            throw new IllegalArgumentException("client-tls " + client.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs tls-certificate and tls-key (PEM files)");
        }
        if (server == ServerTlsMode.MATCH_CLIENT && !client.on()) {
            throw new IllegalArgumentException("server-tls match-client needs client-tls optional, required or"
                    + " implicit");
        }
        if (serverCa != null && serverFingerprint != null) {
            throw new IllegalArgumentException("give server-ca or server-fingerprint, not both");
        }
        if ((serverClientCertificate == null) != (serverClientKey == null)) {
            throw new IllegalArgumentException("server-client-certificate and server-client-key go together");
        }
        if (serverClientCertificate != null && !server.on()) {
            throw new IllegalArgumentException("server-client-certificate needs server-tls (required, implicit, auto"
                    + " or match-client)");
        }
    }

    /** These settings with {@code certificate} and {@code key} presented to servers that ask for a certificate. */
    public ListenerTls withServerClientCertificate(Path certificate, Path key) {
        return new ListenerTls(client, this.certificate, this.key, clientCa, requireProtP, requireDataSessionReuse,
                server, serverDataProtection, serverCa, serverFingerprint, serverVerify, protocols, certificate, key,
                provider);
    }
}
