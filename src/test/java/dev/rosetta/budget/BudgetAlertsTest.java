package dev.rosetta.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code budget_alerts} delivered to a local receiver: one POST per threshold per period, a failed
 * delivery retried, none for a threshold already alerted, again in the next period.
 */
class BudgetAlertsTest {

    private final FakeUpstream upstream = new FakeUpstream();
    private final MovableClock clock = new MovableClock(BudgetGatewayTest.T0);
    private final LinkedBlockingQueue<JsonNode> delivered = new LinkedBlockingQueue<>();
    private final List<String> attempts = new CopyOnWriteArrayList<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private HttpServer receiver;
    private TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", x -> {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            attempts.add(body);
            boolean fail = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            x.sendResponseHeaders(fail ? 503 : 204, -1);
            x.close();
            if (!fail) {
                delivered.add(BudgetGatewayTest.JSON.readTree(body));
            }
        });
        receiver.start();
        String top = "budget_alerts: {at: [0.5, 1.0], webhook: \"http://127.0.0.1:" + receiver.getAddress().getPort()
                + "/hook\"}";
        gateway = TestGateway.start(BudgetGatewayTest.yaml(upstream.baseUrl(), "budget: {usd: 2, period: day}", "", top),
                clock);
        upstream.answer(r -> Reply.json(200, ProviderAnswers.json(ProviderAnswers.dialectOf(r.path()), "hi")));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
        receiver.stop(0);
    }

    private int send() {
        return new DialectClient(gateway.url()).send(BudgetGatewayTest.request(gateway.url(), Dialect.OPENAI_CHAT,
                "gpt-b", false, TestGateway.GATEWAY_KEY)).status();
    }

    private JsonNode next() throws InterruptedException {
        JsonNode n = delivered.poll(20, TimeUnit.SECONDS);
        assertThat(n).as("an alert delivered").isNotNull();
        return n;
    }

    @Test
    void oneAlertPerThresholdPerPeriodRetriedAfterTheReceiverFailed() throws Exception {
        failNext.set(1); // the first delivery is refused: it must come again
        assertThat(send()).isEqualTo(200); // $1 of $2: 50%
        JsonNode half = next();
        assertThat(attempts).hasSize(2);
        assertThat(half.path("threshold").asDouble()).isEqualTo(0.5);
        assertThat(half.path("scope").asText()).isEqualTo("key");
        assertThat(half.path("tenant").asText()).isEqualTo("team");
        assertThat(half.path("key_id").asText()).isEqualTo("cfg_main");
        assertThat(half.path("spent_usd").decimalValue()).isEqualByComparingTo("1");
        assertThat(half.path("budget_usd").decimalValue()).isEqualByComparingTo("2");
        assertThat(half.path("period").asText()).isEqualTo("day");
        assertThat(half.path("period_start").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(half.path("period_end").asText()).isEqualTo("2026-12-02T00:00:00Z");

        assertThat(send()).isEqualTo(200); // $2 of $2: 100%
        JsonNode full = next();
        assertThat(full.path("threshold").asDouble()).isEqualTo(1.0);
        assertThat(full.path("spent_usd").decimalValue()).isEqualByComparingTo("2");
        assertThat(send()).isEqualTo(429); // refused: nothing settles, nothing more to say

        clock.advance(Duration.ofDays(1).toMillis()); // a new period, alerted afresh
        assertThat(send()).isEqualTo(200);
        JsonNode nextDay = next();
        assertThat(nextDay.path("threshold").asDouble()).isEqualTo(0.5);
        assertThat(nextDay.path("period_start").asText()).isEqualTo("2026-12-02T00:00:00Z");
        // every alert came exactly once: the failed try, then one delivery per threshold and period
        assertThat(attempts).hasSize(4);
        assertThat(delivered).isEmpty();
    }
}
