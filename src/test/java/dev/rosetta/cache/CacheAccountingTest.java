package dev.rosetta.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.DialectClient.Result;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A hit is a request, not a provider call: the ledger records it with {@code cache: hit}, no cost and
 * the cost it saved; it counts toward the key's requests per minute but takes none of its tokens.
 */
class CacheAccountingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aHitCostsNothingSavesTheMissCostAndTakesNoTokens() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (FakeUpstream fake = new FakeUpstream();
             TestGateway g = TestGateway.start("""
                     port: 0
                     auth: keys
                     store: "sqlite::memory:"
                     admin_key: ${ROSETTA_ADMIN_KEY}
                     providers:
                       - name: oai
                         type: openai
                         base_url: %s/v1
                         api_key: ${OPENAI_API_KEY}
                     models:
                       - name: gpt
                         provider: oai
                         upstream_model: gpt-5-2025-08-07
                     tenants:
                       - name: team-a
                     keys:
                       - name: a-main
                         tenant: team-a
                         key: ${GW_KEY}
                         limits: {rpm: 100, tpm: 100000}
                     cache: {}
                     """.formatted(fake.baseUrl()), clock)) {
            fake.answer(Reply.json(200, """
                    {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-5",
                     "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"priced"}}],
                     "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}"""));
            DialectClient client = new DialectClient(g.url());
            Result miss = client.send(request(g));
            fake.take();
            Result hit1 = client.send(request(g));
            Result hit2 = client.send(request(g));
            assertThat(hit1.headers().firstValue("x-rosetta-cache")).contains("hit");
            assertThat(hit2.headers().firstValue("x-rosetta-cache")).contains("hit");

            // requests: each one counts; tokens: the miss's 1500 were taken, the first hit's estimate given back
            long requests1 = remaining(hit1, "requests");
            long requests2 = remaining(hit2, "requests");
            assertThat(requests2).isEqualTo(requests1 - 1);
            assertThat(remaining(hit2, "tokens")).isEqualTo(remaining(hit1, "tokens"));

            JsonNode missRecord = record(g, id(miss));
            JsonNode hitRecord = record(g, id(hit1));
            assertThat(missRecord.path("cache").asText()).isEqualTo("miss");
            BigDecimal cost = missRecord.get("cost_usd").decimalValue();
            assertThat(cost).isPositive();
            assertThat(hitRecord.path("cache").asText()).isEqualTo("hit");
            assertThat(hitRecord.get("cost_usd").decimalValue()).isZero();
            assertThat(hitRecord.get("saved_cost_usd").decimalValue()).isEqualByComparingTo(cost);
            assertThat(hitRecord.at("/tokens/output").asLong()).isEqualTo(500);
        }
    }

    private static HttpRequest request(TestGateway g) {
        return HttpRequest.newBuilder(URI.create(g.url() + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").header("authorization", "Bearer " + TestGateway.GATEWAY_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(Dialect.OPENAI_CHAT, "gpt", false, "costly?")))
                .build();
    }

    private static long remaining(Result r, String what) {
        return Long.parseLong(r.headers().firstValue("x-ratelimit-remaining-" + what).orElseThrow());
    }

    private static String id(Result r) {
        return r.headers().firstValue("x-rosetta-request-id").orElseThrow();
    }

    private static JsonNode record(TestGateway g, String requestId) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(g.url()
                            + "/admin/v1/usage/requests?limit=100"))
                    .header("authorization", "Bearer " + TestGateway.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode n : JSON.readTree(r.body()).path("data")) {
                if (n.path("request_id").asText().equals(requestId)) {
                    return n;
                }
            }
            assertThat(System.nanoTime()).as("ledger record " + requestId + " not written in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
