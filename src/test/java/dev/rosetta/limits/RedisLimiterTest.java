package dev.rosetta.limits;

import dev.rosetta.limits.redis.RedisLimiter;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class RedisLimiterTest extends LimiterContract {

    private static Vertx vertx;
    private static RedisLimiter limiter;

    @BeforeAll
    static void connect() {
        RedisTestServer.require();
        vertx = Vertx.vertx();
        limiter = new RedisLimiter(Redis.createClient(vertx, RedisTestServer.URL), RedisTestServer.PREFIX,
                Duration.ofSeconds(2), Duration.ofMinutes(15), FailurePolicy.DENY);
    }

    @AfterAll
    static void close() {
        if (vertx != null) {
            limiter.close();
            vertx.close();
        }
    }

    @Override
    protected Limiter limiter() {
        return limiter;
    }
}
