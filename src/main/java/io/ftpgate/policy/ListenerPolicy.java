package io.ftpgate.policy;

import io.ftpgate.net.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The session policy of one listener: who may connect, whether anonymous users may log in and write, and
 * which command profile a logged-in user gets.
 *
 * @param denyClient      client blocks refused even when allowed by {@code allow-client}
 * @param anonymous       anonymous login permitted
 * @param anonymousWrite  anonymous users may use write commands (off by default, per the CERT advice)
 * @param rules           user rules, first match wins
 * @param defaultProfile  profile for sessions no rule matches
 * @param destinations    forward placement: destination names, ports and denied blocks
 * @param incoming        server directory where anonymous users may upload but not list, download, rename or
 *                        delete (CERT: "carefully confined" anonymous upload); {@code null} = none
 * @param fxp             selective FXP exceptions (client block, peer block); none by default
 */
public record ListenerPolicy(List<Cidr> denyClient, boolean anonymous, boolean anonymousWrite,
        List<UserRule> rules, String defaultProfile, DestinationRules destinations, String incoming,
        List<FxpRule> fxp) {

    /** Names that mean "anonymous" to FTP servers (RFC 1635). */
    public static final Set<String> ANONYMOUS_USERS = Set.of("anonymous", "ftp");

    /** Defaults: no extra denials, anonymous login allowed but read-only, everything else on profile full. */
    public static final ListenerPolicy DEFAULTS = new ListenerPolicy(List.of(), true, false, List.of(),
            CommandProfile.FULL.name(), DestinationRules.DEFAULTS, null, List.of());

    public ListenerPolicy {
        denyClient = denyClient == null ? List.of() : List.copyOf(denyClient);
        rules = rules == null ? List.of() : List.copyOf(rules);
        defaultProfile = defaultProfile == null ? CommandProfile.FULL.name() : defaultProfile;
        destinations = destinations == null ? DestinationRules.DEFAULTS : destinations;
        fxp = fxp == null ? List.of() : List.copyOf(fxp);
        if (incoming != null && !incoming.startsWith("/")) {
            throw new IllegalArgumentException("anonymous-incoming must be an absolute server path such as /incoming");
        }
    }

    /** A policy without FXP exceptions. */
    public ListenerPolicy(List<Cidr> denyClient, boolean anonymous, boolean anonymousWrite, List<UserRule> rules,
            String defaultProfile, DestinationRules destinations, String incoming) {
        this(denyClient, anonymous, anonymousWrite, rules, defaultProfile, destinations, incoming, List.of());
    }

    /** A policy without an incoming area. */
    public ListenerPolicy(List<Cidr> denyClient, boolean anonymous, boolean anonymousWrite, List<UserRule> rules,
            String defaultProfile, DestinationRules destinations) {
        this(denyClient, anonymous, anonymousWrite, rules, defaultProfile, destinations, null, List.of());
    }

    /** A policy with the default destination rules. */
    public ListenerPolicy(List<Cidr> denyClient, boolean anonymous, boolean anonymousWrite, List<UserRule> rules,
            String defaultProfile) {
        this(denyClient, anonymous, anonymousWrite, rules, defaultProfile, DestinationRules.DEFAULTS, null,
                List.of());
    }

    /** True for the anonymous user names, in any case. */
    public static boolean isAnonymous(String user) {
        return user != null && ANONYMOUS_USERS.contains(user.toLowerCase(Locale.ROOT));
    }

    /** Name of the profile for this user, client, destination and client certificate subject (or null). */
    public String profileFor(String user, InetAddress client, InetAddress destination, String certificateSubject) {
        for (UserRule r : rules) {
            if (r.matches(user, client, destination, certificateSubject)) {
                return r.profile();
            }
        }
        return defaultProfile;
    }

    /** Every profile name this policy refers to (checked against the known profiles at load time). */
    public Set<String> profileNames() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        names.add(defaultProfile);
        rules.forEach(r -> names.add(r.profile()));
        return names;
    }

    /** Throws when a referenced profile is not in {@code profiles}. */
    public void checkProfiles(Map<String, CommandProfile> profiles) {
        for (String n : profileNames()) {
            if (!profiles.containsKey(n)) {
                throw new IllegalArgumentException("unknown profile '" + n + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(profiles.keySet())) + ")");
            }
        }
    }
}
