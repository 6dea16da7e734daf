package dev.rosetta.budget;

import dev.rosetta.budget.redis.RedisBudgets;
import dev.rosetta.limits.FailurePolicy;
import dev.rosetta.limits.RedisTestServer;
import io.vertx.core.Vertx;
import dev.rosetta.redis.RedisLink;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class RedisBudgetsTest extends BudgetBookContract {

    private static Vertx vertx;
    private static RedisLink link;
    private static RedisBudgets book;

    @BeforeAll
    static void connect() {
        RedisTestServer.require();
        vertx = Vertx.vertx();
        link = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2));
        book = new RedisBudgets(link, RedisTestServer.PREFIX + "budget:", FailurePolicy.DENY);
    }

    @AfterAll
    static void close() {
        if (vertx != null) {
            link.close().await();
            vertx.close();
        }
    }

    @Override
    protected BudgetBook book() {
        return book;
    }
}
