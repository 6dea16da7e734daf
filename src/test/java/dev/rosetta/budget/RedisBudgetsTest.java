package dev.rosetta.budget;

import dev.rosetta.budget.redis.RedisBudgets;
import dev.rosetta.limits.FailurePolicy;
import dev.rosetta.limits.RedisTestServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class RedisBudgetsTest extends BudgetBookContract {

    private static Vertx vertx;
    private static RedisBudgets book;

    @BeforeAll
    static void connect() {
        RedisTestServer.require();
        vertx = Vertx.vertx();
        book = new RedisBudgets(Redis.createClient(vertx, RedisTestServer.URL), RedisTestServer.PREFIX + "budget:",
                Duration.ofSeconds(2), FailurePolicy.DENY);
    }

    @AfterAll
    static void close() {
        if (vertx != null) {
            book.close();
            vertx.close();
        }
    }

    @Override
    protected BudgetBook book() {
        return book;
    }
}
