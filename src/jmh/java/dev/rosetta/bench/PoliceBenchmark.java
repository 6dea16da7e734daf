package dev.rosetta.bench;

import dev.rosetta.auth.ModelPatterns;
import dev.rosetta.auth.Principal;
import dev.rosetta.config.LimiterConfig;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.limits.Decision;
import dev.rosetta.limits.InProcessLimiter;
import dev.rosetta.limits.LimitPolicy;
import dev.rosetta.limits.Limits;
import dev.rosetta.limits.Police;
import dev.rosetta.limits.RateHeaders;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The police stage's cost per request with the in-process limiter: the charges built for a key with
 * {@code rpm} and {@code tpm} and its tenant with {@code rpm} (tokens estimated from a 4 KB body and
 * its {@code max_tokens}), reserved all-or-nothing, the remaining quota written as OpenAI headers, and
 * the reservation settled with the real usage as the completion hook does. Limits are high enough that
 * every request is granted. {@code keyWithoutLimits} is what {@code auth: keys} costs for a key with
 * none (the stage is in the chain since the admin API may add limits).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PoliceBenchmark {

    @State(Scope.Benchmark)
    public static class Stage {
        Police police;
        InProcessLimiter limiter;
        Principal limited;
        Principal unlimited;
        byte[] body;
        long n;

        @Setup
        public void setUp() {
            limiter = new InProcessLimiter();
            police = new Police(limiter, LimiterConfig.NONE, Clock.systemUTC(), null);
            limited = new Principal("tenant-1", "key_1", "key-1", ModelPatterns.ALL, ModelPatterns.ALL, true,
                    new LimitPolicy(new Limits(1_000_000_000L, 0, 0, 0), List.of()),
                    new LimitPolicy(new Limits(1_000_000_000L, 1_000_000_000_000L, 0, 0), List.of()));
            unlimited = new Principal("tenant-1", "key_2", "key-2", ModelPatterns.ALL, ModelPatterns.ALL);
            StringBuilder sb = new StringBuilder("{\"model\":\"gpt-4o-mini\",\"max_tokens\":512,\"messages\":[");
            while (sb.length() < 4000) {
                sb.append("{\"role\":\"user\",\"content\":\"Tell me about the weather in Lisbon today, please.\"},");
            }
            sb.append("{\"role\":\"user\",\"content\":\"hi\"}]}");
            body = sb.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    @Benchmark
    public MultiMap keyWithRpmTpmAndTenantRpm(Stage s) {
        long now = System.currentTimeMillis();
        Decision.Granted g = (Decision.Granted) s.police.reserve(s.limited, "gpt-4o-mini", "openai", s.body.length, 512,
                "req_" + (++s.n), now).result();
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        RateHeaders.write(headers, Dialect.OPENAI_CHAT, g.quotas(), now);
        s.limiter.settle(g.reservation(), 700, now);
        return headers;
    }

    @Benchmark
    public Object keyWithoutLimits(Stage s) {
        return s.police.reserve(s.unlimited, "gpt-4o-mini", "openai", s.body.length, 512, "req", 0);
    }
}
