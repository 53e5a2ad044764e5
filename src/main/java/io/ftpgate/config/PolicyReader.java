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

/**
 * Reads the policy parts of a configuration: the gateway-wide {@code monitor}, {@code limits} and
 * {@code profiles}, and each listener's access, anonymous, rule, destination, incoming-area and FXP keys.
 */
final class PolicyReader extends TreeReader {

    PolicyReader(String file) {
        super(file);
    }

    /** The top-level monitor, limits and profiles. */
    GatewayPolicy gatewayPolicy(MapNode top) throws ConfigException {
        Map<String, Entry> e = top.entries();
        boolean monitor = e.containsKey("monitor")
                && value(e.get("monitor").value(), "monitor", "true or false", ConfigValues::bool);
        Limits limits = Limits.DEFAULTS;
        if (e.containsKey("limits")) {
            MapNode m = map(e.get("limits").value(), "limits", ConfigLoader.LIMIT_KEYS, "a mapping with keys "
                    + String.join(", ", ConfigLoader.LIMIT_KEYS));
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
        if (!ConfigLoader.NAME.matcher(name).matches()) {
            throw error(entry.keyPos(), path, "expected a profile name of letters, digits, '.', '_' or '-'");
        }
        MapNode m = map(entry.value(), path, ConfigLoader.PROFILE_KEYS, "a mapping with 'allow' or 'deny' and optionally"
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

    /** A listener's policy keys. */
    ListenerPolicy listenerPolicy(Map<String, Entry> e, String path) throws ConfigException {
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
                MapNode rm = map(rs.items().get(i), rp, ConfigLoader.RULE_KEYS, "a rule with 'profile' and optionally"
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
                MapNode fm = map(fs.items().get(i), fp, ConfigLoader.FXP_KEYS, "a mapping with 'client' and 'peer'");
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
}
