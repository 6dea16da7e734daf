package dev.rosetta.bench;

import dev.rosetta.pipeline.Exchange;
import io.vertx.core.MultiMap;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Function;

/**
 * CPU time per request of {@link ObservabilityBenchmark}'s three operations, from the thread's own CPU
 * clock: on a shared, loaded machine the wall time JMH reports includes time the thread waited for a
 * core, this does not. {@code java -cp target/benchmarks.jar dev.rosetta.bench.ObservabilityCpu}.
 */
public final class ObservabilityCpu {

    private ObservabilityCpu() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        ObservabilityBenchmark.Setting s = new ObservabilityBenchmark.Setting();
        s.setUp();
        try {
            Function<ObservabilityBenchmark.Setting, Exchange> exchange = ObservabilityBenchmark::finished;
            Function<ObservabilityBenchmark.Setting, Exchange> metrics = x -> {
                Exchange ex = ObservabilityBenchmark.finished(x);
                x.metrics.completed(ex);
                return ex;
            };
            Function<ObservabilityBenchmark.Setting, Exchange> tracing = x -> {
                Exchange ex = ObservabilityBenchmark.finished(x);
                var a = x.tracing.attempt(ex, x.route, MultiMap.caseInsensitiveMultiMap(), null);
                a.end(200, null);
                x.tracing.completed(ex);
                return ex;
            };
            for (int round = 0; round < 3; round++) {
                double base = cpu(s, exchange, n);
                double m = cpu(s, metrics, n);
                double t = cpu(s, tracing, n / 4);
                System.out.printf("round %d: exchange %.0f ns, metrics %.0f ns (+%.0f), tracing %.0f ns (+%.0f) CPU per request%n",
                        round, base, m, m - base, t, t - base);
            }
        } finally {
            s.tearDown();
        }
    }

    private static double cpu(ObservabilityBenchmark.Setting s, Function<ObservabilityBenchmark.Setting, Exchange> op, int n) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sink = 0;
        long start = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            sink += op.apply(s).status();
        }
        long used = mx.getCurrentThreadCpuTime() - start;
        if (sink == 42) {
            System.out.print("");
        }
        return (double) used / n;
    }
}
