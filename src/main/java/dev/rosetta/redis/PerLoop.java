package dev.rosetta.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One {@code T} per event loop, touched only by that loop's thread (no lock), made on the loop's first
 * use; and a way to reach every loop's, each on its own loop. What {@link Leases} and {@link Coalescer}
 * keep per loop.
 */
final class PerLoop<T> {

    private final ThreadLocal<T> mine = new ThreadLocal<>();
    private final Map<T, Context> all = new ConcurrentHashMap<>();
    private final Function<Context, T> create;

    PerLoop(Function<Context, T> create) {
        this.create = create;
    }

    /** Whether the caller runs on an event loop, where it may have one. */
    static boolean onEventLoop() {
        Context c = Vertx.currentContext();
        return c != null && c.isEventLoopContext() && Context.isOnEventLoopThread();
    }

    /** The caller's, made if it has none; null off the event loops. */
    T mine() {
        T t = mine.get();
        if (t == null && onEventLoop()) {
            Context c = Vertx.currentContext();
            t = create.apply(c);
            mine.set(t);
            all.put(t, c);
        }
        return t;
    }

    /** The caller's if it has one, else null. */
    T existing() {
        return mine.get();
    }

    /** Runs {@code action} on every loop's, each on its own loop; completes with their results. */
    <R> Future<List<R>> onEach(Function<T, R> action) {
        List<Future<R>> each = new ArrayList<>();
        all.forEach((t, context) -> {
            Promise<R> p = Promise.promise();
            context.runOnContext(v -> p.complete(action.apply(t)));
            each.add(p.future());
        });
        return Future.all(each).map(f -> {
            List<R> out = new ArrayList<>(f.size());
            for (int i = 0; i < f.size(); i++) {
                out.add(f.resultAt(i));
            }
            return out;
        });
    }
}
