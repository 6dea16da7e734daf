package dev.rosetta.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Budgets through the whole gateway. Every upstream answer reports 1 input and 1 output token; the
 * upstream models cost $0 per input and $1 per output token, and every request asks for at most 1
 * output token, so each request is estimated, and costs, exactly $1.
 */
class BudgetGatewayTest {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();

    private final FakeUpstream upstream = new FakeUpstream();
    private final MovableClock clock = new MovableClock(T0);
    private final HttpClient http = HttpClient.newHttpClient();
    private TestGateway gateway;

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    static String yaml(String upstreamUrl, String keyExtra, String tenantExtra, String top) {
        return """
                port: 0
                auth: keys
                store: "sqlite::memory:"
                admin_key: ${ROSETTA_ADMIN_KEY}
                %4$s
                prices:
                  gpt-up: {input: 0, output: 1000000}
                  claude-up: {input: 0, output: 1000000}
                  gemini-up: {input: 0, output: 1000000}
                providers:
                  - {name: oai, type: openai, base_url: "%1$s/v1", api_key: "${OPENAI_API_KEY}"}
                  - {name: ant, type: anthropic, base_url: "%1$s", api_key: "${ANTHROPIC_API_KEY}"}
                  - {name: gem, type: gemini, base_url: "%1$s", api_key: "${GEMINI_API_KEY}"}
                models:
                  - {name: gpt-b, provider: oai, upstream_model: gpt-up}
                  - {name: claude-b, provider: ant, upstream_model: claude-up}
                  - {name: gemini-b, provider: gem, upstream_model: gemini-up}
                  - {name: gpt-free, provider: oai, upstream_model: unpriced-model}
                tenants:
                  - name: team
                    %3$s
                keys:
                  - name: main
                    tenant: team
                    key: ${GW_KEY}
                    %2$s
                  - name: other
                    tenant: team
                    key: ${GW_NARROW_KEY}
                """.formatted(upstreamUrl, keyExtra, tenantExtra, top);
    }

    private void start(String keyExtra, String tenantExtra) {
        gateway = TestGateway.start(yaml(upstream.baseUrl(), keyExtra, tenantExtra, ""), clock);
    }

    static String model(Dialect d) {
        return switch (d) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> "gpt-b";
            case ANTHROPIC -> "claude-b";
            case GEMINI -> "gemini-b";
        };
    }

    /** A request asking for at most one output token. */
    static String body(Dialect d, String model, boolean stream) {
        return switch (d) {
            case OPENAI_CHAT -> "{\"model\":\"" + model + "\",\"max_tokens\":1,\"stream\":" + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            case OPENAI_RESPONSES -> "{\"model\":\"" + model + "\",\"max_output_tokens\":1,\"stream\":" + stream
                    + ",\"input\":\"hi\"}";
            case ANTHROPIC -> "{\"model\":\"" + model + "\",\"max_tokens\":1,\"stream\":" + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            case GEMINI -> "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],"
                    + "\"generationConfig\":{\"maxOutputTokens\":1}}";
        };
    }

    static HttpRequest request(String base, Dialect d, String model, boolean stream, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + DialectClient.path(d, model, stream)))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(d, model, stream)));
        switch (d) {
            case ANTHROPIC -> b.header("anthropic-version", "2023-06-01").header("x-api-key", key);
            case GEMINI -> b.header("x-goog-api-key", key);
            default -> b.header("authorization", "Bearer " + key);
        }
        return b.build();
    }

    private DialectClient.Result send(Dialect d, String model, String key) {
        return new DialectClient(gateway.url()).send(request(gateway.url(), d, model, false, key));
    }

    private DialectClient.Result send(Dialect d) {
        return send(d, model(d), TestGateway.GATEWAY_KEY);
    }

    private void answerInOwnDialect() {
        upstream.answer(r -> Reply.json(200, ProviderAnswers.json(ProviderAnswers.dialectOf(r.path()), "hi")));
    }

    private JsonNode admin(String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/admin/v1" + path))
                .header("authorization", "Bearer " + TestGateway.ADMIN_KEY).header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        return JSON.readTree(r.body());
    }

    @Test
    void fiftyConcurrentRequestsAgainstABudgetForFiveExactlyFiveSucceed() throws Exception {
        start("budget: {usd: 5, period: day}", "");
        CompletableFuture<Void> gate = new CompletableFuture<>();
        String answer = ProviderAnswers.json(Dialect.OPENAI_CHAT, "hi");
        // every admitted request is held at the provider until all 50 have been decided
        upstream.answer(r -> new Reply(200, Map.of("content-type", "application/json"),
                List.of(new Step.Await(gate), new Step.Write(answer.getBytes(StandardCharsets.UTF_8))), true));
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(http.sendAsync(request(gateway.url(), Dialect.OPENAI_CHAT, "gpt-b", false, TestGateway.GATEWAY_KEY),
                    HttpResponse.BodyHandlers.ofString()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (all.stream().filter(CompletableFuture::isDone).count() < 45 && System.nanoTime() < deadline) {
            Thread.sleep(5); // waiting for the 45 refusals to arrive, not for time to pass
        }
        assertThat(all.stream().filter(CompletableFuture::isDone).count()).isEqualTo(45);
        gate.complete(null);
        int ok = 0;
        int refused = 0;
        for (var f : all) {
            HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(r.body()).contains("\"insufficient_quota\"");
                assertThat(r.headers().firstValue("x-should-retry")).hasValue("false");
                refused++;
            }
        }
        assertThat(ok).isEqualTo(5);
        assertThat(refused).isEqualTo(45);
        assertThat(send(Dialect.OPENAI_CHAT).status()).isEqualTo(429); // all $5 spent now
        JsonNode key = admin("GET", "/keys/cfg_main", null);
        assertThat(key.path("budget_state").path("spent_usd").decimalValue()).isEqualByComparingTo("5");
        assertThat(key.path("budget_state").path("reserved_usd").decimalValue()).isEqualByComparingTo("0");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aSpentBudgetIsRefusedAsTheClientsProviderRefusesSpentMoneyWithTheResetTime(Dialect d) {
        start("budget: {usd: 1, period: day, timezone: Europe/Berlin}", "");
        answerInOwnDialect();
        assertThat(send(d).status()).isEqualTo(200);
        DialectClient.Result r = send(d);
        int status = switch (d) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> 429;
            case ANTHROPIC -> 402;
            case GEMINI -> 400;
        };
        String message = DialectClient.assertDialectError(d, r, status);
        assertThat(message).contains("budget exhausted", "key main (cfg_main) has spent $1 of its $1 budget",
                "it resets at 2026-12-01T23:00:00Z"); // midnight in Berlin
        assertThat(r.headers().firstValue("x-should-retry")).hasValue("false");
        JsonNode e = r.json();
        switch (d) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> {
                assertThat(e.path("error").path("type").asText()).isEqualTo("insufficient_quota");
                assertThat(e.path("error").path("code").asText()).isEqualTo("insufficient_quota");
            }
            case ANTHROPIC -> assertThat(e.path("error").path("type").asText()).isEqualTo("billing_error");
            case GEMINI -> assertThat(e.path("error").path("status").asText()).isEqualTo("FAILED_PRECONDITION");
        }
        assertThat(upstream.pending()).isEqualTo(1); // the refused request never reached the provider
        clock.advance(java.time.Duration.ofHours(13).toMillis()); // past midnight in Berlin: a new day
        assertThat(send(d).status()).isEqualTo(200);
    }

    @Test
    void aStreamInProgressWhenTheBudgetRunsOutFinishesAndTheNextRequestIsRefused() throws Exception {
        start("budget: {usd: 2, period: month}", "");
        CompletableFuture<Void> gate = new CompletableFuture<>();
        String usage = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}\n\n";
        upstream.answer(r -> ProviderAnswers.streamed(r.path(), r.bodyText())
                ? Reply.stream("text/event-stream", List.of(
                        new Step.Write(ProviderAnswers.opening(Dialect.OPENAI_CHAT, "first").get(0).getBytes(StandardCharsets.UTF_8)),
                        new Step.Await(gate),
                        new Step.Write(String.join("", ProviderAnswers.closing(Dialect.OPENAI_CHAT)).replace("data: [DONE]", usage + "data: [DONE]")
                                .getBytes(StandardCharsets.UTF_8))), true)
                : Reply.json(200, ProviderAnswers.json(Dialect.OPENAI_CHAT, "hi")));
        CompletableFuture<HttpResponse<String>> stream = http.sendAsync(
                request(gateway.url(), Dialect.OPENAI_CHAT, "gpt-b", true, TestGateway.GATEWAY_KEY),
                HttpResponse.BodyHandlers.ofString());
        upstream.take();
        assertThat(send(Dialect.OPENAI_CHAT).status()).isEqualTo(200); // $1 spent, $1 held by the stream
        assertThat(send(Dialect.OPENAI_CHAT).status()).isEqualTo(429); // nothing left while the stream runs
        gate.complete(null);
        HttpResponse<String> done = stream.get(20, TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("first", "[DONE]");
        DialectClient.Result next = send(Dialect.OPENAI_CHAT);
        assertThat(next.status()).isEqualTo(429);
        assertThat(next.body()).contains("has spent $2 of its $2 budget", "resets at 2027-01-01T00:00:00Z");
    }

    @Test
    void aSoftBudgetOnlyWarns() {
        start("budget: {usd: 1, period: week, soft: true}", "");
        answerInOwnDialect();
        DialectClient.Result first = send(Dialect.ANTHROPIC);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.headers().firstValue(BudgetGuard.WARNING_HEADER)).isEmpty();
        for (int i = 0; i < 3; i++) {
            DialectClient.Result over = send(Dialect.ANTHROPIC);
            assertThat(over.status()).isEqualTo(200);
            assertThat(over.headers().firstValue(BudgetGuard.WARNING_HEADER)).hasValueSatisfying(w ->
                    assertThat(w).contains("key cfg_main is over its soft budget of $1", "resets at 2026-12-07T00:00:00Z"));
        }
    }

    @Test
    void aTenantBudgetIsSharedByItsKeys() {
        start("", "budget: {usd: 2, period: total}");
        answerInOwnDialect();
        assertThat(send(Dialect.GEMINI, "gemini-b", TestGateway.GATEWAY_KEY).status()).isEqualTo(200);
        assertThat(send(Dialect.GEMINI, "gemini-b", TestGateway.NARROW_GATEWAY_KEY).status()).isEqualTo(200);
        DialectClient.Result r = send(Dialect.OPENAI_RESPONSES, "gpt-b", TestGateway.NARROW_GATEWAY_KEY);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.body()).contains("tenant team has spent $2 of its $2 budget", "it does not reset");
    }

    @Test
    void aModelWithoutAPriceReservesNothingAndPasses() {
        start("budget: {usd: 1, period: day}", "");
        answerInOwnDialect();
        for (int i = 0; i < 3; i++) {
            assertThat(send(Dialect.OPENAI_CHAT, "gpt-free", TestGateway.GATEWAY_KEY).status()).isEqualTo(200);
        }
    }

    @Test
    void theAdminApiSetsABudgetAndShowsItsLiveStateAndTheLimits() throws Exception {
        start("limits: {rpm: 10}", "");
        answerInOwnDialect();
        JsonNode created = admin("POST", "/keys", "{\"tenant\":\"team\",\"name\":\"api\",\"budget\":{\"usd\":3,"
                + "\"period\":\"day\",\"timezone\":\"Asia/Tokyo\"},\"limits\":{\"rpm\":5,\"tpm\":1000}}");
        assertThat(created.path("budget").toString())
                .isEqualTo("{\"usd\":3,\"period\":\"day\",\"timezone\":\"Asia/Tokyo\",\"soft\":false}");
        String secret = created.path("key").asText();
        String id = created.path("id").asText();
        // the snapshot reloads within a second
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (send(Dialect.OPENAI_CHAT, "gpt-b", secret).status() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        // the request's cost settles its reservation when it completes, just after the client has the answer
        JsonNode shown = admin("GET", "/keys/" + id, null);
        while (shown.path("budget_state").path("spent_usd").decimalValue().signum() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            shown = admin("GET", "/keys/" + id, null);
        }
        JsonNode state = shown.path("budget_state");
        assertThat(state.path("spent_usd").decimalValue()).isEqualByComparingTo("1");
        assertThat(state.path("remaining_usd").decimalValue()).isEqualByComparingTo("2");
        assertThat(state.path("period_start").asText()).isEqualTo("2026-11-30T15:00:00Z");
        assertThat(state.path("period_end").asText()).isEqualTo("2026-12-01T15:00:00Z");
        JsonNode rpm = shown.path("limit_state").path("rpm");
        assertThat(rpm.path("limit").asLong()).isEqualTo(5);
        assertThat(rpm.path("remaining").asLong()).isEqualTo(4);
        assertThat(shown.path("limit_state").path("tpm").path("limit").asLong()).isEqualTo(1000);
        JsonNode patched = admin("PATCH", "/keys/" + id, "{\"budget\":null}");
        assertThat(patched.has("budget")).isFalse();
        admin("POST", "/tenants", "{\"name\":\"web\",\"limits\":{\"concurrent\":2}}");
        JsonNode tenant = admin("PATCH", "/tenants/web", "{\"budget\":{\"usd\":100,\"period\":\"month\",\"soft\":true}}");
        assertThat(tenant.path("budget").path("soft").asBoolean()).isTrue();
        assertThat(tenant.path("limits").path("concurrent").asLong()).isEqualTo(2); // untouched by the patch
        JsonNode tenantShown = admin("GET", "/tenants/web", null);
        assertThat(tenantShown.path("budget_state").path("period_start").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(tenantShown.path("budget_state").path("period_end").asText()).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(tenantShown.path("limit_state").path("concurrent").path("remaining").asLong()).isEqualTo(2);
    }

    @Test
    void anInvalidBudgetIsRefusedWithItsPath() throws Exception {
        start("", "");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/admin/v1/tenants"))
                .header("authorization", "Bearer " + TestGateway.ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\",\"budget\":{\"usd\":-1,\"period\":\"year\","
                        + "\"timezone\":\"Mars/Base\"}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("budget.usd: expected an amount in US dollars above 0",
                "budget.period: expected day, week, month or total, got \\\"year\\\"", "budget.timezone: unknown time zone");
    }

    @Test
    void aRestartKeepsThePeriodsSpendFromTheLedger() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("rosetta-budget-restart");
        String yaml = yaml(upstream.baseUrl(), "budget: {usd: 3, period: day}", "", "")
                .replace("sqlite::memory:", "sqlite:" + dir.resolve("store.db"));
        answerInOwnDialect();
        // the ledger stamps records with the real time, so the budget's day is today's here
        MovableClock today = new MovableClock(Instant.now());
        gateway = TestGateway.start(yaml, today);
        assertThat(send(Dialect.OPENAI_CHAT).status()).isEqualTo(200);
        assertThat(send(Dialect.ANTHROPIC).status()).isEqualTo(200);
        gateway.close(); // the ledger is flushed on the way out
        gateway = TestGateway.start(yaml, today);
        assertThat(send(Dialect.GEMINI).status()).isEqualTo(200); // $3 of $3
        DialectClient.Result r = send(Dialect.OPENAI_CHAT);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.body()).contains("has spent $3 of its $3 budget");
    }

    @Test
    void budgetCountersThatCannotBeReachedAreServedUnderAllowAndNamedInReady() throws Exception {
        // redis:// on a port nothing listens on; limits_on_redis_failure: allow (the default) serves
        String yaml = yaml(upstream.baseUrl(), "budget: {usd: 3, period: day}", "",
                "redis: \"redis://127.0.0.1:1\"\nredis_timeout: 50ms");
        answerInOwnDialect();
        gateway = TestGateway.start(yaml);
        assertThat(send(Dialect.OPENAI_CHAT).status()).isEqualTo(200);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode ready = JSON.readTree(r.body());
        assertThat(ready.path("status").asText()).isEqualTo("ready");
        assertThat(ready.path("budgets").asText()).startsWith("the budget counters in Redis are unreachable");
    }

    @Test
    void aRedisThatLostTheBudgetCountersDoesNotGiveTheSpendBack() throws Exception {
        dev.rosetta.limits.RedisTestServer.require();
        String prefix = dev.rosetta.limits.RedisTestServer.PREFIX + java.util.UUID.randomUUID() + ":";
        String yaml = yaml(upstream.baseUrl(), "", "budget: {usd: 3, period: day}",
                "redis: \"" + dev.rosetta.limits.RedisTestServer.URL + "\"\nredis_key_prefix: \"" + prefix + "\"");
        answerInOwnDialect();
        // the real clock: a counter's birth and the ledger's records are compared in time
        gateway = TestGateway.start(yaml);
        assertThat(send(Dialect.OPENAI_CHAT).status()).isEqualTo(200);
        assertThat(send(Dialect.ANTHROPIC).status()).isEqualTo(200); // $2 of $3, in the ledger too
        Thread.sleep(1500); // the ledger has written them, and the counter's own seed (0 before its birth) is done

        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            io.vertx.redis.client.Redis redis = io.vertx.redis.client.Redis.createClient(vertx,
                    dev.rosetta.limits.RedisTestServer.URL);
            var keys = redis.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.KEYS)
                    .arg(prefix + "budget:*")).await(5, TimeUnit.SECONDS);
            assertThat(keys.size()).isPositive();
            for (var k : keys) {
                redis.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.DEL).arg(k.toString()))
                        .await(5, TimeUnit.SECONDS); // Redis restarted, say, without its data
            }
        } finally {
            vertx.close();
        }

        assertThat(send(Dialect.GEMINI).status()).isEqualTo(200); // admitted on Redis's count of 0; its birth is noted
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double spent = 0;
        while (System.nanoTime() < deadline) {
            spent = admin("GET", "/tenants/team", null).path("budget_state").path("spent_usd").asDouble();
            if (spent >= 3.0) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(spent).isEqualTo(3.0); // $2 from the ledger before the loss, $1 counted in Redis since
        DialectClient.Result r = send(Dialect.OPENAI_CHAT);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.body()).contains("has spent $3 of its $3 budget");
    }
}
