package dev.rosetta.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.config.ObservabilityConfig;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The spans of requests through the whole gateway, caught by the SDK's in-memory exporter: a server
 * span per request, a client span per upstream attempt under it, GenAI attributes, W3C trace context
 * in from the client and out to the provider.
 */
class TracingOverHttpTest {

    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_PARENT = "00f067aa0ba902b7";

    private final FakeUpstream upstream = new FakeUpstream();
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private TestGateway gateway;

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private void start(boolean captureContent) {
        Tracing tracing = new Tracing(new ObservabilityConfig.Traces(Optional.of("http://unused"), 1.0, captureContent,
                "rosetta-test"), SimpleSpanProcessor.create(exporter));
        gateway = TestGateway.startTraced("""
                port: 0
                providers:
                  - name: ant
                    type: anthropic
                    base_url: %1$s
                    api_key: ${ANTHROPIC_API_KEY}
                models:
                  - name: claude-test
                    provider: ant
                    upstream_model: claude-upstream
                """.formatted(upstream.baseUrl()), tracing);
        upstream.answer(r -> Reply.sse(ProviderAnswers.stream(Dialect.ANTHROPIC, "bonjour")));
    }

    private HttpResponse<String> convertedStream(String prompt) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway.url()
                        + DialectClient.path(Dialect.OPENAI_CHAT, "claude-test", true)))
                .header("content-type", "application/json")
                .header("traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_PARENT + "-01")
                .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(Dialect.OPENAI_CHAT, "claude-test", true,
                        prompt)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<SpanData> spans(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (exporter.getFinishedSpanItems().size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10); // the request span ends on the event loop just after the answer's last byte
        }
        return exporter.getFinishedSpanItems();
    }

    @Test
    void aConvertedStreamedRequestIsOneServerSpanOverOneAttemptWithGenAiAttributes() throws Exception {
        start(false);
        HttpResponse<String> r = convertedStream("a secret prompt");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("bonjour");

        List<SpanData> spans = spans(2);
        assertThat(spans).hasSize(2);
        SpanData request = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        SpanData attempt = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();

        // the client's trace continues: same trace id, its span is the request span's parent
        assertThat(request.getTraceId()).isEqualTo(CLIENT_TRACE);
        assertThat(request.getParentSpanId()).isEqualTo(CLIENT_PARENT);
        assertThat(attempt.getTraceId()).isEqualTo(CLIENT_TRACE);
        assertThat(attempt.getParentSpanId()).isEqualTo(request.getSpanId());
        assertThat(request.getName()).isEqualTo("POST /v1/chat/completions");
        assertThat(attempt.getName()).isEqualTo("chat claude-upstream");

        assertThat(request.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name"))).isEqualTo("chat");
        assertThat(request.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model"))).isEqualTo("claude-test");
        assertThat(request.getAttributes().get(AttributeKey.stringKey("gen_ai.response.model"))).isEqualTo("claude-upstream");
        assertThat(request.getAttributes().get(AttributeKey.stringKey("rosetta.client.dialect"))).isEqualTo("openai_chat");
        assertThat(request.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens"))).isEqualTo(1L);
        assertThat(request.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens"))).isEqualTo(2L);
        assertThat(request.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
        assertThat(request.getAttributes().get(AttributeKey.booleanKey("rosetta.stream"))).isTrue();
        assertThat(request.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name"))).isEqualTo("anthropic");
        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("rosetta.provider"))).isEqualTo("ant");
        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model"))).isEqualTo("claude-upstream");
        assertThat(attempt.getAttributes().get(AttributeKey.longKey("rosetta.attempt"))).isEqualTo(1L);
        assertThat(attempt.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("server.address"))).isEqualTo("127.0.0.1");
        // the attempt lies within the request
        assertThat(attempt.getStartEpochNanos()).isGreaterThanOrEqualTo(request.getStartEpochNanos());
        assertThat(attempt.getEndEpochNanos()).isLessThanOrEqualTo(request.getEndEpochNanos());

        // the provider got the attempt's context, not the client's header
        String sent = upstream.take().headers().get("traceparent");
        assertThat(sent).isEqualTo("00-" + CLIENT_TRACE + "-" + attempt.getSpanId() + "-01");

        // no prompt or answer text without capture_content
        assertThat(spans).allSatisfy(s -> s.getAttributes().forEach((k, v) ->
                assertThat(String.valueOf(v)).doesNotContain("secret prompt").doesNotContain("bonjour")));
    }

    @Test
    void aConvertedStreamWithOneFailoverIsOneServerSpanOverTwoAttempts() throws Exception {
        Tracing tracing = new Tracing(new ObservabilityConfig.Traces(Optional.of("http://unused"), 1.0, false,
                "rosetta-test"), SimpleSpanProcessor.create(exporter));
        gateway = TestGateway.startTraced("""
                port: 0
                providers:
                  - name: ant-down
                    type: anthropic
                    base_url: %1$s/down
                    api_key: ${ANTHROPIC_API_KEY}
                  - name: ant
                    type: anthropic
                    base_url: %1$s
                    api_key: ${ANTHROPIC_API_KEY}
                models:
                  - name: claude-test
                    targets:
                      - {provider: ant-down, upstream_model: claude-overloaded}
                      - {provider: ant, upstream_model: claude-upstream}
                """.formatted(upstream.baseUrl()), tracing);
        upstream.answer(r -> r.path().startsWith("/down/")
                ? Reply.json(529, ProviderAnswers.error(Dialect.ANTHROPIC, 529, "Overloaded"))
                : Reply.sse(ProviderAnswers.stream(Dialect.ANTHROPIC, "bonjour")));

        HttpResponse<String> r = convertedStream("fail over, please");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("bonjour");

        List<SpanData> spans = spans(3);
        assertThat(spans).hasSize(3);
        SpanData request = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        List<SpanData> attempts = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT)
                .sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
        assertThat(attempts).hasSize(2).allSatisfy(a -> {
            assertThat(a.getTraceId()).isEqualTo(CLIENT_TRACE);
            assertThat(a.getParentSpanId()).isEqualTo(request.getSpanId());
            assertThat(a.getStartEpochNanos()).isGreaterThanOrEqualTo(request.getStartEpochNanos());
            assertThat(a.getEndEpochNanos()).isLessThanOrEqualTo(request.getEndEpochNanos());
        });
        SpanData failed = attempts.get(0);
        SpanData won = attempts.get(1);
        assertThat(failed.getName()).isEqualTo("chat claude-overloaded");
        assertThat(failed.getAttributes().get(AttributeKey.stringKey("rosetta.provider"))).isEqualTo("ant-down");
        assertThat(failed.getAttributes().get(AttributeKey.longKey("rosetta.attempt"))).isEqualTo(1L);
        assertThat(failed.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(529L);
        assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(won.getName()).isEqualTo("chat claude-upstream");
        assertThat(won.getAttributes().get(AttributeKey.stringKey("rosetta.provider"))).isEqualTo("ant");
        assertThat(won.getAttributes().get(AttributeKey.longKey("rosetta.attempt"))).isEqualTo(2L);
        assertThat(won.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
        assertThat(won.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
        // the request succeeded through its second attempt and names the model that answered
        assertThat(request.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(request.getAttributes().get(AttributeKey.stringKey("gen_ai.response.model"))).isEqualTo("claude-upstream");
        assertThat(request.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens"))).isEqualTo(2L);
    }

    @Test
    void captureContentRecordsTheRequestSentUpstream() throws Exception {
        start(true);
        assertThat(convertedStream("a prompt to keep").statusCode()).isEqualTo(200);
        SpanData attempt = spans(2).stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("gen_ai.input.messages"))).contains("a prompt to keep");
    }

    @Test
    void theConfiguredOtlpEndpointReceivesTheSpansAsProtobuf() throws Exception {
        FakeUpstream collector = new FakeUpstream();
        try {
            collector.answer(r -> Reply.json(200, "{}"));
            gateway = TestGateway.start("""
                    port: 0
                    traces: {endpoint: "%s/v1/traces", sampling: 1.0}
                    providers:
                      - name: mock
                        type: mock
                    models:
                      - name: mock-gpt
                        provider: mock
                    """.formatted(collector.baseUrl()));
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway.url()
                            + DialectClient.path(Dialect.OPENAI_CHAT, "mock-gpt", false)))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(Dialect.OPENAI_CHAT, "mock-gpt", false, "hi")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            gateway.close(); // flushes the batch
            gateway = null;
            FakeUpstream.Recorded export = collector.take();
            assertThat(export.method()).isEqualTo("POST");
            assertThat(export.path()).isEqualTo("/v1/traces");
            assertThat(export.headers().get("content-type")).isEqualTo("application/x-protobuf");
            // the protobuf carries the span's names and attribute keys as plain strings
            assertThat(new String(export.body(), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .contains("POST /v1/chat/completions").contains("gen_ai.request.model").contains("mock-gpt");
        } finally {
            collector.close();
        }
    }

    @Test
    void aFailedAttemptAndItsRequestAreErrors() throws Exception {
        start(false);
        upstream.answer(r -> Reply.json(529, ProviderAnswers.error(Dialect.ANTHROPIC, 529, "overloaded")));
        HttpResponse<String> r = convertedStream("x");
        assertThat(r.statusCode()).isGreaterThanOrEqualTo(500);
        List<SpanData> spans = spans(2);
        assertThat(spans).hasSize(2).allSatisfy(s -> assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR));
    }
}
