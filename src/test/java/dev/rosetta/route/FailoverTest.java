package dev.rosetta.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A model served by two Anthropic targets ({@code a} then {@code b}, ordered) and what the client sees
 * when the first fails in each way: failed over before the first byte, never after it, never for a bad
 * request; retry-after, breakers and key pools counted in a clock the test moves.
 */
class FailoverTest {

    static final String MESSAGE = "{\"id\":\"msg_b\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-b\","
            + "\"content\":[{\"type\":\"text\",\"text\":\"from b\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
            + "\"usage\":{\"input_tokens\":3,\"output_tokens\":2}}";
    static final String[] STREAM = {
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_b\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-b\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"from b\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":2}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"};
    static final String OVERLOADED = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
    static final String OVERLOADED_EVENT = "event: error\ndata: " + OVERLOADED + "\n\n";

    private final HttpClient http = HttpClient.newHttpClient();
    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<Duration> waited = new CopyOnWriteArrayList<>();
    private FakeUpstream a;
    private FakeUpstream b;
    private TestGateway gateway;

    @BeforeEach
    void start() {
        a = new FakeUpstream();
        b = new FakeUpstream();
        b.answer(Reply.json(200, MESSAGE));
        gateway = gateway("""
                  - name: claude
                    targets:
                      - {provider: a, upstream_model: claude-a}
                      - {provider: b, upstream_model: claude-b}
                """);
    }

    private TestGateway gateway(String models) {
        return TestGateway.start("""
                port: 0
                admin_key: ${ROSETTA_ADMIN_KEY}
                providers:
                  - name: a
                    type: anthropic
                    base_url: %1$s
                    api_key: ${ANTHROPIC_API_KEY}
                  - name: b
                    type: anthropic
                    base_url: %2$s
                    api_key: ${ANTHROPIC_API_KEY}
                  - name: o
                    type: openai
                    base_url: %2$s/v1
                    api_key: ${OPENAI_API_KEY}
                  - name: pooled
                    type: anthropic
                    base_url: %1$s
                    api_keys: [key-one-SECRET, key-two-SECRET]
                routing:
                  breaker: {window: 4, min_calls: 2, failure_rate: 50, cooldown: 10s}
                models:
                """.formatted(a.baseUrl(), b.baseUrl(), a.baseUrl()) + models, clock, (vertx, d, task) -> {
                    waited.add(d);
                    clock.advance(d.toMillis());
                    vertx.runOnContext(v -> task.run());
                });
    }

    @AfterEach
    void stop() {
        gateway.close();
        a.close();
        b.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 409, 429, 500, 502, 503, 504, 529})
    void aRetryableStatusFailsOverToTheNextTarget(int status) throws Exception {
        a.answer(Reply.json(status, OVERLOADED));
        HttpResponse<String> r = post("claude", false);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(MESSAGE);
        assertThat(r.headers().firstValue("x-rosetta-target")).hasValue("b/claude-b");
        assertThat(a.take().bodyText()).contains("\"claude-a\"");
        assertThat(b.take().bodyText()).contains("\"claude-b\"");
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 413, 422})
    void aBadRequestIsNotFailedOver(int status) throws Exception {
        String error = "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad\"}}";
        a.answer(Reply.json(status, error));
        HttpResponse<String> r = post("claude", false);
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.body()).isEqualTo(error);
        a.take();
        assertThat(b.pending()).isZero();
    }

    @Test
    void aConnectErrorFailsOver() throws Exception {
        a.close(); // nothing listens there any more
        HttpResponse<String> r = post("claude", false);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(MESSAGE);
    }

    @Test
    void aStreamWhoseFirstEventIsAnErrorFailsOverAndTheClientSeesOnlyTheWinner() throws Exception {
        a.answer(Reply.sse(OVERLOADED_EVENT));
        b.answer(Reply.sse(STREAM));
        HttpResponse<String> r = post("claude", true);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(String.join("", STREAM));
        assertThat(r.headers().firstValue("x-rosetta-target")).hasValue("b/claude-b");
    }

    @Test
    void withEveryTargetFailingTheClientGetsTheLastErrorAsAnHttpStatus() throws Exception {
        a.answer(Reply.json(503, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"down\"}}"));
        b.answer(Reply.sse(OVERLOADED_EVENT));
        HttpResponse<String> r = post("claude", true);
        assertThat(r.statusCode()).isEqualTo(529);
        JsonNode body = new ObjectMapper().readTree(r.body());
        assertThat(body.at("/error/type").asText()).isEqualTo("overloaded_error");

        // an OpenAI client of the same model: the same failure in its own dialect
        HttpResponse<String> chat = send("/v1/chat/completions",
                "{\"model\":\"claude\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Map.of());
        assertThat(chat.statusCode()).isEqualTo(529);
        assertThat(new ObjectMapper().readTree(chat.body()).at("/error/message").asText()).isEqualTo("Overloaded");
    }

    @Test
    void aFailureAfterTheFirstByteIsNeverRetried() throws Exception {
        a.answer(new Reply(200, Map.of("content-type", "text/event-stream"),
                List.of(write(STREAM[0]), write(STREAM[1]), write(STREAM[2]), new FakeUpstream.Step.Cut()), false));
        HttpResponse<String> r = post("claude", true);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("from b").contains("event: error");
        assertThat(r.headers().firstValue("x-rosetta-target")).hasValue("a/claude-a");
        assertThat(b.pending()).isZero();
    }

    @Test
    void retryAfterRestsTheTargetUntilItHasPassed() throws Exception {
        a.answer(Reply.json(429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\"}}",
                Map.of("retry-after", "30")));
        assertThat(post("claude", false).headers().firstValue("x-rosetta-target")).hasValue("b/claude-b");
        a.take();
        a.answer(Reply.json(200, MESSAGE));
        assertThat(post("claude", false).headers().firstValue("x-rosetta-target")).hasValue("b/claude-b");
        assertThat(a.pending()).isZero();
        clock.advance(31_000);
        assertThat(post("claude", false).headers().firstValue("x-rosetta-target")).hasValue("a/claude-a");
    }

    @Test
    void theBreakerOpensCoolsProbesAndCloses() throws Exception {
        a.answer(Reply.json(503, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"down\"}}"));
        post("claude", false);
        post("claude", false);
        assertThat(breaker("a/claude-a")).isEqualTo("open");
        a.take();
        a.take();

        a.answer(Reply.json(200, MESSAGE));
        assertThat(post("claude", false).headers().firstValue("x-rosetta-target")).hasValue("b/claude-b");
        assertThat(a.pending()).as("an open breaker sends nothing").isZero();

        clock.advance(11_000);
        assertThat(post("claude", false).headers().firstValue("x-rosetta-target")).as("the probe").hasValue("a/claude-a");
        assertThat(breaker("a/claude-a")).isEqualTo("closed");
    }

    @Test
    void aKeyPoolSpreadsRequestsAndRestsAKeyAfter429() throws Exception {
        gateway.close();
        gateway = gateway("""
                  - name: pooled-claude
                    provider: pooled
                    upstream_model: claude-a
                """);
        a.answer(Reply.json(200, MESSAGE));
        for (int i = 0; i < 4; i++) {
            post("pooled-claude", false);
        }
        List<String> keys = List.of(key(a.take()), key(a.take()), key(a.take()), key(a.take()));
        assertThat(keys).containsOnly("key-one-SECRET", "key-two-SECRET");
        assertThat(keys.stream().filter("key-one-SECRET"::equals).count()).isEqualTo(2);

        // the next key in turn answers 429 for 60 s: its request fails (nothing else serves this model) ...
        a.answer(r -> key(r).equals(keys.get(0))
                ? Reply.json(429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\"}}",
                        Map.of("retry-after", "60"))
                : Reply.json(200, MESSAGE));
        assertThat(post("pooled-claude", false).statusCode()).isEqualTo(429);
        // ... and then rests: every request goes with the other key
        for (int i = 0; i < 3; i++) {
            assertThat(post("pooled-claude", false).statusCode()).isEqualTo(200);
        }
        a.take();
        for (int i = 0; i < 3; i++) {
            assertThat(key(a.take())).isEqualTo(keys.get(1));
        }
        String health = health().body();
        assertThat(health).contains("\"resting\":true").doesNotContain("SECRET");
        clock.advance(61_000);
        post("pooled-claude", false);
        post("pooled-claude", false);
        assertThat(List.of(key(a.take()), key(a.take()))).contains(keys.get(0));
    }

    @Test
    void aRetryOnTheSameTargetWaitsItsJitteredBackoff() throws Exception {
        gateway.close();
        gateway = gateway("""
                  - name: solo
                    provider: a
                    upstream_model: claude-a
                    retry: {attempts: 2, backoff: 200ms, max_backoff: 1s}
                """);
        int[] n = {0};
        a.answer(r -> ++n[0] < 2 ? Reply.json(503, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"x\"}}")
                : Reply.json(200, MESSAGE));
        HttpResponse<String> r = post("solo", false);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(waited).hasSize(1);
        assertThat(waited.get(0)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(n[0]).isEqualTo(2);
    }

    @Test
    void aRetryAfterLongerThanMaxBackoffEndsTheRetries() throws Exception {
        gateway.close();
        gateway = gateway("""
                  - name: solo
                    provider: a
                    upstream_model: claude-a
                    retry: {attempts: 3, backoff: 200ms, max_backoff: 1s}
                """);
        a.answer(Reply.json(429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\"}}",
                Map.of("retry-after", "2")));
        HttpResponse<String> r = post("solo", false);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("retry-after")).hasValue("2");
        assertThat(waited).isEmpty();
    }

    @Test
    void aHedgeWinsWithTheFasterTargetAndTheSlowerIsCancelled() throws Exception {
        gateway.close();
        gateway = gateway("""
                  - name: hedged
                    hedge: {after: 1500ms, max: 1}
                    targets:
                      - {provider: a, upstream_model: claude-a}
                      - {provider: b, upstream_model: claude-b}
                """);
        a.answer(new Reply(200, Map.of("content-type", "text/event-stream"),
                List.of(new FakeUpstream.Step.Await(new java.util.concurrent.CompletableFuture<>())), false));
        java.util.concurrent.CompletableFuture<Void> slowClosed = a.connectionClosed();
        b.answer(Reply.sse(STREAM));

        HttpResponse<String> r = post("hedged", true);

        assertThat(r.body()).isEqualTo(String.join("", STREAM));
        assertThat(r.headers().firstValue("x-rosetta-target")).hasValue("b/claude-b");
        assertThat(waited).containsExactly(Duration.ofMillis(1500));
        // the slower attempt's upstream request was reset when the faster one committed
        slowClosed.get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        assertThat(a.take().bodyText()).contains("claude-a");
    }

    @Test
    void aHedgeLosesToAFirstTargetThatAnswersFirst() throws Exception {
        gateway.close();
        gateway = gateway("""
                  - name: hedged
                    hedge: {after: 1500ms, max: 1}
                    targets:
                      - {provider: a, upstream_model: claude-a}
                      - {provider: b, upstream_model: claude-b}
                """);
        java.util.concurrent.CompletableFuture<Void> bAsked = new java.util.concurrent.CompletableFuture<>();
        // the first target answers once the hedge has been sent, so both race
        List<FakeUpstream.Step> steps = new java.util.ArrayList<>(List.of(new FakeUpstream.Step.Await(bAsked)));
        for (String e : STREAM) {
            steps.add(write(e));
        }
        a.answer(new Reply(200, Map.of("content-type", "text/event-stream"), steps, true));
        b.answer(req -> {
            bAsked.complete(null);
            return new Reply(200, Map.of("content-type", "text/event-stream"),
                    List.of(new FakeUpstream.Step.Await(new java.util.concurrent.CompletableFuture<>())), false);
        });
        java.util.concurrent.CompletableFuture<Void> slowClosed = b.connectionClosed();

        HttpResponse<String> r = post("hedged", true);

        assertThat(r.body()).isEqualTo(String.join("", STREAM));
        assertThat(r.headers().firstValue("x-rosetta-target")).hasValue("a/claude-a");
        slowClosed.get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Test
    void aFailoverToAnotherDialectDropsProviderBoundStateAndSaysSo() throws Exception {
        gateway.close();
        gateway = gateway("""
                  - name: claude
                    targets:
                      - {provider: a, upstream_model: claude-a}
                      - {provider: o, upstream_model: gpt-5}
                """);
        a.answer(Reply.json(529, OVERLOADED));
        b.answer(Reply.json(200, "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-5\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"from openai\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}"));
        HttpResponse<String> r = send("/v1/messages", """
                {"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"hi"},
                 {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig-anthropic-only"},
                  {"type":"text","text":"hello"}]},{"role":"user","content":"again"}]}""",
                Map.of("anthropic-version", "2023-06-01"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("from openai");
        assertThat(r.headers().firstValue("x-rosetta-target")).hasValue("o/gpt-5");
        assertThat(a.take().bodyText()).contains("sig-anthropic-only");
        assertThat(b.take().bodyText()).doesNotContain("sig-anthropic-only").contains("\"gpt-5\"");
        assertThat(r.headers().firstValue("x-rosetta-dropped")).isPresent();
    }

    @Test
    void theHealthListingNeedsTheAdminKey() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/admin/v1/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        post("claude", false);
        assertThat(health().body()).contains("\"target\":\"b/claude-b\"", "\"breaker\":\"closed\"", "\"in_flight\":0");
    }

    private String breaker(String target) throws Exception {
        JsonNode h = new ObjectMapper().readTree(health().body());
        for (JsonNode t : h.get("targets")) {
            if (t.get("target").asText().equals(target)) {
                return t.get("breaker").asText();
            }
        }
        return "absent";
    }

    private HttpResponse<String> health() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/admin/v1/health"))
                .header("authorization", "Bearer " + TestGateway.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static FakeUpstream.Step write(String s) {
        return new FakeUpstream.Step.Write(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String key(FakeUpstream.Recorded r) {
        return r.headers().get("x-api-key");
    }

    private HttpResponse<String> post(String model, boolean stream) throws Exception {
        return send("/v1/messages", "{\"model\":\"" + model + "\",\"max_tokens\":10,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Map.of("anthropic-version", "2023-06-01"));
    }

    private HttpResponse<String> send(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
