package dev.rosetta.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.config.ConfigLoader;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.config.ObservabilityConfig;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.route.ModelRoutes;
import dev.rosetta.route.Route;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Several attempts for one request, as routing makes them (a retry or a failover to another target):
 * each is its own span under the request's, numbered, with its own {@code traceparent}; one the caller
 * left open when starting the next is ended as superseded.
 */
class TracingAttemptsTest {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final Tracing tracing = new Tracing(new ObservabilityConfig.Traces(Optional.of("http://unused"), 1.0, false,
            "test"), SimpleSpanProcessor.create(exporter));
    private final GatewayConfig config = ConfigLoader.parse("""
            providers:
              - {name: ant, type: anthropic, api_key: sk-ant}
              - {name: gem, type: gemini, api_key: AIza-x}
            models:
              - {name: claude-test, provider: ant}
              - {name: gemini-test, provider: gem}
            """, k -> null);

    private static Exchange exchange() {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        HttpServerRequest req = (HttpServerRequest) Proxy.newProxyInstance(HttpServerRequest.class.getClassLoader(),
                new Class<?>[] {HttpServerRequest.class}, (p, m, a) -> switch (m.getName()) {
                    case "headers" -> headers;
                    case "method" -> HttpMethod.POST;
                    case "path" -> "/v1/messages";
                    default -> null;
                });
        Exchange ex = new Exchange(req, "req_1", System.nanoTime());
        ex.endpoint(Endpoint.MESSAGES);
        ex.model("claude-test");
        ex.stream(true);
        return ex;
    }

    @Test
    void aFailoverIsASecondAttemptSpanUnderTheSameRequest() {
        ModelRoutes routes = new ModelRoutes(config);
        Route first = routes.find("claude-test").orElseThrow();
        Route second = routes.find("gemini-test").orElseThrow();
        Exchange ex = exchange();

        ex.attemptStarted();
        MultiMap firstHeaders = MultiMap.caseInsensitiveMultiMap();
        Tracing.Attempt a1 = tracing.attempt(ex, first, firstHeaders, null);
        a1.status(529);
        a1.end(0, "overloaded");
        ex.attemptStarted();
        MultiMap secondHeaders = MultiMap.caseInsensitiveMultiMap();
        tracing.attempt(ex, second, secondHeaders, null).status(200);
        ex.provider("gem");
        ex.upstreamModel("gemini-test");
        ex.status(200);
        tracing.completed(ex); // ends the attempt still open, then the request

        List<SpanData> spans = exporter.getFinishedSpanItems();
        assertThat(spans).hasSize(3);
        SpanData request = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        List<SpanData> attempts = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
        assertThat(attempts).hasSize(2).allSatisfy(a -> assertThat(a.getParentSpanId()).isEqualTo(request.getSpanId()));
        assertThat(attempts.get(0).getAttributes().get(AttributeKey.longKey("rosetta.attempt"))).isEqualTo(1L);
        assertThat(attempts.get(0).getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name"))).isEqualTo("anthropic");
        assertThat(attempts.get(0).getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("overloaded");
        assertThat(attempts.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attempts.get(1).getAttributes().get(AttributeKey.longKey("rosetta.attempt"))).isEqualTo(2L);
        assertThat(attempts.get(1).getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name"))).isEqualTo("gcp.gemini");
        assertThat(attempts.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(request.getAttributes().get(AttributeKey.stringKey("gen_ai.response.model"))).isEqualTo("gemini-test");
        assertThat(firstHeaders.get("traceparent")).contains(attempts.get(0).getSpanId());
        assertThat(secondHeaders.get("traceparent")).contains(attempts.get(1).getSpanId());
    }

    @Test
    void anAttemptLeftOpenIsEndedAsSupersededByTheNext() {
        Route route = new ModelRoutes(config).find("claude-test").orElseThrow();
        Exchange ex = exchange();
        ex.attemptStarted();
        tracing.attempt(ex, route, MultiMap.caseInsensitiveMultiMap(), null);
        ex.attemptStarted();
        tracing.attempt(ex, route, MultiMap.caseInsensitiveMultiMap(), null);
        ex.status(200);
        tracing.completed(ex);
        List<SpanData> attempts = exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("superseded");
    }
}
