package dev.rosetta.limits;

import dev.rosetta.limits.redis.RedisLimiter;
import io.vertx.core.Vertx;
import dev.rosetta.redis.RedisLink;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class RedisLimiterTest extends LimiterContract {

    private static Vertx vertx;
    private static RedisLink link;
    private static RedisLimiter limiter;

    @BeforeAll
    static void connect() {
        RedisTestServer.require();
        vertx = Vertx.vertx();
        link = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2));
        limiter = new RedisLimiter(link, RedisTestServer.PREFIX, Duration.ofMinutes(15), FailurePolicy.DENY);
    }

    @AfterAll
    static void close() {
        if (vertx != null) {
            link.close().await();
            vertx.close();
        }
    }

    @Override
    protected Limiter limiter() {
        return limiter;
    }
}
