package io.ftpgate.config;

import io.ftpgate.config.YamlTree.Entry;
import io.ftpgate.config.YamlTree.MapNode;
import io.ftpgate.config.YamlTree.Node;
import io.ftpgate.config.YamlTree.Pos;
import io.ftpgate.config.YamlTree.Scalar;
import io.ftpgate.config.YamlTree.Seq;
import io.ftpgate.net.Cidr;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.policy.CommandProfile;
import io.ftpgate.policy.DestinationRules;
import io.ftpgate.policy.FxpRule;
import io.ftpgate.policy.Limits;
import io.ftpgate.policy.ListenerPolicy;
import io.ftpgate.policy.GatewayPolicy;
import io.ftpgate.policy.UserRule;
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
import java.util.function.Function;
import java.util.regex.Pattern;

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
    static final List<String> LISTENER_KEYS = List.of("name", "listen", "upstream", "public-address",
            "client-data-ports", "server-data-ports", "upstream-mode", "allow-client", "allow-destination",
            "deny-client", "anonymous", "anonymous-write", "default-profile", "rules", "deny-destination",
            "allow-destination-hosts", "deny-destination-hosts", "destination-ports", "anonymous-incoming", "fxp",
            "early-server-leg");
    static final List<String> FXP_KEYS = List.of("client", "peer");

    /** Names appear in logs and audit events; keeping them to a safe alphabet keeps those lines parseable. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

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

    /** Walks the tree; holds the file name so every error can be prefixed with it. */
    private static final class Reader {
        private final String file;

        Reader(String file) {
            this.file = file;
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
            GatewayPolicy policy = policySettings(top);
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

        private GatewayPolicy policySettings(MapNode top) throws ConfigException {
            Map<String, Entry> e = top.entries();
            boolean monitor = e.containsKey("monitor")
                    && value(e.get("monitor").value(), "monitor", "true or false", ConfigValues::bool);
            Limits limits = Limits.DEFAULTS;
            if (e.containsKey("limits")) {
                MapNode m = map(e.get("limits").value(), "limits", LIMIT_KEYS, "a mapping with keys "
                        + String.join(", ", LIMIT_KEYS));
                Limits d = Limits.DEFAULTS;
                try {
                    limits = new Limits(
                            intValue(m, "limits.max-sessions", d.maxSessions()),
                            intValue(m, "limits.max-sessions-per-client", d.maxSessionsPerClient()),
                            intValue(m, "limits.max-login-failures", d.maxLoginFailures()),
                            m.entries().containsKey("block-time") ? value(m.entries().get("block-time").value(),
                                    "limits.block-time", "a duration such as 10m", ConfigValues::duration)
                                    : d.blockTime());
                } catch (IllegalArgumentException ex) {
                    throw error(m.pos(), "limits", ex.getMessage());
                }
            }
            Map<String, CommandProfile> profiles = new HashMap<>();
            if (e.containsKey("profiles")) {
                Node pn = e.get("profiles").value();
                if (!(pn instanceof MapNode pm)) {
                    throw error(pn.pos(), "profiles", "expected a mapping of profile names to profiles, got "
                            + pn.kind());
                }
                for (Map.Entry<String, Entry> pe : pm.entries().entrySet()) {
                    profiles.put(pe.getKey(), profile(pe.getKey(), pe.getValue()));
                }
            }
            return new GatewayPolicy(monitor, limits, profiles);
        }

        private CommandProfile profile(String name, Entry entry) throws ConfigException {
            String path = "profiles." + name;
            if (CommandProfile.BUILT_IN.containsKey(name)) {
                throw error(entry.keyPos(), path, "'" + name + "' is a built-in profile; choose another name");
            }
            if (!NAME.matcher(name).matches()) {
                throw error(entry.keyPos(), path, "expected a profile name of letters, digits, '.', '_' or '-'");
            }
            MapNode m = map(entry.value(), path, PROFILE_KEYS, "a mapping with 'allow' or 'deny' and optionally"
                    + " 'reply'");
            Map<String, Entry> e = m.entries();
            Set<String> allow = e.containsKey("allow") ? Set.copyOf(list(e.get("allow").value(), path + ".allow",
                    "FTP verbs", ConfigValues::verb)) : Set.of();
            Set<String> deny = e.containsKey("deny") ? Set.copyOf(list(e.get("deny").value(), path + ".deny",
                    "FTP verbs", ConfigValues::verb)) : Set.of();
            int code = CommandProfile.DEFAULT_REPLY_CODE;
            String text = CommandProfile.DEFAULT_REPLY_TEXT;
            if (e.containsKey("reply")) {
                String reply = scalar(e.get("reply").value(), path + ".reply", "a reply such as \"550 Not here.\"");
                java.util.regex.Matcher rm = java.util.regex.Pattern.compile("([45][0-9][0-9]) (\\S.*)").matcher(reply);
                if (!rm.matches()) {
                    throw error(e.get("reply").value().pos(), path + ".reply", "expected a 4xx or 5xx code and a"
                            + " text, such as \"550 Not allowed here.\", got '" + reply + "'");
                }
                code = Integer.parseInt(rm.group(1));
                text = rm.group(2);
            }
            try {
                return new CommandProfile(name, allow, deny, code, text);
            } catch (IllegalArgumentException ex) {
                throw error(m.pos(), path, ex.getMessage());
            }
        }

        private int intValue(MapNode m, String path, int dflt) throws ConfigException {
            Entry e = m.entries().get(path.substring(path.indexOf('.') + 1));
            return e == null ? dflt : value(e.value(), path, "a whole number of at least 1", ConfigValues::positiveInt);
        }

        private ListenerPolicy listenerPolicy(Map<String, Entry> e, String path) throws ConfigException {
            List<Cidr> deny = e.containsKey("deny-client") ? list(e.get("deny-client").value(),
                    path + ".deny-client", "address blocks", ConfigValues::cidr) : List.of();
            boolean anonymous = !e.containsKey("anonymous")
                    || value(e.get("anonymous").value(), path + ".anonymous", "true or false", ConfigValues::bool);
            boolean anonymousWrite = e.containsKey("anonymous-write") && value(e.get("anonymous-write").value(),
                    path + ".anonymous-write", "true or false", ConfigValues::bool);
            String dflt = opt(e, "default-profile", path, "a profile name", t -> t);
            List<UserRule> rules = new ArrayList<>();
            if (e.containsKey("rules")) {
                Node rn = e.get("rules").value();
                if (!(rn instanceof Seq rs)) {
                    throw error(rn.pos(), path + ".rules", "expected a list of rules, got " + rn.kind());
                }
                for (int i = 0; i < rs.items().size(); i++) {
                    String rp = path + ".rules[" + i + "]";
                    MapNode rm = map(rs.items().get(i), rp, RULE_KEYS, "a rule with 'profile' and optionally"
                            + " 'user', 'client', 'destination'");
                    Map<String, Entry> r = rm.entries();
                    if (!r.containsKey("profile")) {
                        throw error(rm.pos(), rp + ".profile", "missing; expected the profile this rule selects");
                    }
                    rules.add(new UserRule(opt(r, "user", rp, "a user name or glob", t -> t),
                            r.containsKey("client") ? list(r.get("client").value(), rp + ".client", "address blocks",
                                    ConfigValues::cidr) : List.of(),
                            r.containsKey("destination") ? list(r.get("destination").value(), rp + ".destination",
                                    "address blocks", ConfigValues::cidr) : List.of(),
                            scalar(r.get("profile").value(), rp + ".profile", "a profile name")));
                }
            }
            String incoming = opt(e, "anonymous-incoming", path, "an absolute server path such as /incoming",
                    ConfigValues::serverDirectory);
            List<FxpRule> fxp = new ArrayList<>();
            if (e.containsKey("fxp")) {
                Node fn = e.get("fxp").value();
                if (!(fn instanceof Seq fs)) {
                    throw error(fn.pos(), path + ".fxp", "expected a list of {client: [...], peer: [...]}, got "
                            + fn.kind());
                }
                for (int i = 0; i < fs.items().size(); i++) {
                    String fp = path + ".fxp[" + i + "]";
                    MapNode fm = map(fs.items().get(i), fp, FXP_KEYS, "a mapping with 'client' and 'peer'");
                    Map<String, Entry> f = fm.entries();
                    if (!f.containsKey("client") || !f.containsKey("peer")) {
                        throw error(fm.pos(), fp, "expected both 'client' and 'peer' address blocks");
                    }
                    fxp.add(new FxpRule(list(f.get("client").value(), fp + ".client", "address blocks",
                            ConfigValues::cidr), list(f.get("peer").value(), fp + ".peer", "address blocks",
                            ConfigValues::cidr)));
                }
            }
            return new ListenerPolicy(deny, anonymous, anonymousWrite, rules, dflt, destinationRules(e, path),
                    incoming, fxp);
        }

        private DestinationRules destinationRules(Map<String, Entry> e, String path) throws ConfigException {
            return new DestinationRules(
                    e.containsKey("deny-destination") ? list(e.get("deny-destination").value(),
                            path + ".deny-destination", "address blocks", ConfigValues::cidr) : List.of(),
                    e.containsKey("allow-destination-hosts") ? list(e.get("allow-destination-hosts").value(),
                            path + ".allow-destination-hosts", "host names or globs", ConfigValues::hostGlob)
                            : List.of(),
                    e.containsKey("deny-destination-hosts") ? list(e.get("deny-destination-hosts").value(),
                            path + ".deny-destination-hosts", "host names or globs", ConfigValues::hostGlob)
                            : List.of(),
                    e.containsKey("destination-ports") ? list(e.get("destination-ports").value(),
                            path + ".destination-ports", "ports or ranges such as 21 or 2121-2130",
                            ConfigValues::anyPortRange) : null);
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
                        .allowClient(allowClient).allowDestination(allowDest).listenerPolicy(listenerPolicy(e, path))
                        .earlyServerLeg(early).build();
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

        private <T> T opt(Map<String, Entry> e, String key, String path, String what, Function<String, T> parser)
                throws ConfigException {
            Entry entry = e.get(key);
            return entry == null ? null : value(entry.value(), path + "." + key, what, parser);
        }

        /** A list of values; a single scalar is accepted as a one-item list ({@code listen: "0.0.0.0:21"}). */
        private <T> List<T> list(Node n, String path, String what, Function<String, T> parser)
                throws ConfigException {
            if (n instanceof Scalar) {
                return List.of(value(n, path, what, parser));
            }
            if (!(n instanceof Seq seq)) {
                throw error(n.pos(), path, "expected a list of " + what + ", got " + n.kind());
            }
            List<T> out = new ArrayList<>();
            for (int i = 0; i < seq.items().size(); i++) {
                out.add(value(seq.items().get(i), path + "[" + i + "]", what, parser));
            }
            return out;
        }

        private <T> T value(Node n, String path, String what, Function<String, T> parser) throws ConfigException {
            String text = scalar(n, path, what);
            try {
                return parser.apply(text);
            } catch (IllegalArgumentException ex) {
                throw error(n.pos(), path, ex.getMessage());
            }
        }

        private String scalar(Node n, String path, String what) throws ConfigException {
            if (n instanceof Scalar s && !s.isNull()) {
                return s.text();
            }
            throw error(n.pos(), path, "expected " + what + ", got " + n.kind());
        }

        private MapNode map(Node n, String path, List<String> keys, String what) throws ConfigException {
            if (!(n instanceof MapNode m)) {
                throw error(n.pos(), path, "expected " + what + ", got " + n.kind());
            }
            for (Map.Entry<String, Entry> e : m.entries().entrySet()) {
                if (!keys.contains(e.getKey())) {
                    String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                    String hint = KeyHints.suggest(e.getKey(), keys);
                    throw error(e.getValue().keyPos(), p, "unknown key"
                            + (hint == null ? "" : "; did you mean '" + hint + "'?")
                            + " (expected one of: " + String.join(", ", keys) + ")");
                }
            }
            return m;
        }

        private ConfigException error(Pos pos, String path, String message) {
            return new ConfigException(file + ":" + pos.line() + ":" + pos.column() + ": "
                    + (path.isEmpty() ? "" : path + ": ") + message);
        }
    }
}
