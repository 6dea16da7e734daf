package dev.rosetta.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.store.PostgresTestDatabase;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways sharing a PostgreSQL store and no Redis: each counts in process, and once a second
 * raises its counters to the spend the shared ledger holds, so a budget crossed through one is
 * refused by the other as soon as the first's ledger has written its records and the second has polled.
 */
class BudgetReplicasPostgresTest {

    private final FakeUpstream upstream = new FakeUpstream();
    private String schema;
    private TestGateway a;
    private TestGateway b;

    @BeforeEach
    void start() {
        PostgresTestDatabase.require();
        schema = PostgresTestDatabase.freshSchema();
        String hostPort = PostgresTestDatabase.URL.substring("jdbc:postgresql://".length()).split("/")[0];
        String db = PostgresTestDatabase.URL.substring(PostgresTestDatabase.URL.lastIndexOf('/') + 1);
        String store = "postgresql://" + PostgresTestDatabase.USER + "@" + hostPort + "/" + db + "?schema=" + schema;
        String yaml = BudgetGatewayTest.yaml(upstream.baseUrl(), "", "budget: {usd: 2, period: day}", "")
                .replace("sqlite::memory:", store);
        // the ledger stamps records with the real time, so the budget's day is today's here
        MovableClock today = new MovableClock(Instant.now());
        a = TestGateway.start(yaml, today);
        b = TestGateway.start(yaml, today);
        upstream.answer(r -> Reply.json(200, ProviderAnswers.json(ProviderAnswers.dialectOf(r.path()), "hi")));
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
            b.close();
        }
        upstream.close();
        if (schema != null) {
            PostgresTestDatabase.drop(schema);
        }
    }

    private int send(TestGateway g) {
        return new DialectClient(g.url()).send(BudgetGatewayTest.request(g.url(), Dialect.OPENAI_CHAT, "gpt-b", false,
                TestGateway.GATEWAY_KEY)).status();
    }

    private double spentSeenBy(TestGateway g) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(g.url()
                        + "/admin/v1/tenants/team")).header("authorization", "Bearer " + TestGateway.ADMIN_KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode state = BudgetGatewayTest.JSON.readTree(r.body()).path("budget_state");
        return state.path("spent_usd").asDouble();
    }

    @Test
    void aTenantBudgetCrossedThroughOneReplicaIsRefusedByTheOtherOnceItsLedgerIsPolled() throws Exception {
        assertThat(spentSeenBy(b)).isEqualTo(0.0); // b's counter exists, loaded from the (empty) ledger
        assertThat(send(a)).isEqualTo(200);
        assertThat(send(a)).isEqualTo(200); // $2 of $2, through a only
        long crossed = System.nanoTime();
        long deadline = crossed + TimeUnit.SECONDS.toNanos(10);
        while (spentSeenBy(b) < 2.0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // waiting for a's ledger to write and b's poll to read it
        }
        long seenAfterMillis = (System.nanoTime() - crossed) / 1_000_000;
        assertThat(spentSeenBy(b)).isEqualTo(2.0);
        assertThat(send(b)).isEqualTo(429);
        System.out.println("budget spend through replica a seen by replica b after " + seenAfterMillis + " ms");
        assertThat(seenAfterMillis).isLessThan(5_000);
    }
}
