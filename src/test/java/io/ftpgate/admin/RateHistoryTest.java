package io.ftpgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The chart's per-second ring: counts land in their second, quiet and stale seconds read as zero. */
class RateHistoryTest {

    @Test
    void countsLandInTheirSecondAndOldOnesFallOut() {
        RateHistory h = new RateHistory();
        h.record(1_000, 10);
        h.record(1_000, 5);
        h.record(1_002, 7);
        RateHistory.Series s = h.series(1_002);
        int n = RateHistory.WINDOW_SECONDS;
        assertThat(s.end()).isEqualTo(1_002);
        assertThat(s.transfers()).hasSize(n);
        assertThat(s.transfers()[n - 1]).isEqualTo(1);
        assertThat(s.transfers()[n - 2]).isZero();
        assertThat(s.transfers()[n - 3]).isEqualTo(2);
        assertThat(s.bytes()[n - 3]).isEqualTo(15);
        assertThat(s.bytes()[n - 1]).isEqualTo(7);

        // A whole window later the slots are reused: the old counts are gone, not added to.
        h.record(1_002 + n, 1);
        RateHistory.Series later = h.series(1_002 + n);
        assertThat(later.transfers()[n - 1]).isEqualTo(1);
        assertThat(later.bytes()[n - 1]).isEqualTo(1);
        assertThat(java.util.Arrays.stream(later.transfers()).sum()).isEqualTo(1);
    }
}
