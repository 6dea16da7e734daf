package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessLogTimeTest {

    @Test
    void cachedSecondPrefixWritesWhatInstantToStringWrites() {
        long[] seconds = {0, 1_750_000_000L, 1_750_000_001L, 1_750_000_000L, 253_402_300_799L};
        int[] nanos = {0, 1, 999_999_999, 123_000_000, 123_456_000, 123_456_789, 100_000, 1_000, 5_000_000};
        for (long s : seconds) {
            for (int n : nanos) {
                Instant t = Instant.ofEpochSecond(s, n);
                assertThat(AccessLog.appendTime(new StringBuilder(), t).toString()).isEqualTo(t.toString());
            }
        }
    }
}
