package io.ftpgate.control;

import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.ListenerTls;
import io.ftpgate.tls.ClientTls;
import io.ftpgate.tls.ServerTls;
import io.ftpgate.tls.TlsConfigException;
import io.ftpgate.tls.TlsSettings;
import io.ftpgate.tls.Trust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a listener's TLS contexts from its settings when the gateway starts or reloads: certificates and keys
 * are read then, so a SIGHUP picks up renewed files for new sessions while running sessions keep theirs.
 */
final class TlsSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TlsSetup.class);

    private TlsSetup() {
    }

    /** ftpgate as TLS server toward clients, or null when the listener offers no TLS to clients. */
    static ServerTls server(ListenerConfig lc) throws GatewayStartException {
        ListenerTls t = lc.tls();
        if (!t.client().on()) {
            return null;
        }
        try {
            ServerTls s = ServerTls.load(t.certificate(), t.key(), t.clientCa(), settings(t));
            s.warnings().forEach(w -> LOG.warn("listener {}: {}", lc.name(), w));
            LOG.info("listener {}: FTPS toward clients ({}), certificate {} SHA-256 {}", lc.name(),
                    t.client().name().toLowerCase(java.util.Locale.ROOT), s.subject(), s.fingerprintSha256());
            return s;
        } catch (TlsConfigException e) {
            throw new GatewayStartException("listener " + lc.name() + ": " + e.getMessage());
        }
    }

    /** ftpgate as TLS client toward the server, or null when the listener never uses TLS toward servers. */
    static ClientTls client(ListenerConfig lc) throws GatewayStartException {
        ListenerTls t = lc.tls();
        if (!t.server().on()) {
            return null;
        }
        Trust trust;
        if (!t.serverVerify()) {
            trust = Trust.insecure();
        } else if (t.serverFingerprint() != null) {
            trust = Trust.pinned(t.serverFingerprint());
        } else if (t.serverCa() != null) {
            trust = Trust.caFile(t.serverCa());
        } else {
            trust = Trust.system();
        }
        try {
            ClientTls c = ClientTls.create(trust, t.serverClientCertificate(), t.serverClientKey(), settings(t));
            // At every start and reload: an expiring client certificate, and verification turned off.
            c.warnings().forEach(w -> LOG.warn("listener {}: {}", lc.name(), w));
            return c;
        } catch (TlsConfigException e) {
            throw new GatewayStartException("listener " + lc.name() + ": " + e.getMessage());
        }
    }

    private static TlsSettings settings(ListenerTls t) {
        TlsSettings s = TlsSettings.defaults().withProtocols(t.protocols());
        return t.provider() == null ? s : s.withProvider(t.provider());
    }
}
