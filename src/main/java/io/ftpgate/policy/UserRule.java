package io.ftpgate.policy;

import io.ftpgate.net.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One rule of a listener's user policy: who (user name, exact or glob with {@code *} and {@code ?}), from
 * where (client blocks) and to where (destination blocks, forward placement) selects which command profile.
 * The first matching rule wins; an empty list matches anything.
 *
 * @param user         user name or glob ({@code null} = any user)
 * @param clients      client address blocks
 * @param destinations destination address blocks
 * @param certificate  subject (or glob) of the client's TLS certificate, e.g. {@code CN=ops-*,O=Example}
 *                     ({@code null} = any, including none); a session without a client certificate never matches
 *                     a rule that names one
 * @param profile      name of the profile selected
 */
public record UserRule(String user, List<Cidr> clients, List<Cidr> destinations, String certificate,
        String profile) {

    public UserRule {
        clients = clients == null ? List.of() : List.copyOf(clients);
        destinations = destinations == null ? List.of() : List.copyOf(destinations);
    }

    /** A rule that does not look at client certificates. */
    public UserRule(String user, List<Cidr> clients, List<Cidr> destinations, String profile) {
        this(user, clients, destinations, null, profile);
    }

    /**
     * True when this rule applies to the session. User names compare case-insensitively, as servers do;
     * {@code certificateSubject} is the client certificate's subject, or null.
     */
    public boolean matches(String userName, InetAddress client, InetAddress destination, String certificateSubject) {
        if (certificate != null
                && (certificateSubject == null || !glob(certificate).matcher(certificateSubject).matches())) {
            return false;
        }
        if (user != null && (userName == null || !glob(user).matcher(userName).matches())) {
            return false;
        }
        if (!clients.isEmpty() && !Cidr.anyContains(clients, client)) {
            return false;
        }
        return destinations.isEmpty() || (destination != null && Cidr.anyContains(destinations, destination));
    }

    /** Compiles a user glob: {@code *} any run, {@code ?} one character, everything else literal. */
    static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char c : g.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    @Override
    public String toString() {
        return "user " + (user == null ? "*" : user.toLowerCase(Locale.ROOT)) + " -> " + profile;
    }
}
