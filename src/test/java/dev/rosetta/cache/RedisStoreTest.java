package dev.rosetta.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.limits.RedisTestServer;
import io.vertx.core.Vertx;
import dev.rosetta.redis.RedisLink;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisStoreTest extends AnswerStoreContract {

    private static Vertx vertx;
    private static RedisLink link;
    private static RedisStore store;

    @BeforeAll
    static void connect() {
        RedisTestServer.require();
        vertx = Vertx.vertx();
        link = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2));
        store = new RedisStore(link, RedisTestServer.PREFIX + "cache:", ENTRY_CAP, CLOCK);
    }

    @AfterAll
    static void close() {
        if (vertx != null) {
            link.close().await();
            vertx.close();
        }
    }

    @Override
    protected AnswerStore store() {
        return store;
    }

    @Test
    void aRedisThatDoesNotAnswerIsAMissWithinTheTimeout() throws Exception {
        // accepts connections and never says a word
        try (ServerSocket silent = new ServerSocket(0)) {
            RedisLink muteLink = RedisLink.open(vertx, "redis://127.0.0.1:" + silent.getLocalPort(),
                    Duration.ofMillis(100));
            RedisStore mute = new RedisStore(muteLink, "x:", ENTRY_CAP, CLOCK);
            long start = System.nanoTime();
            assertThat(await(mute.get(key("t=a")))).isEmpty();
            await(mute.put(key("t=a"), new CachedAnswer(everyKindOfBlock("x"), CLOCK.millis(), CLOCK.millis() + 1000)));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(mute.stats().failures()).isEqualTo(2);
            muteLink.close();
        }
    }

    @Test
    void valuesAreStoredCompressed() {
        CacheKey k = key("t=a");
        CachedAnswer a = new CachedAnswer(everyKindOfBlock("repeat ".repeat(2000)), CLOCK.millis(),
                CLOCK.millis() + 60_000);
        await(store.put(k, a));
        assertThat(store.stats().bytes()).isLessThan(AnswerCodec.write(a).length / 4);
        assertThat(await(store.get(k))).contains(a);
    }
}
