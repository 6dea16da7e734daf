package dev.rosetta.route;

import io.vertx.core.Vertx;
import java.time.Duration;

/** Runs a task after a delay on the current event loop; tests move their clock instead of waiting. */
@FunctionalInterface
public interface Delays {

    void after(Vertx vertx, Duration delay, Runnable task);

    /** Vert.x timers; no delay runs the task at once. */
    Delays TIMERS = (vertx, delay, task) -> {
        if (delay.isZero()) {
            task.run();
        } else {
            vertx.setTimer(Math.max(1, delay.toMillis()), id -> task.run());
        }
    };
}
