package dev.rosetta.bench;

import dev.rosetta.config.ConfigLoader;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.config.ObservabilityConfig;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.metrics.GatewayMetrics;
import dev.rosetta.model.Usage;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.route.ModelRoutes;
import dev.rosetta.route.Route;
import dev.rosetta.trace.Tracing;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.Optional;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What observability adds to one request on its event loop. {@code exchange} is the baseline: a
 * finished exchange built (streamed, with usage, a first byte and a tenant). {@code metrics} adds
 * {@link GatewayMetrics#completed} (the series looked up, a counter, the duration, TTFT and time per
 * output token histograms, the token summaries and counters). {@code tracing} adds, at 100% sampling
 * with the batch processor in front of an exporter that drops spans, one attempt span (with its
 * {@code traceparent} written into the upstream headers) and the request span.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ObservabilityBenchmark {

    @State(Scope.Benchmark)
    public static class Setting {
        GatewayMetrics metrics;
        Tracing tracing;
        Route route;
        HttpServerRequest request;
        Usage usage = Usage.fromOpenAi(4200, 1024, 0, 380, 128);
        dev.rosetta.auth.Principal principal = new dev.rosetta.auth.Principal("team-a", "key_1", "ci",
                dev.rosetta.auth.ModelPatterns.ALL, dev.rosetta.auth.ModelPatterns.ALL);

        @Setup
        public void setUp() {
            GatewayConfig config = ConfigLoader.parse("""
                    providers:
                      - {name: oai, type: openai, api_key: sk-x}
                      - {name: ant, type: anthropic, api_key: sk-y}
                    models:
                      - {name: gpt-test, provider: oai}
                      - {name: claude-test, provider: ant}
                    """, k -> null);
            metrics = new GatewayMetrics(config, () -> 0);
            tracing = new Tracing(new ObservabilityConfig.Traces(Optional.of("http://unused"), 1.0, false, "bench"),
                    BatchSpanProcessor.builder(new Drop()).setMaxQueueSize(65_536).build());
            route = new ModelRoutes(config).find("claude-test").orElseThrow();
            MultiMap headers = MultiMap.caseInsensitiveMultiMap();
            request = (HttpServerRequest) Proxy.newProxyInstance(HttpServerRequest.class.getClassLoader(),
                    new Class<?>[] {HttpServerRequest.class}, (p, m, a) -> switch (m.getName()) {
                        case "headers" -> headers;
                        case "method" -> HttpMethod.POST;
                        case "path" -> "/v1/chat/completions";
                        default -> null;
                    });
        }

        @TearDown
        public void tearDown() {
            metrics.close();
            tracing.close();
        }
    }

    /** Drops every span: the export thread is not what is measured. */
    static final class Drop implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    static Exchange finished(Setting s) {
        Exchange ex = new Exchange(s.request, "req_0123456789abcdef_1", System.nanoTime() - 2_000_000);
        ex.endpoint(Endpoint.CHAT_COMPLETIONS);
        ex.model("claude-test");
        ex.provider("ant");
        ex.upstreamModel("claude-test");
        ex.stream(true);
        ex.principal(s.principal);
        ex.markFirstByte();
        ex.usage(s.usage);
        ex.status(200);
        return ex;
    }

    @Benchmark
    public Exchange exchange(Setting s) {
        return finished(s);
    }

    @Benchmark
    public Exchange metrics(Setting s) {
        Exchange ex = finished(s);
        s.metrics.completed(ex);
        return ex;
    }

    @Benchmark
    public Exchange tracing(Setting s) {
        Exchange ex = finished(s);
        MultiMap upstreamHeaders = MultiMap.caseInsensitiveMultiMap();
        Tracing.Attempt a = s.tracing.attempt(ex, s.route, upstreamHeaders, null);
        a.status(200);
        a.end(0, null);
        s.tracing.completed(ex);
        return ex;
    }

}
