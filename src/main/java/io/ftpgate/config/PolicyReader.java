package io.ftpgate.config;

import io.ftpgate.config.YamlTree.Entry;
import io.ftpgate.config.YamlTree.MapNode;
import io.ftpgate.config.YamlTree.Node;
import io.ftpgate.config.YamlTree.Seq;
import io.ftpgate.net.Cidr;
import io.ftpgate.policy.CommandProfile;
import io.ftpgate.policy.DestinationRules;
import io.ftpgate.policy.FxpRule;
import io.ftpgate.policy.GatewayPolicy;
import io.ftpgate.policy.Limits;
import io.ftpgate.policy.ListenerPolicy;
import io.ftpgate.policy.UserRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the policy parts of a configuration: the gateway-wide {@code monitor}, {@code limits} and
 * {@code profiles}, and each listener's access, anonymous, rule, destination, incoming-area and FXP keys.
 * Problems are recorded and reading goes on (see {@link TreeReader}); a profile, rule or FXP exception with a
 * problem is left out.
 */
final class PolicyReader extends TreeReader {

    private static final Pattern REPLY = Pattern.compile("([45][0-9][0-9]) (\\S.*)");

    /** Profiles defined in the file but left out for a problem: rules naming them are not reported again. */
    private final Set<String> brokenProfiles = new TreeSet<>();

    PolicyReader(String file, List<ConfigException> problems) {
        super(file, problems);
    }

    /** Names of the profiles the file defines but that have a problem (already recorded). */
    Set<String> brokenProfiles() {
        return brokenProfiles;
    }

    /** The top-level monitor, limits and profiles. */
    GatewayPolicy gatewayPolicy(MapNode top) {
        Map<String, Entry> e = top.entries();
        Boolean monitor = opt(e, "monitor", "", "true or false", ConfigValues::bool);
        Limits limits = e.containsKey("limits") ? limits(e.get("limits").value()) : null;
        Map<String, CommandProfile> profiles = new HashMap<>();
        if (e.containsKey("profiles")) {
            Node pn = e.get("profiles").value();
            if (!(pn instanceof MapNode pm)) {
                report(error(pn.pos(), "profiles", "expected a mapping of profile names to profiles, got "
                        + pn.kind()));
            } else {
                for (Map.Entry<String, Entry> pe : pm.entries().entrySet()) {
                    CommandProfile p = profile(pe.getKey(), pe.getValue());
                    if (p == null) {
                        brokenProfiles.add(pe.getKey());
                    } else {
                        profiles.put(pe.getKey(), p);
                    }
                }
            }
        }
        return new GatewayPolicy(monitor != null && monitor, limits, profiles);
    }

    private Limits limits(Node n) {
        MapNode m = attempt(() -> map(n, "limits", ConfigLoader.LIMIT_KEYS, "a mapping with keys "
                + String.join(", ", ConfigLoader.LIMIT_KEYS)));
        if (m == null) {
            return null;
        }
        Limits d = Limits.DEFAULTS;
        Map<String, Entry> e = m.entries();
        Integer sessions = opt(e, "max-sessions", "limits", "a whole number of at least 1", ConfigValues::positiveInt);
        Integer perClient = opt(e, "max-sessions-per-client", "limits", "a whole number of at least 1",
                ConfigValues::positiveInt);
        Integer failures = opt(e, "max-login-failures", "limits", "a whole number of at least 1",
                ConfigValues::positiveInt);
        var blockTime = opt(e, "block-time", "limits", "a duration such as 10m", ConfigValues::duration);
        try {
            return new Limits(sessions == null ? d.maxSessions() : sessions,
                    perClient == null ? d.maxSessionsPerClient() : perClient,
                    failures == null ? d.maxLoginFailures() : failures,
                    blockTime == null ? d.blockTime() : blockTime);
        } catch (IllegalArgumentException ex) {
            report(error(m.pos(), "limits", ex.getMessage()));
            return null;
        }
    }

    /** One user-defined profile, or null when it has a problem (recorded). */
    private CommandProfile profile(String name, Entry entry) {
        String path = "profiles." + name;
        int before = problemCount();
        if (CommandProfile.BUILT_IN.containsKey(name)) {
            report(error(entry.keyPos(), path, "'" + name + "' is a built-in profile; choose another name"));
        } else if (!ConfigLoader.NAME.matcher(name).matches()) {
            report(error(entry.keyPos(), path, "expected a profile name of letters, digits, '.', '_' or '-'"));
        }
        MapNode m = attempt(() -> map(entry.value(), path, ConfigLoader.PROFILE_KEYS, "a mapping with 'allow' or"
                + " 'deny' and optionally 'reply'"));
        if (m == null) {
            return null;
        }
        Map<String, Entry> e = m.entries();
        List<String> allow = optList(e, "allow", path, "FTP verbs", ConfigValues::verb);
        List<String> deny = optList(e, "deny", path, "FTP verbs", ConfigValues::verb);
        Matcher reply = e.containsKey("reply") ? attempt(() -> reply(e.get("reply").value(), path + ".reply")) : null;
        if (problemCount() > before) {
            return null;
        }
        try {
            return new CommandProfile(name, allow == null ? Set.of() : Set.copyOf(allow),
                    deny == null ? Set.of() : Set.copyOf(deny),
                    reply == null ? CommandProfile.DEFAULT_REPLY_CODE : Integer.parseInt(reply.group(1)),
                    reply == null ? CommandProfile.DEFAULT_REPLY_TEXT : reply.group(2));
        } catch (IllegalArgumentException ex) {
            report(error(m.pos(), path, ex.getMessage()));
            return null;
        }
    }

    private Matcher reply(Node n, String path) throws ConfigException {
        String reply = scalar(n, path, "a reply such as \"550 Not here.\"");
        Matcher rm = REPLY.matcher(reply);
        if (!rm.matches()) {
            throw error(n.pos(), path, "expected a 4xx or 5xx code and a text, such as \"550 Not allowed here.\","
                    + " got '" + reply + "'");
        }
        return rm;
    }

    /** A listener's policy keys; those with a problem (recorded) are left at their defaults. */
    ListenerPolicy listenerPolicy(Map<String, Entry> e, String path) {
        List<Cidr> deny = optList(e, "deny-client", path, "address blocks", ConfigValues::cidr);
        Boolean anonymous = opt(e, "anonymous", path, "true or false", ConfigValues::bool);
        Boolean anonymousWrite = opt(e, "anonymous-write", path, "true or false", ConfigValues::bool);
        String dflt = opt(e, "default-profile", path, "a profile name", t -> t);
        List<UserRule> rules = mappings(e, "rules", path, "a list of rules", ConfigLoader.RULE_KEYS,
                "a rule with 'profile' and optionally 'user', 'client', 'destination'", this::rule);
        String incoming = opt(e, "anonymous-incoming", path, "an absolute server path such as /incoming",
                ConfigValues::serverDirectory);
        List<FxpRule> fxp = mappings(e, "fxp", path, "a list of {client: [...], peer: [...]}", ConfigLoader.FXP_KEYS,
                "a mapping with 'client' and 'peer'", this::fxp);
        return new ListenerPolicy(deny, anonymous == null || anonymous, anonymousWrite != null && anonymousWrite,
                rules, dflt, destinationRules(e, path), incoming, fxp);
    }

    /**
     * The items of a list of mappings under {@code key}, each read by {@code read} (given the item and its key
     * path); an item that is no mapping, or that {@code read} leaves out (null), has its problem recorded.
     */
    private <T> List<T> mappings(Map<String, Entry> e, String key, String path, String whatList,
            List<String> keys, String whatItem, BiFunction<MapNode, String, T> read) {
        List<T> out = new ArrayList<>();
        if (!e.containsKey(key)) {
            return out;
        }
        Node n = e.get(key).value();
        if (!(n instanceof Seq s)) {
            report(error(n.pos(), path + "." + key, "expected " + whatList + ", got " + n.kind()));
            return out;
        }
        for (int i = 0; i < s.items().size(); i++) {
            Node item = s.items().get(i);
            String p = path + "." + key + "[" + i + "]";
            MapNode m = attempt(() -> map(item, p, keys, whatItem));
            T t = m == null ? null : read.apply(m, p);
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    private UserRule rule(MapNode rm, String rp) {
        int before = problemCount();
        Map<String, Entry> r = rm.entries();
        if (!r.containsKey("profile")) {
            report(error(rm.pos(), rp + ".profile", "missing; expected the profile this rule selects"));
        }
        String user = opt(r, "user", rp, "a user name or glob", t -> t);
        List<Cidr> clients = optList(r, "client", rp, "address blocks", ConfigValues::cidr);
        List<Cidr> destinations = optList(r, "destination", rp, "address blocks", ConfigValues::cidr);
        String certificate = opt(r, "client-certificate", rp, "a certificate subject or glob", t -> t.strip());
        String profile = opt(r, "profile", rp, "a profile name", t -> t);
        return problemCount() > before ? null : new UserRule(user, clients, destinations, certificate, profile);
    }

    private FxpRule fxp(MapNode fm, String fp) {
        int before = problemCount();
        Map<String, Entry> f = fm.entries();
        if (!f.containsKey("client") || !f.containsKey("peer")) {
            report(error(fm.pos(), fp, "expected both 'client' and 'peer' address blocks"));
        }
        List<Cidr> clients = optList(f, "client", fp, "address blocks", ConfigValues::cidr);
        List<Cidr> peers = optList(f, "peer", fp, "address blocks", ConfigValues::cidr);
        if (problemCount() > before) {
            return null;
        }
        try {
            return new FxpRule(clients, peers);
        } catch (IllegalArgumentException ex) {
            report(error(fm.pos(), fp, ex.getMessage()));
            return null;
        }
    }

    private DestinationRules destinationRules(Map<String, Entry> e, String path) {
        return new DestinationRules(
                optList(e, "deny-destination", path, "address blocks", ConfigValues::cidr),
                optList(e, "allow-destination-hosts", path, "host names or globs", ConfigValues::hostGlob),
                optList(e, "deny-destination-hosts", path, "host names or globs", ConfigValues::hostGlob),
                optList(e, "destination-ports", path, "ports or ranges such as 21 or 2121-2130",
                        ConfigValues::anyPortRange));
    }
}
