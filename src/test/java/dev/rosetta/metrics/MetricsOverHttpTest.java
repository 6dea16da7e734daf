package dev.rosetta.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} after a scripted mix of requests, parsed as Prometheus text. */
class MetricsOverHttpTest {

    private final FakeUpstream upstream = new FakeUpstream();
    private TestGateway gateway;

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private DialectClient start(String metrics) {
        gateway = TestGateway.start("""
                port: 0
                %2$s
                providers:
                  - name: oai
                    type: openai
                    base_url: %1$s/v1
                    api_key: ${OPENAI_API_KEY}
                  - name: ant
                    type: anthropic
                    base_url: %1$s
                    api_key: ${ANTHROPIC_API_KEY}
                models:
                  - name: gpt-test
                    provider: oai
                  - name: claude-test
                    provider: ant
                    limits: {rpm: 1}
                """.formatted(upstream.baseUrl(), metrics));
        upstream.answer(r -> {
            Dialect d = ProviderAnswers.dialectOf(r.path());
            if (r.bodyText().contains("FAIL")) {
                return Reply.json(500, ProviderAnswers.error(d, 500, "boom"));
            }
            if (ProviderAnswers.streamed(r.path(), r.bodyText())) {
                return Reply.sse(ProviderAnswers.stream(d, "hi"));
            }
            return Reply.json(200, ProviderAnswers.json(d, "hi"));
        });
        return new DialectClient(gateway.url());
    }

    private String scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return r.body();
    }

    private void scriptedMix(DialectClient client) {
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "passthrough").status()).isEqualTo(200);
        assertThat(client.send(Dialect.ANTHROPIC, "gpt-test", false, "converted").status()).isEqualTo(200);
        assertThat(client.send(Dialect.ANTHROPIC, "gpt-test", true, "converted streamed").status()).isEqualTo(200);
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", true, "streamed").status()).isEqualTo(200);
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "FAIL").status()).isEqualTo(500);
        assertThat(client.send(Dialect.ANTHROPIC, "claude-test", false, "first").status()).isEqualTo(200);
        assertThat(client.send(Dialect.ANTHROPIC, "claude-test", false, "limited").status()).isEqualTo(429);
        // a model nobody configured, named like a secret: counted as "other", never as its name
        assertThat(client.send(Dialect.OPENAI_CHAT, "sk-live-SECRET-model-9f8e", false, "unknown").status())
                .isEqualTo(404);
    }

    @Test
    void aMixOfRequestsIsCountedByDialectProviderModelAndOutcome() throws Exception {
        DialectClient client = start("");
        scriptedMix(client);
        System.gc(); // Micrometer holds gauge objects weakly: a gauge must still read after a collection
        PrometheusText m = PrometheusText.parse(scrape(gateway.port()));

        assertThat(m.types).containsEntry("rosetta_requests_total", "counter")
                .containsEntry("gen_ai_client_operation_duration_seconds", "histogram")
                .containsEntry("gen_ai_server_time_to_first_token_seconds", "histogram")
                .containsEntry("gen_ai_client_token_usage", "histogram");
        assertThat(m.sum("rosetta_requests_total", "dialect", "openai_chat", "provider", "oai", "model", "gpt-test",
                "status_class", "2xx", "outcome", "success", "stream", "false")).isEqualTo(1);
        assertThat(m.sum("rosetta_requests_total", "dialect", "anthropic", "provider", "oai", "model", "gpt-test",
                "outcome", "success")).isEqualTo(2);
        assertThat(m.sum("rosetta_requests_total", "stream", "true", "outcome", "success")).isEqualTo(2);
        assertThat(m.sum("rosetta_requests_total", "model", "gpt-test", "status_class", "5xx", "outcome", "error"))
                .isEqualTo(1);
        assertThat(m.sum("rosetta_requests_total", "provider", "ant", "model", "claude-test", "status_class", "4xx",
                "outcome", "rate_limited")).isEqualTo(1);
        assertThat(m.sum("rosetta_signals_total", "signal", "rate_limited", "model", "claude-test")).isEqualTo(1);
        assertThat(m.sum("rosetta_requests_total", "model", "other", "provider", "other", "status_class", "4xx"))
                .isEqualTo(1);
        assertThat(m.sum("rosetta_requests_total")).isEqualTo(8);

        // GenAI semantic conventions: duration histogram by operation/provider/model; TTFT for streams only
        assertThat(m.sum("gen_ai_client_operation_duration_seconds_count", "gen_ai_operation_name", "chat",
                "gen_ai_provider_name", "openai", "gen_ai_request_model", "gpt-test")).isEqualTo(5);
        assertThat(m.sum("gen_ai_server_time_to_first_token_seconds_count", "gen_ai_request_model", "gpt-test"))
                .isEqualTo(2);
        assertThat(m.sum("gen_ai_client_token_usage_count", "gen_ai_token_type", "input", "gen_ai_request_model",
                "claude-test")).isEqualTo(1);
        assertThat(m.sum("rosetta_tokens_total", "type", "output", "model", "claude-test")).isEqualTo(1);
        assertThat(m.sum("rosetta_tokens_total", "type", "input")).isGreaterThanOrEqualTo(3);
        // the request in flight is the scrape itself, which is no model request: zero
        assertThat(m.sum("rosetta_requests_in_flight")).isZero();
        assertThat(m.find("jvm_memory_used_bytes")).isNotEmpty();
        assertThat(m.find("process_cpu_usage")).isNotEmpty();
        // no tenant label unless asked for
        assertThat(m.samples).allSatisfy(s -> assertThat(s.labels()).doesNotContainKey("tenant"));
        assertNoSecretIn(m);
    }

    @Test
    void cacheHitsFailoversAndTheCacheStoreAreCounted() throws Exception {
        gateway = TestGateway.start("""
                port: 0
                cache: {enabled: true}
                providers:
                  - name: oai
                    type: openai
                    base_url: %1$s/v1
                    api_key: ${OPENAI_API_KEY}
                  - name: down
                    type: openai
                    base_url: %1$s/down/v1
                    api_key: ${OPENAI_API_KEY}
                models:
                  - name: gpt-test
                    provider: oai
                  - name: smart
                    cache: {enabled: false}
                    targets:
                      - {provider: down, upstream_model: gpt-down}
                      - {provider: oai, upstream_model: gpt-up}
                """.formatted(upstream.baseUrl()));
        upstream.answer(r -> r.path().startsWith("/down/")
                ? Reply.json(503, ProviderAnswers.error(Dialect.OPENAI_CHAT, 503, "overloaded"))
                : Reply.json(200, ProviderAnswers.json(Dialect.OPENAI_CHAT, "hi")));
        DialectClient client = new DialectClient(gateway.url());
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "same question").status()).isEqualTo(200);
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "same question").status()).isEqualTo(200);
        assertThat(client.send(Dialect.OPENAI_CHAT, "smart", false, "fail over").status()).isEqualTo(200);

        PrometheusText m = PrometheusText.parse(scrape(gateway.port()));
        assertThat(m.sum("rosetta_signals_total", "signal", "cache_miss", "model", "gpt-test")).isEqualTo(1);
        assertThat(m.sum("rosetta_signals_total", "signal", "cache_hit", "model", "gpt-test"))
                .isEqualTo(1);
        assertThat(m.sum("rosetta_signals_total", "signal", "failover")).isEqualTo(1);
        assertThat(m.sum("rosetta_cache_entries")).isEqualTo(1);
        assertThat(m.sum("rosetta_cache_size_bytes")).isPositive();
        assertNoSecretIn(m);
    }

    @Test
    void tenantLabelsAndAPortOfItsOwnOnlyWhenConfigured() throws Exception {
        gateway = TestGateway.start(TestGateway.KEYS_YAML.replace("port: 0", "port: 0\nmetrics: {tenant_labels: true, port: 0}"));
        HttpResponse<String> answered = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.url() + DialectClient.path(Dialect.OPENAI_CHAT, "mock-gpt", false)))
                .header("authorization", "Bearer " + TestGateway.GATEWAY_KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(Dialect.OPENAI_CHAT, "mock-gpt", false, "hello")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answered.statusCode()).isEqualTo(200);
        int port = gateway.gateway().observability().metricsPort();
        assertThat(port).isPositive().isNotEqualTo(gateway.port());
        HttpResponse<String> main = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(gateway.url() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(main.statusCode()).isEqualTo(404);
        System.gc();
        PrometheusText m = PrometheusText.parse(scrape(port));
        assertThat(m.find("rosetta_requests_total")).isNotEmpty()
                .allSatisfy(s -> assertThat(s.labels()).containsKey("tenant"));
        assertThat(m.sum("rosetta_requests_total", "tenant", "team-a")).isEqualTo(1);
        assertThat(m.sum("rosetta_ledger_queue_depth")).isBetween(0.0, 1.0);
        assertThat(m.sum("rosetta_requests_in_flight")).isZero();
        assertThat(m.find("rosetta_ledger_records_dropped_total")).isNotEmpty();
        assertNoSecretIn(m);
    }

    @Test
    void metricsFalseServesNoEndpoint() throws Exception {
        start("metrics: false");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(gateway.url() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(gateway.gateway().observability().metrics()).isEmpty();
    }

    private static void assertNoSecretIn(PrometheusText m) {
        assertThat(m.samples).allSatisfy(s -> s.labels().values().forEach(v -> assertThat(v)
                .doesNotContain("SECRET").doesNotContain(TestGateway.OPENAI_KEY).doesNotContain(TestGateway.ANTHROPIC_KEY)
                .doesNotContain(TestGateway.GATEWAY_KEY).doesNotContain(TestGateway.ADMIN_KEY)
                .doesNotStartWith("req_").doesNotStartWith("rk-")));
    }
}
