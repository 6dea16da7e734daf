package dev.rosetta.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import dev.rosetta.usage.TokenEstimate;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A hedge that loses after its request went out is billed by its provider for the prompt: the ledger
 * records it beside the answer, and the request's budget settles both.
 */
class HedgeBillingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final FakeUpstream slow = new FakeUpstream();
    private final FakeUpstream fast = new FakeUpstream();
    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        slow.close();
        fast.close();
    }

    @Test
    void theLosingHedgeIsRecordedAndCostedApartAndItsCostCountsAgainstTheBudget() throws Exception {
        gateway = TestGateway.start("""
                port: 0
                auth: keys
                store: "sqlite::memory:"
                admin_key: ${ROSETTA_ADMIN_KEY}
                prices:
                  claude-a: {input: 3, output: 15}
                  claude-b: {input: 1, output: 5}
                providers:
                  - {name: a, type: anthropic, base_url: "%1$s", api_key: "${ANTHROPIC_API_KEY}"}
                  - {name: b, type: anthropic, base_url: "%2$s", api_key: "${ANTHROPIC_API_KEY}"}
                models:
                  - name: hedged
                    hedge: {after: 50ms, max: 1}
                    targets:
                      - {provider: a, upstream_model: claude-a}
                      - {provider: b, upstream_model: claude-b}
                tenants:
                  - {name: team, budget: {usd: 100, period: total}}
                keys:
                  - {name: main, tenant: team, key: "${GW_KEY}"}
                """.formatted(slow.baseUrl(), fast.baseUrl()));
        // the first target takes the request and never says a word; the hedge answers
        slow.answer(new Reply(200, Map.of("content-type", "text/event-stream"),
                List.of(new FakeUpstream.Step.Await(new CompletableFuture<>())), false));
        CompletableFuture<Void> slowClosed = slow.connectionClosed();
        fast.answer(Reply.sse(FailoverTest.STREAM));
        String body = "{\"model\":\"hedged\",\"max_tokens\":50,\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"" + "a prompt long enough to cost something. ".repeat(40) + "\"}]}";

        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                .header("x-api-key", TestGateway.GATEWAY_KEY).header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-rosetta-target")).hasValue("b/claude-b");
        slowClosed.get(5, java.util.concurrent.TimeUnit.SECONDS);
        String id = r.headers().firstValue("x-rosetta-request-id").orElseThrow();

        Map<String, JsonNode> recs = records(id, id + "-1");
        JsonNode answer = recs.get(id);
        assertThat(answer.get("upstream_model").asText()).isEqualTo("claude-b");
        assertThat(answer.get("tokens").get("input").asLong()).isEqualTo(3);
        assertThat(answer.get("tokens").get("output").asLong()).isEqualTo(2);
        JsonNode loser = recs.get(id + "-1");
        assertThat(loser.get("provider").asText()).isEqualTo("a");
        assertThat(loser.get("upstream_model").asText()).isEqualTo("claude-a");
        assertThat(loser.get("model").asText()).isEqualTo("hedged");
        assertThat(loser.get("status").asInt()).isEqualTo(499);
        assertThat(loser.get("client_cancelled").asBoolean()).isTrue();
        assertThat(loser.get("usage_estimated").asBoolean()).isTrue();
        long prompt = TokenEstimate.ofBodyBytes(body.getBytes(StandardCharsets.UTF_8).length);
        assertThat(prompt).isGreaterThan(100);
        assertThat(loser.get("tokens").get("input").asLong()).isEqualTo(prompt);
        assertThat(loser.get("tokens").get("output").asLong()).isZero();
        BigDecimal loserCost = new BigDecimal(loser.get("cost_usd").asText());
        assertThat(loserCost).isEqualByComparingTo(BigDecimal.valueOf(prompt * 3).movePointLeft(6));

        // the budget settled both: the answer's cost and the lost hedge's
        BigDecimal expected = new BigDecimal(answer.get("cost_usd").asText()).add(loserCost);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        BigDecimal spent = BigDecimal.ZERO;
        while (System.nanoTime() < deadline) {
            spent = new BigDecimal(JSON.readTree(admin("/admin/v1/tenants/team").body()).path("budget_state")
                    .path("spent_usd").asText("0"));
            if (spent.compareTo(expected) == 0) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(spent).isEqualByComparingTo(expected);
    }

    private HttpResponse<String> admin(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + pathAndQuery))
                .header("authorization", "Bearer " + TestGateway.ADMIN_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, JsonNode> records(String... ids) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            JsonNode data = JSON.readTree(admin("/admin/v1/usage/requests?limit=1000").body()).get("data");
            Map<String, JsonNode> byId = new HashMap<>();
            data.forEach(d -> byId.put(d.get("request_id").asText(), d));
            if (byId.keySet().containsAll(List.of(ids))) {
                return byId;
            }
            assertThat(System.nanoTime()).as("ledger records not written in time: " + byId.keySet()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
