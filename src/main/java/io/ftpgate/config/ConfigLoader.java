package io.ftpgate.config;

import io.ftpgate.config.YamlTree.Entry;
import io.ftpgate.config.YamlTree.MapNode;
import io.ftpgate.config.YamlTree.Node;
import io.ftpgate.config.YamlTree.Pos;
import io.ftpgate.config.YamlTree.Seq;
import io.ftpgate.net.Cidr;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.policy.GatewayPolicy;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads and validates an ftpgate YAML configuration file into a {@link GatewayConfig}.
 *
 * <p>Schema (kebab-case keys; unknown keys are errors so that a typo never silently weakens a policy):
 * <pre>
 * audit-log: /var/log/ftpgate/audit.jsonl     # or "-" for stdout; omitted = no audit log
 * timeouts: { pinhole: 30s, connect: 30s, control-idle: 15m, login: 60s, data-idle: 5m }
 * listeners:
 *   - name: public                            # optional; default "listener-N"
 *     listen: ["0.0.0.0:21", "[::]:21"]       # one HOST:PORT or a list
 *     upstream: 192.0.2.10:21                 # present: reverse placement; absent: forward
 *     public-address: 203.0.113.10            # IP literal advertised in 227/229
 *     client-data-ports: 61000-61999
 *     server-data-ports: 62000-62999
 *     upstream-mode: passive                  # passive | active | client
 *     early-server-leg: true                  # upstream PASV + connect as soon as the client's is answered
 *     allow-client: [10.0.0.0/8]
 *     allow-destination: [198.51.100.0/24]    # forward listeners only
 *     deny-client: [10.9.0.0/16]              # refused even if allow-client matches
 *     anonymous: true                         # anonymous login allowed (default true)
 *     anonymous-write: false                  # anonymous users may write (default false)
 *     anonymous-incoming: /incoming           # anonymous upload-only area (no list, download, rename)
 *     default-profile: full                   # profile when no rule matches
 *     rules: [{user: "partner-*", client: [198.51.100.0/24], destination: [...], profile: read-only}]
 *     deny-destination: [198.51.100.66/32]    # forward: never reached, whatever allow-destination says
 *     allow-destination-hosts: ["*.partner.example"]   # forward: names as typed in USER user@host
 *     deny-destination-hosts: ["*.internal.example"]
 *     destination-ports: [21, 2121-2130]      # forward: default 21 and 1024-65535
 * monitor: false                              # log policy verdicts without enforcing them
 * limits: { max-sessions: 10000, max-sessions-per-client: 50, max-login-failures: 5, block-time: 10m }
 * profiles: { upload-only: { deny: [RETR, LIST], reply: "550 Upload only." } }   # plus full, read-only, no-site
 * </pre>
 * Every error names the file, line and column, the key path and what is expected.
 */
public final class ConfigLoader {

    /** Configuration files are small; refusing huge ones keeps a wrong path (a log, a disk image) harmless. */
    static final long MAX_FILE_BYTES = 1 << 20;

    static final List<String> TOP_KEYS = List.of("audit-log", "timeouts", "listeners", "monitor", "limits",
            "profiles");
    static final List<String> LIMIT_KEYS = List.of("max-sessions", "max-sessions-per-client", "max-login-failures",
            "block-time");
    static final List<String> PROFILE_KEYS = List.of("allow", "deny", "reply");
    static final List<String> RULE_KEYS = List.of("user", "client", "destination", "profile");
    static final List<String> TIMEOUT_KEYS = List.of("pinhole", "connect", "control-idle", "login", "data-idle");
    static final List<String> LISTENER_KEYS = Stream.concat(Stream.of("name", "listen", "upstream", "public-address",
            "client-data-ports", "server-data-ports", "upstream-mode", "allow-client", "allow-destination",
            "deny-client", "anonymous", "anonymous-write", "default-profile", "rules", "deny-destination",
            "allow-destination-hosts", "deny-destination-hosts", "destination-ports", "anonymous-incoming", "fxp",
            "early-server-leg"), TlsReader.KEYS.stream()).toList();
    static final List<String> FXP_KEYS = List.of("client", "peer");

    /** Names appear in logs and audit events; keeping them to a safe alphabet keeps those lines parseable. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private ConfigLoader() {
    }

    /** Reads and validates {@code file}; the exception message is ready to show to an administrator. */
    public static GatewayConfig load(Path file) throws ConfigException {
        String name = file.toString();
        String text = read(file, name);
        Node root;
        try {
            root = YamlTree.parse(text);
        } catch (YamlTree.SyntaxException e) {
            throw new ConfigException(name + ":" + e.pos.line() + ":" + e.pos.column() + ": "
                    + (e.path.isEmpty() ? "" : e.path + ": ") + e.getMessage());
        }
        if (root == null) {
            throw new ConfigException(name + ":1:1: the file is empty; expected a mapping with at least a"
                    + " 'listeners' list");
        }
        return new Reader(name).config(root);
    }

    private static String read(Path file, String name) throws ConfigException {
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigException(name + ": is a directory, expected a YAML file");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(name + ": larger than " + MAX_FILE_BYTES / 1024
                        + " KiB; is this really an ftpgate configuration file?");
            }
            String text = Files.readString(file);
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (NoSuchFileException e) {
            throw new ConfigException(name + ": cannot read: no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(name + ": cannot read: permission denied");
        } catch (CharacterCodingException e) {
            throw new ConfigException(name + ": cannot read: not valid UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot read: " + e.getMessage());
        }
    }

    /** Walks the tree; the policy parts are read by a {@link PolicyReader}. */
    private static final class Reader extends TreeReader {
        private final PolicyReader policies;
        private final TlsReader tls;

        Reader(String file) {
            super(file);
            this.policies = new PolicyReader(file);
            this.tls = new TlsReader(file);
        }

        GatewayConfig config(Node root) throws ConfigException {
            MapNode top = map(root, "", TOP_KEYS, "a mapping with keys " + String.join(", ", TOP_KEYS));
            String auditLog = null;
            Entry audit = top.entries().get("audit-log");
            if (audit != null) {
                auditLog = scalar(audit.value(), "audit-log", "a file path or '-' for stdout");
                if (auditLog.isBlank()) {
                    throw error(audit.value().pos(), "audit-log", "expected a file path or '-' for stdout, got ''");
                }
            }
            Timeouts timeouts = Timeouts.DEFAULTS;
            Entry t = top.entries().get("timeouts");
            if (t != null) {
                timeouts = timeouts(t.value());
            }
            Entry ls = top.entries().get("listeners");
            if (ls == null) {
                throw error(top.pos(), "listeners", "missing; at least one listener is required, e.g."
                        + " listeners: [{listen: \"0.0.0.0:21\", upstream: \"192.0.2.10:21\"}]");
            }
            if (!(ls.value() instanceof Seq seq)) {
                throw error(ls.value().pos(), "listeners", "expected a list of listeners (items starting with"
                        + " '- '), got " + ls.value().kind());
            }
            if (seq.items().isEmpty()) {
                throw error(seq.pos(), "listeners", "expected at least one listener, got an empty list");
            }
            List<ListenerConfig> listeners = new ArrayList<>();
            Map<String, String> names = new HashMap<>();
            Map<HostAndPort, String> bound = new HashMap<>();
            for (int i = 0; i < seq.items().size(); i++) {
                String path = "listeners[" + i + "]";
                MapNode m = map(seq.items().get(i), path, LISTENER_KEYS, "a listener mapping with at least 'listen'");
                ListenerConfig l = listener(m, path, i);
                String previous = names.putIfAbsent(l.name(), path);
                if (previous != null) {
                    Entry n = m.entries().get("name");
                    throw error(n == null ? m.pos() : n.value().pos(), path + ".name",
                            "duplicate listener name '" + l.name() + "' (also used by " + previous + ")");
                }
                for (int j = 0; j < l.listen().size(); j++) {
                    HostAndPort hp = l.listen().get(j);
                    String other = hp.port() == 0 ? null : bound.putIfAbsent(hp, path + ".listen[" + j + "]");
                    if (other != null) {
                        throw error(listenPos(m, j), path + ".listen[" + j + "]",
                                hp + " is already used by " + other);
                    }
                }
                listeners.add(l);
            }
            GatewayPolicy policy = policies.gatewayPolicy(top);
            for (int i = 0; i < listeners.size(); i++) {
                try {
                    listeners.get(i).listenerPolicy().checkProfiles(policy.profiles());
                } catch (IllegalArgumentException ex) {
                    MapNode m = (MapNode) seq.items().get(i);
                    Entry where = m.entries().containsKey("rules") ? m.entries().get("rules")
                            : m.entries().get("default-profile");
                    throw error(where == null ? m.pos() : where.value().pos(), "listeners[" + i + "]",
                            ex.getMessage());
                }
            }
            return new GatewayConfig(listeners, timeouts, auditLog, policy);
        }

        private Timeouts timeouts(Node n) throws ConfigException {
            MapNode m = map(n, "timeouts", TIMEOUT_KEYS, "a mapping with keys " + String.join(", ", TIMEOUT_KEYS));
            Timeouts d = Timeouts.DEFAULTS;
            return new Timeouts(
                    duration(m, "pinhole", d.pinhole()),
                    duration(m, "connect", d.connect()),
                    duration(m, "control-idle", d.controlIdle()),
                    duration(m, "login", d.login()),
                    duration(m, "data-idle", d.dataIdle()));
        }

        private Duration duration(MapNode m, String key, Duration dflt) throws ConfigException {
            Entry e = m.entries().get(key);
            return e == null ? dflt : value(e.value(), "timeouts." + key,
                    "a duration such as 30s, 15m, 1h or 500ms", ConfigValues::duration);
        }

        private ListenerConfig listener(MapNode m, String path, int index) throws ConfigException {
            Map<String, Entry> e = m.entries();
            String name = "listener-" + (index + 1);
            if (e.containsKey("name")) {
                name = scalar(e.get("name").value(), path + ".name", "a listener name");
                if (!NAME.matcher(name).matches()) {
                    throw error(e.get("name").value().pos(), path + ".name", "expected a name of up to 64 letters,"
                            + " digits, '.', '_' or '-', got '" + name + "'");
                }
            }
            if (!e.containsKey("listen")) {
                throw error(m.pos(), path + ".listen", "missing; expected the HOST:PORT address(es) to accept"
                        + " control connections on, e.g. listen: \"0.0.0.0:21\"");
            }
            List<HostAndPort> listen = list(e.get("listen").value(), path + ".listen",
                    "HOST:PORT addresses", ConfigValues::listenAddress);
            if (listen.isEmpty()) {
                throw error(e.get("listen").value().pos(), path + ".listen",
                        "expected at least one HOST:PORT address, got an empty list");
            }
            HostAndPort upstream = opt(e, "upstream", path, "HOST:PORT of the FTP server", ConfigValues::upstream);
            String publicAddress = opt(e, "public-address", path, "an IP address", ConfigValues::publicAddress);
            PortRange clientPorts = opt(e, "client-data-ports", path, "a port range LO-HI", ConfigValues::portRange);
            PortRange serverPorts = opt(e, "server-data-ports", path, "a port range LO-HI", ConfigValues::portRange);
            UpstreamMode mode = opt(e, "upstream-mode", path, "passive, active or client", ConfigValues::upstreamMode);
            boolean early = !e.containsKey("early-server-leg") || value(e.get("early-server-leg").value(),
                    path + ".early-server-leg", "true or false", ConfigValues::bool);
            List<Cidr> allowClient = e.containsKey("allow-client") ? list(e.get("allow-client").value(),
                    path + ".allow-client", "address blocks", ConfigValues::cidr) : List.of();
            List<Cidr> allowDest = e.containsKey("allow-destination") ? list(e.get("allow-destination").value(),
                    path + ".allow-destination", "address blocks", ConfigValues::cidr) : List.of();
            ListenerConfig l;
            try {
                l = ListenerConfig.builder(name).listen(listen).upstream(upstream).publicAddress(publicAddress)
                        .clientDataPorts(clientPorts).serverDataPorts(serverPorts).upstreamMode(mode)
                        .allowClient(allowClient).allowDestination(allowDest).listenerPolicy(policies.listenerPolicy(e, path))
                        .earlyServerLeg(early).tls(tls.read(e, path)).build();
            } catch (IllegalArgumentException | NullPointerException ex) {
                throw error(m.pos(), path, ex.getMessage());
            }
            String problem = ConfigValues.allowDestinationProblem(l);
            if (problem != null) {
                throw error(e.get("allow-destination").keyPos(), path + ".allow-destination", problem
                        + " (remove allow-destination, or remove upstream to make it a forward listener)");
            }
            return l;
        }

        private Pos listenPos(MapNode m, int j) {
            Node n = m.entries().get("listen").value();
            return n instanceof Seq s ? s.items().get(j).pos() : n.pos();
        }
    }
}
