package dev.rosetta.route;

import dev.rosetta.config.ConfigLoader;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.ledger.PriceTable;
import dev.rosetta.pipeline.AttemptFailure;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
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
 * The route stage's own work per request, without the network: for a plain model, finding that it is
 * not routed ({@code singleTarget}); for a two-target group whose first target is healthy, ordering the
 * targets, the breaker's permission, the attempt's route, and the success to the breaker and latency
 * average ({@code twoTargetsFirstHealthy}); and when the first answers 503 at once, its failure judged
 * and counted and the second tried ({@code twoTargetsFirstFails503}; its breaker opens every 20 calls and is
 * then reset, which is part of the row).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteBenchmark {

    @State(Scope.Benchmark)
    public static class Stage {
        Routing routing;
        Health health;
        Route plain;
        Route grouped;
        ModelGroup group;
        GatewayConfig config;
        SplittableRandom random = new SplittableRandom(1);
        AttemptFailure unavailable = new AttemptFailure(503,
                GatewayError.of(ErrorKind.UNAVAILABLE, "upstream provider a answered HTTP 503"));

        @Setup
        public void setUp() {
            config = ConfigLoader.parse("""
                    providers:
                      - {name: a, type: anthropic, api_key: k1}
                      - {name: b, type: openai, api_key: k2}
                    models:
                      - {name: plain, provider: a, upstream_model: claude-sonnet-4-5}
                      - name: smart
                        targets:
                          - {provider: a, upstream_model: claude-sonnet-4-5}
                          - {provider: b, upstream_model: gpt-5}
                    routing:
                      breaker: {window: 20, min_calls: 20, failure_rate: 100}
                    """, Map.<String, String>of()::get);
            routing = new Routing(config, PriceTable.shippedOnly());
            health = new Health(config.routing(), Clock.systemUTC());
            ModelRoutes routes = new ModelRoutes(config);
            plain = routes.find("plain").orElseThrow();
            grouped = routes.find("smart").orElseThrow();
            group = routing.routed(grouped);
        }
    }

    @Benchmark
    public Object singleTarget(Stage s) {
        return s.routing.routed(s.plain);
    }

    @Benchmark
    public Route twoTargetsFirstHealthy(Stage s) {
        ModelGroup g = s.routing.routed(s.grouped);
        List<Target> order = Strategies.order(g.strategy(), g.targets(), s.health, s.random);
        return attempt(s, g, order.get(0), true);
    }

    @Benchmark
    public Route twoTargetsFirstFails503(Stage s) {
        ModelGroup g = s.routing.routed(s.grouped);
        List<Target> order = Strategies.order(g.strategy(), g.targets(), s.health, s.random);
        attempt(s, g, order.get(0), false);
        return attempt(s, g, order.get(1), true);
    }

    private static Route attempt(Stage s, ModelGroup g, Target t, boolean ok) {
        TargetHealth h = s.health.of(t);
        if (!h.tryAcquire()) {
            // the always-failing target's breaker opened (once per 20 calls): closed again, as if it had cooled
            h.reset();
            h.tryAcquire();
        }
        h.started();
        Route r = g.route(t, "smart", Optional.empty());
        if (ok) {
            h.succeeded(1_000_000);
        } else if (Failures.of(s.unavailable) == Failures.Verdict.RETRY) {
            h.failed(1_000_000);
        }
        h.ended();
        return r;
    }
}
