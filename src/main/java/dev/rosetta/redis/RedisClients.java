package dev.rosetta.redis;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/** What the Redis users (limits, budgets, the response cache) share: how a client is made, and where its answers run. */
public final class RedisClients {

    private RedisClients() {
    }

    /**
     * A pooled, non-blocking client for {@code url}. The pool's wait queue is far above Vert.x's default of
     * 24: beyond it a request fails at once as if Redis were unreachable, which at 64 client connections
     * served requests without limits; each caller bounds its own wait with its timeout instead.
     */
    public static Redis open(Vertx vertx, String url) {
        return Redis.createClient(vertx, new RedisOptions().setConnectionString(url)
                .setMaxPoolSize(8).setMaxPoolWaiting(4096).setMaxWaitingHandlers(4096));
    }

    /** Runs {@code r} on {@code ctx} (the caller's event loop), at once when already there or when there is none. */
    public static void onContext(Context ctx, Runnable r) {
        if (ctx == null || Vertx.currentContext() == ctx) {
            r.run();
        } else {
            ctx.runOnContext(v -> r.run());
        }
    }
}
