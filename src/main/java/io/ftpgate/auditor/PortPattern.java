package io.ftpgate.auditor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a server picks its passive ports, judged from the ports of several PASV/EPSV replies in a row:
 * <pre>
 *   40000, 40001, 40002, 40003, 40004, 40005   -&gt; SEQUENTIAL (step 1)
 *   40000, 40000, 40000, 40000                 -&gt; CONSTANT
 *   52113, 50871, 59342, 51007, 57720, 50144   -&gt; RANDOM
 * </pre>
 *
 * @param kind the pattern
 * @param step the common difference for {@link Kind#SEQUENTIAL}, else 0
 * @param min  the lowest port seen
 * @param max  the highest port seen
 */
record PortPattern(Kind kind, int step, int min, int max) {

    /** The patterns. */
    enum Kind {
        /** Each port is the previous one plus a small constant step: the next one can be guessed. */
        SEQUENTIAL,
        /** The same port every time. */
        CONSTANT,
        /** No usable pattern. */
        RANDOM,
        /** Fewer than {@link #MIN_SAMPLES} ports. */
        UNKNOWN
    }

    /** Ports needed for a judgement. */
    static final int MIN_SAMPLES = 3;
    /** The largest step still called sequential: allocators that skip a busy port or two stay predictable. */
    static final int MAX_STEP = 10;
    /**
     * The share of steps that must be equal to call the ports sequential: one wrap-around of a small range
     * ({@code 40003, 40004, 40000}) or one port taken by someone else must not hide the pattern.
     */
    static final double SEQUENTIAL_SHARE = 0.75;

    /** Judges the ports in the order they were advertised. */
    static PortPattern of(List<Integer> ports) {
        if (ports.isEmpty()) {
            return new PortPattern(Kind.UNKNOWN, 0, 0, 0);
        }
        int min = ports.stream().mapToInt(Integer::intValue).min().orElseThrow();
        int max = ports.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (ports.size() < MIN_SAMPLES) {
            return new PortPattern(Kind.UNKNOWN, 0, min, max);
        }
        if (min == max) {
            return new PortPattern(Kind.CONSTANT, 0, min, max);
        }
        Map<Integer, Integer> steps = new HashMap<>();
        for (int i = 1; i < ports.size(); i++) {
            steps.merge(ports.get(i) - ports.get(i - 1), 1, Integer::sum);
        }
        Map.Entry<Integer, Integer> common = steps.entrySet().stream().max(Map.Entry.comparingByValue())
                .orElseThrow();
        int step = common.getKey();
        boolean sequential = step != 0 && Math.abs(step) <= MAX_STEP
                && common.getValue() >= SEQUENTIAL_SHARE * (ports.size() - 1);
        return sequential ? new PortPattern(Kind.SEQUENTIAL, step, min, max)
                : new PortPattern(Kind.RANDOM, 0, min, max);
    }
}
