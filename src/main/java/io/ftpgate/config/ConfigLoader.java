package io.ftpgate.config;

import io.ftpgate.config.YamlTree.Entry;
import io.ftpgate.config.YamlTree.MapNode;
import io.ftpgate.config.YamlTree.Node;
import io.ftpgate.config.YamlTree.Seq;
import io.ftpgate.policy.CommandProfile;
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
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads and validates an ftpgate YAML configuration file into a {@link GatewayConfig}.
 *
 * <p>Schema (kebab-case keys; unknown keys are errors so that a typo never silently weakens a policy):
 * <pre>
 * audit-log: /var/log/ftpgate/audit.jsonl     # or "-" for stdout; omitted = no audit log
 * audit-syslog: journal                       # or /dev/log, or 192.0.2.20:514 (UDP): a copy of the audit events
 * timeouts: { pinhole: 30s, connect: 30s, control-idle: 15m, login: 60s, data-idle: 5m }
 * listeners:
 *   - name: public                            # optional; default "listener-N"
 *     listen: ["0.0.0.0:21", "[::]:21"]       # one HOST:PORT or a list
 *     upstream: 192.0.2.10:21                 # present: reverse placement; absent: forward
 *     public-address: 203.0.113.10            # IP literal advertised in 227/229
 *     client-data-ports: 61000-61999
 *     server-data-ports: 62000-62999
 *     upstream-mode: passive                  # passive | active | client
 *     placement: transparent                  # without upstream: forward (default) | transparent (TPROXY)
 *     transparent-source: gateway             # transparent: connect to the server from gateway | client
 *     early-server-leg: true                  # upstream PASV + connect as soon as the client's is answered
 *     data-path: relay                        # relay | kernel (nftables forwards same-direction transfers)
 *     banner: "FTP service ready."            # 220 text clients see instead of the server's (default: relayed)
 *     syst-reply: "UNIX Type: L8"             # 215 text for SYST instead of the server's (default: relayed)
 *     proxy-protocol: v2                      # off | v1 | v2 | any: control connections start with a PROXY header
 *     proxy-protocol-from: [192.0.2.5/32]     # the balancers whose headers are believed
 *     data-proxy-protocol: v2                 # off | v1 | v2 | any: client pinholes expect a PROXY header too
 *     server-proxy-protocol: v1               # off | v1 | v2: ftpgate sends a header to the server
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
 * admin: { listen: 127.0.0.1:9121, token-file: /etc/ftpgate/admin-token }   # metrics and live view; off if absent
 * limits: { max-sessions: 10000, max-sessions-per-client: 50, max-login-failures: 5, block-time: 10m }
 * profiles: { upload-only: { deny: [RETR, LIST], reply: "550 Upload only." } }   # plus full, read-only, no-site
 * </pre>
 * Every error names the file, line and column, the key path and what is expected, and every error of the file is
 * reported at once. Beyond the form of each value: address blocks must not have host bits set
 * ({@code 192.168.1.1/24}), and a listener's client and server data-port ranges must not share a port.
 */
public final class ConfigLoader {

    /** Configuration files are small; refusing huge ones keeps a wrong path (a log, a disk image) harmless. */
    static final long MAX_FILE_BYTES = 1 << 20;

    static final List<String> TOP_KEYS = List.of("audit-log", "audit-syslog", "timeouts", "listeners", "monitor",
            "limits", "profiles", "admin");
    static final List<String> ADMIN_KEYS = List.of("listen", "token-file");
    static final List<String> LIMIT_KEYS = List.of("max-sessions", "max-sessions-per-client", "max-login-failures",
            "block-time");
    static final List<String> PROFILE_KEYS = List.of("allow", "deny", "reply");
    static final List<String> RULE_KEYS = List.of("user", "client", "destination", "client-certificate", "profile");
    static final List<String> TIMEOUT_KEYS = List.of("pinhole", "connect", "control-idle", "login", "data-idle");
    static final List<String> LISTENER_KEYS = Stream.concat(Stream.of("name", "listen", "upstream", "upstream-policy",
            "public-address",
            "client-data-ports", "server-data-ports", "upstream-mode", "allow-client", "allow-destination",
            "deny-client", "anonymous", "anonymous-write", "default-profile", "rules", "deny-destination",
            "allow-destination-hosts", "deny-destination-hosts", "destination-ports", "anonymous-incoming", "fxp",
            "early-server-leg", "data-path", "banner", "syst-reply", "placement", "transparent-source", "proxy-protocol",
            "proxy-protocol-from", "data-proxy-protocol", "server-proxy-protocol"), TlsReader.KEYS.stream()).toList();
    static final List<String> FXP_KEYS = List.of("client", "peer");

    /**
     * Every key the loader accepts, by section of the file (top, timeouts, limits, profile, listener, rule, fxp,
     * admin):
     * what docs/configuration.md must list.
     */
    public static Map<String, List<String>> keysBySection() {
        Map<String, List<String>> m = new java.util.LinkedHashMap<>();
        m.put("top", TOP_KEYS);
        m.put("timeouts", TIMEOUT_KEYS);
        m.put("limits", LIMIT_KEYS);
        m.put("profile", PROFILE_KEYS);
        m.put("listener", LISTENER_KEYS);
        m.put("rule", RULE_KEYS);
        m.put("fxp", FXP_KEYS);
        m.put("admin", ADMIN_KEYS);
        return m;
    }

    /** Names appear in logs and audit events; keeping them to a safe alphabet keeps those lines parseable. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private ConfigLoader() {
    }

    /**
     * Reads and validates {@code file}; the exception message is ready to show to an administrator. It names
     * every problem the file has, one line each in file order (see {@link TreeReader}); only a YAML syntax error
     * ends the reading at once, as nothing after it can be read.
     */
    public static GatewayConfig load(Path file) throws ConfigException {
        String name = file.toString();
        String text = read(file, name);
        List<ConfigException> problems = new ArrayList<>();
        Node root;
        try {
            root = YamlTree.parse(text, e -> problems.add(syntax(name, e)));
        } catch (YamlTree.SyntaxException e) {
            problems.add(syntax(name, e));
            throw ConfigException.all(problems);
        }
        if (root == null) {
            throw new ConfigException(name + ":1:1: the file is empty; expected a mapping with at least a"
                    + " 'listeners' list");
        }
        GatewayConfig config = new Reader(name, problems).config(root);
        if (!problems.isEmpty()) {
            throw ConfigException.all(problems);
        }
        return config;
    }

    private static ConfigException syntax(String name, YamlTree.SyntaxException e) {
        return new ConfigException(name + ":" + e.pos.line() + ":" + e.pos.column() + ": "
                + (e.path.isEmpty() ? "" : e.path + ": ") + e.getMessage(), e.pos);
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

    /** Walks the tree; the listeners are read by a {@link ListenerReader}, the policy by a {@link PolicyReader}. */
    private static final class Reader extends TreeReader {
        private final PolicyReader policies;
        private final ListenerReader listeners;

        Reader(String file, List<ConfigException> problems) {
            super(file, problems);
            this.policies = new PolicyReader(file, problems);
            this.listeners = new ListenerReader(file, problems, policies);
        }

        /** The configuration, or null when it has problems (all recorded). */
        GatewayConfig config(Node root) {
            MapNode top = attempt(() -> map(root, "", TOP_KEYS, "a mapping with keys " + String.join(", ", TOP_KEYS)));
            if (top == null) {
                return null;
            }
            Map<String, Entry> e = top.entries();
            String auditLog = e.containsKey("audit-log") ? attempt(() -> auditLog(e.get("audit-log").value())) : null;
            String auditSyslog = opt(e, "audit-syslog", "", "'journal', a socket path or HOST:PORT",
                    ConfigValues::auditSyslog);
            Timeouts timeouts = e.containsKey("timeouts") ? timeouts(e.get("timeouts").value()) : null;
            AdminConfig admin = e.containsKey("admin") ? admin(e.get("admin").value()) : null;
            List<Read> read = listeners(top);
            GatewayPolicy policy = policies.gatewayPolicy(top);
            Map<String, CommandProfile> known = new HashMap<>(policy.profiles());
            for (String broken : policies.brokenProfiles()) {
                // Its own problem is recorded; a rule naming it is not wrong as well.
                known.put(broken, new CommandProfile(broken, Set.of(), Set.of(), CommandProfile.DEFAULT_REPLY_CODE,
                        CommandProfile.DEFAULT_REPLY_TEXT));
            }
            for (Read r : read) {
                try {
                    r.config().listenerPolicy().checkProfiles(known);
                } catch (IllegalArgumentException ex) {
                    Map<String, Entry> m = r.node().entries();
                    Entry where = m.containsKey("rules") ? m.get("rules") : m.get("default-profile");
                    report(error(where == null ? r.node().pos() : where.value().pos(), r.path(), ex.getMessage()));
                }
            }
            return problemCount() > 0 ? null
                    : new GatewayConfig(read.stream().map(Read::config).toList(), timeouts, auditLog, policy,
                            auditSyslog, admin);
        }

        /** A listener that could be built, with where it stands in the file. */
        private record Read(String path, MapNode node, ListenerConfig config) {
        }

        /** The listeners that could be built, in file order. */
        private List<Read> listeners(MapNode top) {
            List<Read> read = new ArrayList<>();
            Entry ls = top.entries().get("listeners");
            if (ls == null) {
                report(error(top.pos(), "listeners", "missing; at least one listener is required, e.g."
                        + " listeners: [{listen: \"0.0.0.0:21\", upstream: \"192.0.2.10:21\"}]"));
            } else if (!(ls.value() instanceof Seq seq)) {
                report(error(ls.value().pos(), "listeners", "expected a list of listeners (items starting with"
                        + " '- '), got " + ls.value().kind()));
            } else if (seq.items().isEmpty()) {
                report(error(seq.pos(), "listeners", "expected at least one listener, got an empty list"));
            } else {
                for (int i = 0; i < seq.items().size(); i++) {
                    String path = "listeners[" + i + "]";
                    Node item = seq.items().get(i);
                    MapNode m = attempt(() -> map(item, path, LISTENER_KEYS, "a listener mapping with at least"
                            + " 'listen'"));
                    ListenerConfig l = m == null ? null : listeners.listener(m, path, i);
                    if (l != null) {
                        read.add(new Read(path, m, l));
                    }
                }
            }
            return read;
        }

        private String auditLog(Node n) throws ConfigException {
            String auditLog = scalar(n, "audit-log", "a file path or '-' for stdout");
            if (auditLog.isBlank()) {
                throw error(n.pos(), "audit-log", "expected a file path or '-' for stdout, got ''");
            }
            return auditLog;
        }

        /** The admin listener; null when it has problems (recorded). */
        private AdminConfig admin(Node n) {
            MapNode m = attempt(() -> map(n, "admin", ADMIN_KEYS, "a mapping with keys "
                    + String.join(", ", ADMIN_KEYS)));
            if (m == null) {
                return null;
            }
            Map<String, Entry> e = m.entries();
            if (!e.containsKey("listen")) {
                report(error(m.pos(), "admin.listen", "missing; expected HOST:PORT such as 127.0.0.1:9121"));
                return null;
            }
            var listen = opt(e, "listen", "admin", "HOST:PORT such as 127.0.0.1:9121", AdminConfig::parseListen);
            String tokenFile = opt(e, "token-file", "admin", "the path of a file holding the admin token", t -> t);
            if (listen == null) {
                return null;
            }
            AdminConfig admin = new AdminConfig(listen, tokenFile);
            if (admin.problem() != null) {
                report(error(e.get("listen").value().pos(), "admin.listen", admin.problem()));
                return null;
            }
            return admin;
        }

        private Timeouts timeouts(Node n) {
            MapNode m = attempt(() -> map(n, "timeouts", TIMEOUT_KEYS, "a mapping with keys "
                    + String.join(", ", TIMEOUT_KEYS)));
            if (m == null) {
                return null;
            }
            Timeouts d = Timeouts.DEFAULTS;
            return new Timeouts(
                    duration(m, "pinhole", d.pinhole()),
                    duration(m, "connect", d.connect()),
                    duration(m, "control-idle", d.controlIdle()),
                    duration(m, "login", d.login()),
                    duration(m, "data-idle", d.dataIdle()));
        }

        private Duration duration(MapNode m, String key, Duration dflt) {
            Duration d = opt(m.entries(), key, "timeouts", "a duration such as 30s, 15m, 1h or 500ms",
                    ConfigValues::duration);
            return d == null ? dflt : d;
        }
    }
}
