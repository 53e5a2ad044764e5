package io.ftpgate.admin;

/**
 * Finished transfers and their bytes per second over the last {@link #WINDOW_SECONDS} seconds: the live view's
 * chart. A ring of one slot per second, each stamped with its second, so a quiet second reads as zero without
 * any timer clearing it. Thread-safe (events of different sessions arrive on different event loops).
 */
final class RateHistory {

    /** Five minutes: the live view charts "the last minutes" (issue 15) at one point per second. */
    static final int WINDOW_SECONDS = 300;

    private final long[] stamp = new long[WINDOW_SECONDS];
    private final long[] transfers = new long[WINDOW_SECONDS];
    private final long[] bytes = new long[WINDOW_SECONDS];

    RateHistory() {
        java.util.Arrays.fill(stamp, Long.MIN_VALUE);
    }

    /** One transfer of {@code moved} bytes finished in second {@code epochSecond}. */
    synchronized void record(long epochSecond, long moved) {
        int i = slot(epochSecond);
        if (stamp[i] != epochSecond) {
            stamp[i] = epochSecond;
            transfers[i] = 0;
            bytes[i] = 0;
        }
        transfers[i]++;
        bytes[i] += moved;
    }

    /** The window ending with second {@code nowSecond}, oldest first. */
    synchronized Series series(long nowSecond) {
        long[] t = new long[WINDOW_SECONDS];
        long[] b = new long[WINDOW_SECONDS];
        for (int k = 0; k < WINDOW_SECONDS; k++) {
            long second = nowSecond - WINDOW_SECONDS + 1 + k;
            int i = slot(second);
            if (stamp[i] == second) {
                t[k] = transfers[i];
                b[k] = bytes[i];
            }
        }
        return new Series(nowSecond, t, b);
    }

    private static int slot(long second) {
        return (int) Math.floorMod(second, (long) WINDOW_SECONDS);
    }

    /**
     * Per-second counts, oldest first; the last entry is second {@code end} (Unix time).
     *
     * @param end       the last second of the window
     * @param transfers transfers finished in each second
     * @param bytes     bytes those transfers moved (both directions)
     */
    record Series(long end, long[] transfers, long[] bytes) {
    }
}
