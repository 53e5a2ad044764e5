package io.ftpgate.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * The gateway-wide policy, shared by every listener (each also has its own {@link ListenerPolicy}).
 *
 * @param monitor   monitor mode: policy verdicts are logged with {@code "enforced": false} and not applied;
 *                  protocol-safety rules (line limits, NUL, foreign data addresses...) are always applied
 * @param limits    admission limits
 * @param profiles  command profiles by name: the built-ins plus user-defined ones
 */
public record GatewayPolicy(boolean monitor, Limits limits, Map<String, CommandProfile> profiles) {

    /** Enforcing, default limits, built-in profiles only. */
    public static final GatewayPolicy DEFAULTS = new GatewayPolicy(false, Limits.DEFAULTS, CommandProfile.BUILT_IN);

    public GatewayPolicy {
        limits = limits == null ? Limits.DEFAULTS : limits;
        Map<String, CommandProfile> all = new HashMap<>(CommandProfile.BUILT_IN);
        if (profiles != null) {
            all.putAll(profiles);
        }
        profiles = Map.copyOf(all);
    }

    /** The profile called {@code name}; the configuration was checked at load time, so it exists. */
    public CommandProfile profile(String name) {
        CommandProfile p = profiles.get(name);
        return p == null ? CommandProfile.FULL : p;
    }
}
