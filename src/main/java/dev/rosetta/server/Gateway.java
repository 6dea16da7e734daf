package dev.rosetta.server;

import dev.rosetta.config.GatewayConfig;
import dev.rosetta.route.ModelRoutes;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A running gateway: one HTTP server per event loop on one port. Start with {@link #start}, stop
 * with {@link #shutdown} (graceful) or {@link #close}.
 */
public final class Gateway {

    private final Vertx vertx;
    private final GatewayConfig config;
    private final List<GatewayVerticle> verticles;
    private final int port;
    private final Lifecycle lifecycle;

    private Gateway(Vertx vertx, GatewayConfig config, List<GatewayVerticle> verticles, int port, Lifecycle lifecycle) {
        this.vertx = vertx;
        this.config = config;
        this.verticles = verticles;
        this.port = port;
        this.lifecycle = lifecycle;
    }

    /** Starts the gateway with one event loop per core. */
    public static Future<Gateway> start(GatewayConfig config) {
        return start(config, Runtime.getRuntime().availableProcessors());
    }

    public static Future<Gateway> start(GatewayConfig config, int eventLoops) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(2)
                .setPreferNativeTransport(true));
        ModelRoutes routes = new ModelRoutes(config);
        List<GatewayVerticle> verticles = new CopyOnWriteArrayList<>();
        Lifecycle lifecycle = new Lifecycle();
        Gateway[] self = new Gateway[1];
        // The first server binds; the others then share its port. Vert.x shares a server only between
        // listens on the same requested port, and never shares port 0, so "any free port" is asked
        // for as -1: every listen on -1 shares the one random port the first one got.
        int requested = config.server().port() == 0 ? -1 : config.server().port();
        GatewayVerticle first = new GatewayVerticle(config, routes, requested, lifecycle);
        verticles.add(first);
        return vertx.deployVerticle(first)
                .compose(id -> {
                    int port = first.actualPort();
                    self[0] = new Gateway(vertx, config, verticles, port, lifecycle);
                    if (eventLoops <= 1) {
                        return Future.succeededFuture(self[0]);
                    }
                    return vertx.deployVerticle(() -> {
                        GatewayVerticle v = new GatewayVerticle(config, routes, requested, lifecycle);
                        verticles.add(v);
                        return v;
                    }, new DeploymentOptions().setInstances(eventLoops - 1)).map(x -> self[0]);
                })
                // Fail now and close in the background: waiting for close() here would complete this
                // future on an event loop that close() has already shut down, and it would never complete.
                .recover(err -> {
                    vertx.close();
                    return Future.failedFuture(err);
                });
    }

    public int port() {
        return port;
    }

    public GatewayConfig config() {
        return config;
    }

    public boolean draining() {
        return lifecycle.draining();
    }

    /** Requests accepted and not yet answered in full. */
    public int inFlight() {
        return lifecycle.inFlight();
    }

    /**
     * Graceful stop: from now on new requests get 503 in their dialect (and /ready fails, so a load
     * balancer moves away), in-flight ones may finish within {@code grace}; then the servers and
     * everything else are closed.
     */
    public Future<Void> shutdown(Duration grace) {
        lifecycle.drain();
        long deadline = System.nanoTime() + grace.toNanos();
        io.vertx.core.Promise<Void> drained = io.vertx.core.Promise.promise();
        waitForIdle(deadline, drained);
        return drained.future().compose(x -> {
            List<Future<Void>> stops = new ArrayList<>();
            verticles.forEach(v -> stops.add(v.shutdown(Duration.ofMillis(100))));
            return Future.join(stops);
        }).transform(x -> vertx.close());
    }

    private void waitForIdle(long deadline, io.vertx.core.Promise<Void> drained) {
        if (lifecycle.inFlight() <= 0 || System.nanoTime() >= deadline) {
            drained.tryComplete();
            return;
        }
        vertx.setTimer(20, id -> waitForIdle(deadline, drained));
    }

    public Future<Void> close() {
        return shutdown(Duration.ZERO);
    }
}
