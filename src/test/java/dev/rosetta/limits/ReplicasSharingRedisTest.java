package dev.rosetta.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways with limiters of their own, sharing one Redis: a key's limit holds across both, exactly.
 * Each dialect's client has a key with {@code rpm: 10}; twenty concurrent requests spread over both
 * gateways get exactly ten answers and ten 429s, each with that dialect's headers.
 */
class ReplicasSharingRedisTest {

    private static final Map<Dialect, String> KEYS = Map.of(
            Dialect.OPENAI_CHAT, TestGateway.GATEWAY_KEY,
            Dialect.OPENAI_RESPONSES, TestGateway.NARROW_GATEWAY_KEY,
            Dialect.ANTHROPIC, TestGateway.DISABLED_GATEWAY_KEY,
            Dialect.GEMINI, TestGateway.OFF_TENANT_GATEWAY_KEY);

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final List<TestGateway> gateways = new ArrayList<>();

    /** @param timeout generous where exactness is the point: a loaded test machine is not a slow Redis */
    private String yaml(String redis, String onFailure, String timeout) {
        return """
                port: 0
                auth: keys
                store: "sqlite::memory:"
                redis: "%s"
                redis_key_prefix: "%s"
                limits_on_redis_failure: %s
                redis_timeout: %s
                providers:
                  - name: mock
                    type: mock
                models:
                  - name: mock-gpt
                    provider: mock
                  - name: mock-claude
                    provider: mock
                  - name: mock-gemini
                    provider: mock
                tenants:
                  - name: t
                keys:
                  - {name: chat, tenant: t, key: "${GW_KEY}", limits: {rpm: 10}}
                  - {name: responses, tenant: t, key: "${GW_NARROW_KEY}", limits: {rpm: 10}}
                  - {name: messages, tenant: t, key: "${GW_DISABLED_KEY}", limits: {rpm: 10}}
                  - {name: gemini, tenant: t, key: "${GW_OFF_KEY}", limits: {rpm: 10}}
                """.formatted(redis, RedisTestServer.PREFIX + UUID.randomUUID() + ":", onFailure, timeout);
    }

    @BeforeEach
    void requireRedis() {
        RedisTestServer.require();
    }

    @AfterEach
    void stop() {
        gateways.forEach(TestGateway::close);
    }

    private static String model(Dialect d) {
        return switch (d) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> "mock-gpt";
            case ANTHROPIC -> "mock-claude";
            case GEMINI -> "mock-gemini";
        };
    }

    private static DialectClient.Result send(TestGateway g, Dialect d) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.url() + DialectClient.path(d, model(d), false)))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(d, model(d), false, "hi"),
                        StandardCharsets.UTF_8));
        switch (d) {
            case ANTHROPIC -> b.header("x-api-key", KEYS.get(d)).header("anthropic-version", "2023-06-01");
            case GEMINI -> b.header("x-goog-api-key", KEYS.get(d));
            default -> b.header("authorization", "Bearer " + KEYS.get(d));
        }
        return new DialectClient(g.url()).send(b.build());
    }

    @Test
    void aKeysRpmHoldsExactlyAcrossTwoGatewaysInEveryDialect() throws Exception {
        String config = yaml(RedisTestServer.URL, "deny", "2s");
        gateways.add(TestGateway.start(config, clock));
        gateways.add(TestGateway.start(config, clock));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (Dialect d : Dialect.values()) {
                List<Future<DialectClient.Result>> sent = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    TestGateway g = gateways.get(i % 2);
                    sent.add(pool.submit(() -> send(g, d)));
                }
                List<DialectClient.Result> ok = new ArrayList<>();
                List<DialectClient.Result> refused = new ArrayList<>();
                for (Future<DialectClient.Result> f : sent) {
                    DialectClient.Result r = f.get();
                    (r.status() == 200 ? ok : refused).add(r);
                }
                assertThat(ok).as(d.toString()).hasSize(10);
                assertThat(refused).as(d.toString()).hasSize(10);
                for (DialectClient.Result r : refused) {
                    assertThat(DialectClient.assertDialectError(d, r, 429)).contains("rpm limit of key cfg_");
                    assertThat(r.headers().firstValue("retry-after")).as(d.toString()).isPresent();
                    switch (d) {
                        case OPENAI_CHAT, OPENAI_RESPONSES -> {
                            assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).hasValue("10");
                            assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
                            assertThat(r.headers().firstValue("x-ratelimit-reset-requests")).hasValue("1m0s");
                        }
                        case ANTHROPIC -> {
                            assertThat(r.headers().firstValue("anthropic-ratelimit-requests-limit")).hasValue("10");
                            assertThat(r.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("0");
                        }
                        case GEMINI -> assertThat(r.json().at("/error/details/0/retryDelay").asText()).isEqualTo("6s");
                    }
                }
                assertThat(ok).extracting(r -> r.headers().firstValue(d == Dialect.ANTHROPIC
                                ? "anthropic-ratelimit-requests-remaining" : "x-ratelimit-remaining-requests").orElseThrow())
                        .containsExactlyInAnyOrder("9", "8", "7", "6", "5", "4", "3", "2", "1", "0");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unreachableRedisDeniesWith503OrAllowsAsConfigured() {
        TestGateway deny = TestGateway.start(yaml("redis://127.0.0.1:1", "deny", "50ms"), clock);
        gateways.add(deny);
        DialectClient.Result refused = send(deny, Dialect.ANTHROPIC);
        assertThat(DialectClient.assertDialectError(Dialect.ANTHROPIC, refused, 503))
                .contains("rate limits cannot be checked right now");

        TestGateway allow = TestGateway.start(yaml("redis://127.0.0.1:1", "allow", "50ms"), clock);
        gateways.add(allow);
        for (int i = 0; i < 12; i++) {
            assertThat(send(allow, Dialect.OPENAI_CHAT).status()).isEqualTo(200);
        }
        DialectClient.Result ready = new DialectClient(allow.url()).send(HttpRequest.newBuilder(
                URI.create(allow.url() + "/ready")).GET().build());
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asText()).isEqualTo("ready");
        assertThat(ready.json().get("limits").asText())
                .startsWith("the rate-limit counters in Redis are unreachable; requests are served without limits (")
                .contains("failed calls since start");
    }
}
