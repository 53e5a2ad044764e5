package io.ftpgate.config;

import io.ftpgate.config.ListenerTls.ClientTlsMode;
import io.ftpgate.config.ListenerTls.DataProtection;
import io.ftpgate.config.ListenerTls.ServerTlsMode;
import io.ftpgate.config.YamlTree.Entry;
import io.ftpgate.tls.TlsSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads a listener's TLS keys ({@link ListenerTls}). File paths are checked for existence when the gateway
 * loads them (and by {@code check-config}), not here: the loader reads text only.
 */
final class TlsReader extends TreeReader {

    /** The listener keys read here. */
    static final List<String> KEYS = List.of("client-tls", "tls-certificate", "tls-key", "tls-client-ca",
            "require-prot-p", "require-data-session-reuse", "server-tls", "server-data-protection", "server-ca",
            "server-fingerprint", "server-tls-verify", "tls-protocols", "server-client-certificate",
            "server-client-key", "tls-provider");

    /** A SHA-256 fingerprint: 64 hex digits, optionally in colon-separated pairs. */
    private static final Pattern SHA256 = Pattern.compile("(?i)[0-9a-f]{64}|[0-9a-f]{2}(:[0-9a-f]{2}){31}");
    /** Protocol names the JDK knows; TLS 1.0/1.1 are refused (RFC 8996). */
    private static final List<String> PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

    TlsReader(String file, List<ConfigException> problems) {
        super(file, problems);
    }

    /**
     * The TLS settings of the listener at {@code path} (all keys optional); a key with a problem is recorded and
     * left at its default, and settings that do not fit together are recorded and give {@link ListenerTls#OFF}.
     */
    ListenerTls read(Map<String, Entry> e, String path) {
        boolean any = KEYS.stream().anyMatch(e::containsKey);
        if (!any) {
            return ListenerTls.OFF;
        }
        ClientTlsMode client = opt(e, "client-tls", path, "off, optional, required or implicit",
                t -> ConfigValues.choice(t, ClientTlsMode.values()));
        ServerTlsMode server = opt(e, "server-tls", path, "off, required, implicit, auto or match-client",
                t -> ConfigValues.choice(t, ServerTlsMode.values()));
        DataProtection prot = opt(e, "server-data-protection", path, "private, clear or match-client",
                t -> ConfigValues.choice(t, DataProtection.values()));
        Function<String, Path> file = t -> Path.of(t.trim());
        Boolean protP = opt(e, "require-prot-p", path, "true or false", ConfigValues::bool);
        Boolean reuse = opt(e, "require-data-session-reuse", path, "true or false", ConfigValues::bool);
        Boolean verify = opt(e, "server-tls-verify", path, "true or false", ConfigValues::bool);
        String pin = opt(e, "server-fingerprint", path, "a SHA-256 fingerprint (64 hex digits)", TlsReader::sha256);
        List<String> protocols = optList(e, "tls-protocols", path, "TLS versions (TLSv1.3, TLSv1.2)",
                TlsReader::protocol);
        TlsSettings.Provider provider = opt(e, "tls-provider", path, "jdk or openssl",
                t -> ConfigValues.choice(t, TlsSettings.Provider.values()));
        try {
            return new ListenerTls(client,
                    opt(e, "tls-certificate", path, "a PEM file path", file),
                    opt(e, "tls-key", path, "a PEM file path", file),
                    opt(e, "tls-client-ca", path, "a PEM file path", file),
                    protP != null && protP, reuse == null || reuse, server, prot,
                    opt(e, "server-ca", path, "a PEM file path", file), pin, verify == null || verify, protocols,
                    opt(e, "server-client-certificate", path, "a PEM file path", file),
                    opt(e, "server-client-key", path, "a PEM file path", file), provider);
        } catch (IllegalArgumentException ex) {
            Entry where = e.containsKey("client-tls") ? e.get("client-tls")
                    : e.containsKey("server-tls") ? e.get("server-tls") : e.get("server-client-certificate");
            report(error(where == null ? e.values().iterator().next().keyPos() : where.value().pos(), path,
                    ex.getMessage()));
            return ListenerTls.OFF;
        }
    }

    private static String sha256(String text) {
        String t = text.trim();
        if (!SHA256.matcher(t).matches()) {
            throw new IllegalArgumentException("expected a SHA-256 fingerprint (64 hex digits, colons allowed), got '"
                    + text + "'");
        }
        return t.replace(":", "").toLowerCase(Locale.ROOT);
    }

    private static String protocol(String text) {
        String t = text.trim();
        if (!PROTOCOLS.contains(t)) {
            throw new IllegalArgumentException("expected TLSv1.3 or TLSv1.2 (older versions are insecure, RFC 8996),"
                    + " got '" + text + "'");
        }
        return t;
    }
}
