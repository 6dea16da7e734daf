package dev.rosetta.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Limits on keys and tenants, and their model_limits, through the gateway (auth: keys, mock provider). */
class PrincipalLimitsTest {

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private TestGateway gateway;
    private DialectClient client;

    @BeforeEach
    void start() {
        gateway = TestGateway.start("""
                port: 0
                auth: keys
                store: "sqlite::memory:"
                providers:
                  - name: mock
                    type: mock
                models:
                  - name: mock-gpt
                    provider: mock
                  - name: mock-claude
                    provider: mock
                tenants:
                  - name: team-a
                    limits: {rpm: 5}
                keys:
                  - name: a-main
                    tenant: team-a
                    key: ${GW_KEY}
                    limits: {rpm: 3}
                    model_limits: {"mock-g*": {rpm: 1}}
                  - name: a-narrow
                    tenant: team-a
                    key: ${GW_NARROW_KEY}
                """, clock);
        client = new DialectClient(gateway.url());
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private DialectClient.Result send(String key, String model) {
        return client.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .header("authorization", "Bearer " + key).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(Dialect.OPENAI_CHAT, model, false, "hi")))
                .build());
    }

    @Test
    void aKeysModelLimitItsOwnLimitAndItsTenantsLimitEachHold() {
        assertThat(send(TestGateway.GATEWAY_KEY, "mock-gpt").status()).isEqualTo(200);
        DialectClient.Result perModel = send(TestGateway.GATEWAY_KEY, "mock-gpt");
        assertThat(DialectClient.assertDialectError(Dialect.OPENAI_CHAT, perModel, 429))
                .contains("rpm limit of key cfg_a-main, for models mock-g* of 1");

        assertThat(send(TestGateway.GATEWAY_KEY, "mock-claude").status()).isEqualTo(200);
        DialectClient.Result third = send(TestGateway.GATEWAY_KEY, "mock-claude");
        assertThat(third.status()).isEqualTo(200);
        assertThat(third.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        assertThat(DialectClient.assertDialectError(Dialect.OPENAI_CHAT, send(TestGateway.GATEWAY_KEY, "mock-claude"),
                429)).contains("rpm limit of key cfg_a-main of 3");

        // The tenant's 5 per minute are shared by its keys: 3 taken by a-main, 2 left for a-narrow.
        assertThat(send(TestGateway.NARROW_GATEWAY_KEY, "mock-gpt").status()).isEqualTo(200);
        assertThat(send(TestGateway.NARROW_GATEWAY_KEY, "mock-gpt").status()).isEqualTo(200);
        assertThat(DialectClient.assertDialectError(Dialect.OPENAI_CHAT, send(TestGateway.NARROW_GATEWAY_KEY,
                "mock-gpt"), 429)).contains("rpm limit of tenant team-a of 5");

        clock.advance(60_000);
        assertThat(send(TestGateway.GATEWAY_KEY, "mock-gpt").status()).isEqualTo(200);
    }
}
