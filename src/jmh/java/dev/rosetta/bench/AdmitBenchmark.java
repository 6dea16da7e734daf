package dev.rosetta.bench;

import dev.rosetta.auth.Admission;
import dev.rosetta.auth.ApiKey;
import dev.rosetta.auth.FailedAuthThrottle;
import dev.rosetta.auth.KeyRing;
import dev.rosetta.auth.KeySecret;
import dev.rosetta.auth.KeySnapshot;
import dev.rosetta.auth.ModelPatterns;
import dev.rosetta.auth.Principal;
import dev.rosetta.auth.Tenant;
import io.vertx.core.MultiMap;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The admit stage's cost per request with {@code auth: keys}: credentials found among the request's
 * headers (an OpenAI-SDK-like set of 10), the checksum checked, the key hashed (SHA-256) and looked up
 * among {@code keys} keys of 10 tenants, the principal's models checked against the request's model.
 * {@code none} is what {@code auth: none} leaves of it: the model check against the anonymous principal.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AdmitBenchmark {

    @State(Scope.Benchmark)
    public static class Keys {
        @Param({"1", "300", "10000"})
        public int keys;

        Admission admission;
        MultiMap headers;
        MultiMap params;
        MultiMap malformed;

        @Setup
        public void setUp() {
            Random random = new Random(42);
            List<Tenant> tenants = new ArrayList<>();
            for (int t = 0; t < 10; t++) {
                tenants.add(new Tenant("tenant-" + t, ModelPatterns.of(List.of("gpt-*", "claude-sonnet-*", "mock-gpt")),
                        Map.of(), false, false));
            }
            List<ApiKey> all = new ArrayList<>();
            String last = "";
            for (int i = 0; i < keys; i++) {
                last = KeySecret.generate(random);
                all.add(new ApiKey("key_" + i, "key-" + i, "tenant-" + (i % 10), KeySecret.visiblePrefix(last),
                        KeySecret.hash(last), i % 2 == 0 ? ModelPatterns.ALL : ModelPatterns.of(List.of("gpt-4o-mini")),
                        Optional.of(Instant.parse("2100-01-01T00:00:00Z")), false, Map.of(), Instant.EPOCH, false));
            }
            admission = new Admission(new KeyRing(KeySnapshot.of(tenants, all)), new FailedAuthThrottle(Clock.systemUTC()),
                    Clock.systemUTC());
            headers = sdkHeaders("Bearer " + last);
            String typo = last.substring(0, 10) + (last.charAt(10) == 'A' ? 'B' : 'A') + last.substring(11);
            malformed = sdkHeaders("Bearer " + typo);
            params = MultiMap.caseInsensitiveMultiMap();
        }

        private static MultiMap sdkHeaders(String authorization) {
            MultiMap h = MultiMap.caseInsensitiveMultiMap();
            h.add("host", "127.0.0.1:8080").add("accept", "application/json").add("content-type", "application/json")
                    .add("user-agent", "OpenAI/Java 4.101.0").add("x-stainless-lang", "java")
                    .add("x-stainless-package-version", "4.101.0").add("x-stainless-os", "Linux")
                    .add("x-stainless-arch", "x64").add("x-stainless-retry-count", "0").add("authorization", authorization)
                    .add("content-length", "4200");
            return h;
        }
    }

    @Benchmark
    public boolean keys(Keys k) {
        Principal p = k.admission.admit(k.headers, k.params, "10.1.2.3");
        return p.mayUse("gpt-4o-mini");
    }

    /** A key with a typo: refused by its checksum, no hash, no lookup (the throttle is not reached: another address each call would be needed). */
    @Benchmark
    public boolean malformedKeyChecksumOnly(Keys k) {
        return KeySecret.wellFormed(k.malformed.get("authorization").substring(7));
    }

    @Benchmark
    public boolean none() {
        return Principal.ANONYMOUS.mayUse("gpt-4o-mini");
    }
}
