package dev.rosetta.route;

import dev.rosetta.error.Redactor;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.pipeline.Replies;
import io.vertx.core.Vertx;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The route stage: a routed model's request is tried on its targets, one attempt at a time, in the
 * order its strategy gives, until one commits (its first byte goes to the client) or none is left.
 * One per event loop; the health it reads and writes is shared.
 */
public final class Router {

    final Vertx vertx;
    final Health health;
    final Delays delays;
    final RandomGenerator random;
    final Replies replies;
    final Redactor redactor;
    private final Supplier<Routing> routing;

    public Router(Vertx vertx, Supplier<Routing> routing, Health health, Delays delays, RandomGenerator random,
                  Replies replies) {
        this.vertx = vertx;
        this.routing = routing;
        this.health = health;
        this.delays = delays;
        this.random = random;
        this.replies = replies;
        this.redactor = replies.redactor();
    }

    /** The group of the route's model when it is routed, else null (the request goes as it is). */
    public ModelGroup group(Route route) {
        return routing.get().routed(route);
    }

    /**
     * Runs the request's attempts.
     *
     * @param call makes one attempt on the route it is given (passthrough, conversion, ...); a failure
     *             before commit comes back through the exchange ({@link Exchange#failOver})
     */
    public void route(Exchange ex, ModelGroup group, Consumer<Route> call) {
        new RoutedRequest(this, routing.get(), ex, group, call).start();
    }
}
