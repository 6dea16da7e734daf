package dev.rosetta.limits;

import static dev.rosetta.testing.TestGateway.DISABLED_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.NARROW_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.OFF_TENANT_GATEWAY_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rest of a provider's API (files, uploads, batches, moderation...) counts against the key's and
 * tenant's request limits and is refused once their budget is spent, the body streamed or read whole
 * alike; a refused request never reaches the provider. Limits and budgets in process here; in Redis, where
 * the answer comes later and a streamed body waits for it, in {@link LimitsOnApiPassthroughRedisTest}.
 */
class LimitsOnApiPassthroughTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeUpstream upstream = new FakeUpstream();
    private TestGateway gateway;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Where the counters live: in process unless overridden. */
    String counters() {
        return "";
    }

    @BeforeEach
    void start() {
        gateway = TestGateway.start("""
                port: 0
                auth: keys
                store: "sqlite::memory:"
                state_secret: limits-on-api-passthrough-test-secret
                %s
                providers:
                  - name: oai
                    type: openai
                    base_url: %2$s/v1
                    api_key: ${OPENAI_API_KEY}
                  - name: gem
                    type: gemini
                    base_url: %2$s
                    api_key: ${GEMINI_API_KEY}
                models:
                  - name: gpt-test
                    provider: oai
                    upstream_model: gpt-4o
                tenants:
                  - name: t
                    models: [gpt-test]
                    passthrough: true
                keys:
                  - name: counted
                    tenant: t
                    key: ${GW_KEY}
                    limits: {rpm: 2, tpm: 1}
                  - name: one-at-a-time
                    tenant: t
                    key: ${GW_NARROW_KEY}
                    limits: {concurrent: 1}
                  - name: spender
                    tenant: t
                    key: ${GW_OFF_KEY}
                    budget: {usd: 0.0001, period: month}
                  - name: uploader
                    tenant: t
                    key: ${GW_DISABLED_KEY}
                    limits: {rpm: 1}
                """.formatted(counters(), upstream.baseUrl()));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("authorization", "Bearer " + key);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String openAiError(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertThat(error.isObject()).as(r.body()).isTrue();
        return error.path("message").asText();
    }

    @Test
    void streamedAndReadRequestsCountAgainstTheKeysRpmButNotItsTokenLimits() throws Exception {
        upstream.answer(Reply.json(200, "{\"data\":[]}"));
        // tpm: 1 would refuse any request with a token estimate at once: these are not counted in tokens
        assertThat(send(request("/v1/files", GATEWAY_KEY).GET()).statusCode()).isEqualTo(200);
        assertThat(send(request("/v1/moderations", GATEWAY_KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"hello\"}"))).statusCode()).isEqualTo(200);

        HttpResponse<String> upload = send(request("/v1/files", GATEWAY_KEY)
                .header("content-type", "application/octet-stream").expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString("file bytes")));
        assertThat(openAiError(upload, 429)).contains("rpm limit of key cfg_counted of 2");
        assertThat(upload.headers().firstValue("retry-after")).isPresent();
        assertThat(upload.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        HttpResponse<String> read = send(request("/v1/moderations", GATEWAY_KEY)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"x\"}")));
        assertThat(openAiError(read, 429)).contains("rpm limit of key cfg_counted of 2");

        assertThat(upstream.take().path()).isEqualTo("/v1/files");
        assertThat(upstream.take().path()).isEqualTo("/v1/moderations");
        assertThat(upstream.pending()).as("refused requests never reach the provider").isZero();
    }

    @Test
    void aResumableUploadCountsOnceHowManyRequestsItsBytesTake() throws Exception {
        upstream.answer(r -> "start".equals(r.headers().get("x-goog-upload-command"))
                ? new Reply(200, Map.of("x-goog-upload-url", "https://generativelanguage.googleapis.com/upload/v1beta/files"
                        + "?upload_id=UP-1&upload_protocol=resumable", "x-goog-upload-status", "active"), List.of(), true)
                : Reply.json(200, "{\"file\":{\"name\":\"files/UP-1\"}}", Map.of("x-goog-upload-status", "final")));
        HttpRequest.Builder start = HttpRequest.newBuilder(URI.create(gateway.url() + "/upload/v1beta/files"))
                .header("x-goog-api-key", DISABLED_GATEWAY_KEY).header("content-type", "application/json")
                .header("x-goog-upload-protocol", "resumable").header("x-goog-upload-command", "start")
                .POST(HttpRequest.BodyPublishers.ofString("{\"file\":{}}"));
        HttpResponse<String> started = send(start);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        String url = started.headers().firstValue("x-goog-upload-url").orElseThrow();
        for (String command : List.of("upload", "upload, finalize")) {
            HttpResponse<String> chunk = send(HttpRequest.newBuilder(URI.create(url))
                    .header("x-goog-upload-command", command).header("x-goog-upload-offset", "0")
                    .POST(HttpRequest.BodyPublishers.ofString("chunk")));
            assertThat(chunk.statusCode()).as("the upload's %s, after its start took the key's one request", command)
                    .isEqualTo(200);
        }
        HttpResponse<String> another = send(start);
        assertThat(another.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(another.body()).at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(another.body()).contains("rpm limit of key cfg_uploader of 1");
    }

    @Test
    void aConcurrentLimitHoldsAnUploadsSlotUntilItsAnswerEnds() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.answer(r -> r.method().equals("POST")
                ? Reply.stream("application/json", List.of(Step.write("{\"id\":"), new Step.Await(gate),
                        Step.write("\"file-1\"}")), true)
                : Reply.json(200, "{\"data\":[]}"));
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(request("/v1/files", NARROW_GATEWAY_KEY)
                .header("content-type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray("x".repeat(100_000).getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(upstream.take().body()).hasSize(100_000); // the upload is in, its answer held open

        HttpResponse<String> second = send(request("/v1/files", NARROW_GATEWAY_KEY).GET());
        assertThat(openAiError(second, 429)).contains("concurrent limit of key cfg_one-at-a-time of 1");

        gate.complete(null);
        HttpResponse<String> done = first.get(10, TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).isEqualTo("{\"id\":\"file-1\"}");
        // the slot is released with the end of the answer
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        HttpResponse<String> third;
        do {
            third = send(request("/v1/files", NARROW_GATEWAY_KEY).GET());
        } while (third.statusCode() == 429 && System.nanoTime() < deadline);
        assertThat(third.statusCode()).isEqualTo(200);
    }

    @Test
    void aKeyWhoseBudgetIsSpentIsRefusedBatchesAndUploadsInItsDialect() throws Exception {
        upstream.answer(r -> r.path().equals("/v1/chat/completions")
                ? Reply.json(200, """
                        {"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o",
                         "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                         "usage":{"prompt_tokens":1000,"completion_tokens":10,"total_tokens":1010}}""")
                : Reply.json(200, "{\"id\":\"batch_1\"}"));
        HttpResponse<String> batch = send(request("/v1/batches", OFF_TENANT_GATEWAY_KEY)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"input_file_id\":\"file-1\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}")));
        assertThat(batch.statusCode()).as("a budget with room lets it through").isEqualTo(200);

        // one chat completion spends $0.0026 of the $0.0001
        HttpResponse<String> chat = send(request("/v1/chat/completions", OFF_TENANT_GATEWAY_KEY)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"gpt-test\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        upstream.take();
        upstream.take();

        // the spend is known at once in process, within a second through Redis
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        HttpResponse<String> refused;
        do {
            refused = send(request("/v1/batches", OFF_TENANT_GATEWAY_KEY)
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"input_file_id\":\"file-1\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}")));
        } while (refused.statusCode() == 200 && System.nanoTime() < deadline);
        while (upstream.pending() > 0) {
            upstream.take();
        }
        assertThat(openAiError(refused, 429)).contains("budget exhausted: key spender").contains("it resets at");
        assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("insufficient_quota");
        assertThat(refused.headers().firstValue("x-should-retry")).hasValue("false");
        HttpResponse<String> upload = send(request("/v1/files", OFF_TENANT_GATEWAY_KEY)
                .header("content-type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofString("bytes")));
        assertThat(openAiError(upload, 429)).contains("budget exhausted");
        assertThat(upstream.pending()).isZero();
    }
}
