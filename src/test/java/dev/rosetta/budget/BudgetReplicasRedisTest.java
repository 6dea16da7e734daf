package dev.rosetta.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.limits.RedisTestServer;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways in one JVM, each with its own budget counters client, sharing one Redis (as two
 * replicas would): spend settled through one is what the other reserves against, at once.
 */
class BudgetReplicasRedisTest {

    private final FakeUpstream upstream = new FakeUpstream();
    private final MovableClock clock = new MovableClock(BudgetGatewayTest.T0);
    private TestGateway a;
    private TestGateway b;

    @BeforeEach
    void start() {
        RedisTestServer.require();
        String top = "redis: \"" + RedisTestServer.URL + "\"\nredis_key_prefix: \"" + RedisTestServer.PREFIX
                + UUID.randomUUID() + ":\"\nredis_timeout: 2s";
        String yaml = BudgetGatewayTest.yaml(upstream.baseUrl(), "", "budget: {usd: 3, period: day}", top);
        a = TestGateway.start(yaml, clock);
        b = TestGateway.start(yaml, clock);
        upstream.answer(r -> Reply.json(200, ProviderAnswers.json(ProviderAnswers.dialectOf(r.path()), "hi")));
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
            b.close();
        }
        upstream.close();
    }

    private int send(TestGateway g, Dialect d) {
        return new DialectClient(g.url()).send(BudgetGatewayTest.request(g.url(), d, BudgetGatewayTest.model(d), false,
                TestGateway.GATEWAY_KEY)).status();
    }

    @Test
    void aTenantBudgetCrossedThroughOneReplicaRefusesOnTheOther() {
        assertThat(send(a, Dialect.OPENAI_CHAT)).isEqualTo(200);
        assertThat(send(b, Dialect.ANTHROPIC)).isEqualTo(200);
        assertThat(send(a, Dialect.GEMINI)).isEqualTo(200); // $3 of $3: crossed through a
        long crossed = System.nanoTime();
        assertThat(send(b, Dialect.OPENAI_RESPONSES)).isEqualTo(429);
        assertThat(System.nanoTime() - crossed).isLessThan(1_000_000_000L);
        assertThat(send(b, Dialect.ANTHROPIC)).isEqualTo(402);
        assertThat(send(a, Dialect.GEMINI)).isEqualTo(400);
        assertThat(upstream.pending()).isEqualTo(3);
    }
}
