package dev.rosetta.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import io.vertx.core.MultiMap;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RateHeadersTest {

    @Test
    void resetsAreWrittenTheWayOpenAiWritesThem() {
        assertThat(RateHeaders.duration(20)).isEqualTo("20ms");
        assertThat(RateHeaders.duration(1000)).isEqualTo("1s");
        assertThat(RateHeaders.duration(1500)).isEqualTo("1.5s");
        assertThat(RateHeaders.duration(1250)).isEqualTo("1.25s");
        assertThat(RateHeaders.duration(1005)).isEqualTo("1.005s");
        assertThat(RateHeaders.duration(360_000)).isEqualTo("6m0s");
        assertThat(RateHeaders.duration(3_723_000)).isEqualTo("1h2m3s");
        assertThat(RateHeaders.duration(3_600_050)).isEqualTo("1h0m0.05s");
    }

    @Property
    void aResetReadsBackAsTheSameMilliseconds(@ForAll @LongRange(min = 0, max = 400_000_000) long millis) {
        assertThat(RateHeaders.durationMillis(RateHeaders.duration(millis))).isEqualTo(millis);
    }

    @Property
    void anthropicResetsAreWrittenAsInstantWritesAWholeSecond(
            @ForAll @LongRange(min = -70_000_000_000L, max = 300_000_000_000L) long epochSecond) {
        // from year -248 to 11476: the four-digit years written by hand, the others handed to Instant
        assertThat(RateHeaders.rfc3339(epochSecond)).isEqualTo(java.time.Instant.ofEpochSecond(epochSecond).toString());
    }

    @Test
    void eachDialectGetsItsOwnNamesWithTheTightestBucketOfEachKind() {
        Bucket rpm = new Bucket("key:k:rpm:60", Bucket.Unit.REQUESTS, 60, 60_000);
        Bucket tenantRpm = new Bucket("tenant:t:rpm:600", Bucket.Unit.REQUESTS, 600, 60_000);
        Bucket tpm = new Bucket("key:k:tpm:1000", Bucket.Unit.TOKENS, 1000, 60_000);
        List<Quota> quotas = List.of(new Quota(rpm, 59, 1000), new Quota(tenantRpm, 9, 60_000), new Quota(tpm, 800, 12_000));
        MultiMap openai = MultiMap.caseInsensitiveMultiMap();
        RateHeaders.write(openai, Dialect.OPENAI_CHAT, quotas, 0);
        assertThat(openai.get("x-ratelimit-limit-requests")).isEqualTo("600");
        assertThat(openai.get("x-ratelimit-remaining-requests")).isEqualTo("9");
        assertThat(openai.get("x-ratelimit-reset-requests")).isEqualTo("1m0s");
        assertThat(openai.get("x-ratelimit-remaining-tokens")).isEqualTo("800");
        assertThat(openai.get("x-ratelimit-reset-tokens")).isEqualTo("12s");
        MultiMap anthropic = MultiMap.caseInsensitiveMultiMap();
        RateHeaders.write(anthropic, Dialect.ANTHROPIC, quotas, 1_764_547_200_000L);
        assertThat(anthropic.get("anthropic-ratelimit-requests-limit")).isEqualTo("600");
        assertThat(anthropic.get("anthropic-ratelimit-requests-remaining")).isEqualTo("9");
        assertThat(anthropic.get("anthropic-ratelimit-tokens-reset")).isEqualTo("2025-12-01T00:00:12Z");
        assertThat(anthropic.names()).noneMatch(n -> n.startsWith("x-ratelimit"));
    }

    @Test
    void anthropicResetsFollowTheClockFromRequestToRequest() {
        // the text of the last reset second is kept for the next request: a later second must not get it
        Bucket rpm = new Bucket("key:k:rpm:60", Bucket.Unit.REQUESTS, 60, 60_000);
        long t0 = 1_764_547_200_000L;
        long[] nows = {t0, t0 + 10, t0 + 1_500, t0 + 1_500, t0 - 60_000, t0 + 86_400_000};
        String[] expected = {"2025-12-01T00:00:01Z", "2025-12-01T00:00:02Z", "2025-12-01T00:00:03Z",
            "2025-12-01T00:00:03Z", "2025-11-30T23:59:01Z", "2025-12-02T00:00:01Z"};
        for (int i = 0; i < nows.length; i++) {
            MultiMap out = MultiMap.caseInsensitiveMultiMap();
            RateHeaders.write(out, Dialect.ANTHROPIC, List.of(new Quota(rpm, 59, 1000)), nows[i]);
            assertThat(out.get("anthropic-ratelimit-requests-reset")).as("request %d", i).isEqualTo(expected[i]);
        }
    }
}
