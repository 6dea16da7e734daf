package dev.rosetta.redis;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

/** Where the answers of the Redis users (limits, budgets, the response cache) run. */
public final class RedisClients {

    private RedisClients() {
    }

    /**
     * Runs {@code r} on {@code ctx} (the caller's): at once when already there or when there is none; on
     * the same event loop, at once with {@code ctx} made current (a {@link RedisLink} answers on the loop
     * that asked, under a context of its own); from another thread, as a task of {@code ctx}.
     */
    public static void onContext(Context ctx, Runnable r) {
        if (ctx == null || Vertx.currentContext() == ctx) {
            r.run();
        } else if (((ContextInternal) ctx).inThread()) {
            ((ContextInternal) ctx).emit(v -> r.run());
        } else {
            ctx.runOnContext(v -> r.run());
        }
    }
}
