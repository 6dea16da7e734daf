package dev.rosetta.server;

import dev.rosetta.auth.Admission;
import dev.rosetta.auth.FailedAuthThrottle;
import dev.rosetta.auth.UploadGrants;
import dev.rosetta.config.AuthConfig;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.dialect.opaque.StateSealer;
import dev.rosetta.ledger.Ledger;
import dev.rosetta.ledger.Ledgers;
import dev.rosetta.pipeline.TokenCounters;
import dev.rosetta.route.ModelRoutes;
import dev.rosetta.store.KeyService;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.security.SecureRandom;
import dev.rosetta.config.LimiterConfig;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.limits.InProcessLimiter;
import dev.rosetta.limits.Limiter;
import dev.rosetta.limits.Police;
import dev.rosetta.cache.ResponseCache;
import dev.rosetta.limits.redis.RedisLimiter;
import dev.rosetta.redis.RedisLink;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A running gateway: one HTTP server per event loop on one port. Start with {@link #start}, stop
 * with {@link #shutdown} (graceful) or {@link #close}.
 */
public final class Gateway {

    /** How long a Gemini upload URL handed out under {@code auth: keys} works without a key. */
    static final Duration UPLOAD_GRANT_TTL = Duration.ofHours(24);

    private final Vertx vertx;
    private final GatewayConfig config;
    private final List<GatewayVerticle> verticles;
    private final int port;
    private final Lifecycle lifecycle;
    private final KeyService keys;
    private final Ledger ledger;
    private RedisLink redis;
    private ResponseCache.Shared cache;
    private dev.rosetta.observe.Observability observe;
    private dev.rosetta.route.RoutingState routing;
    private dev.rosetta.route.ConfigWatcher watcher;

    private Gateway(Vertx vertx, GatewayConfig config, List<GatewayVerticle> verticles, int port, Lifecycle lifecycle,
                    KeyService keys, Ledger ledger) {
        this.keys = keys;
        this.ledger = ledger;
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
        return start(config, eventLoops, Clock.systemUTC());
    }

    /** @param clock the time limits are counted in: tests move it instead of sleeping */
    public static Future<Gateway> start(GatewayConfig config, int eventLoops, Clock clock) {
        return start(config, eventLoops, clock, dev.rosetta.route.Delays.TIMERS, o -> o, Optional.empty());
    }

    /** @param tune adjusts Vert.x's options (tests tighten the blocked-thread checker) */
    public static Future<Gateway> start(GatewayConfig config, int eventLoops, Clock clock,
                                        java.util.function.UnaryOperator<VertxOptions> tune) {
        return start(config, eventLoops, clock, dev.rosetta.route.Delays.TIMERS, tune, Optional.empty());
    }

    /** @param delays how retries wait (backoff, retry-after): tests move their clock instead */
    public static Future<Gateway> start(GatewayConfig config, int eventLoops, Clock clock,
                                        dev.rosetta.route.Delays delays) {
        return start(config, eventLoops, clock, delays, o -> o, Optional.empty());
    }

    /** @param tracing traces with an exporter of the caller's (tests); empty for what the configuration says */
    public static Future<Gateway> start(GatewayConfig config, int eventLoops, Clock clock,
                                        Optional<dev.rosetta.trace.Tracing> tracing) {
        return start(config, eventLoops, clock, dev.rosetta.route.Delays.TIMERS, o -> o, tracing);
    }

    /**
     * @param delays how retries wait (backoff, retry-after): tests move their clock instead
     * @param tune adjusts Vert.x's options (tests tighten the blocked-thread checker)
     * @param tracing traces with an exporter of the caller's (tests); empty for what the configuration says
     */
    public static Future<Gateway> start(GatewayConfig config, int eventLoops, Clock clock,
                                        dev.rosetta.route.Delays delays,
                                        java.util.function.UnaryOperator<VertxOptions> tune,
                                        Optional<dev.rosetta.trace.Tracing> tracing) {
        Vertx vertx = Vertx.vertx(tune.apply(new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(2)
                .setPreferNativeTransport(true)));
        ModelRoutes routes = new ModelRoutes(config);
        StateSealer sealer = config.stateSecret().map(s -> StateSealer.withSecret(s.value()))
                .orElseGet(() -> StateSealer.generated(new SecureRandom()));
        OpaqueState opaque = new OpaqueState(sealer);
        Lifecycle lifecycle = new Lifecycle();
        TokenCounters counters = new TokenCounters(config.providers());
        // auth: keys loads its keys (store migrated, declared and stored keys merged) before serving; if the
        // store cannot be reached the gateway serves anyway, answering 503 until it can.
        KeyService keys = config.auth().mode() == AuthConfig.Mode.KEYS ? KeyService.open(config.auth()) : null;
        Admission admission = keys == null ? null
                : new Admission(keys.ring(), new FailedAuthThrottle(Clock.systemUTC()), Clock.systemUTC(), keys.lastUse(),
                        Optional.of(new UploadGrants(sealer, UPLOAD_GRANT_TTL)));
        Future<?> loaded = keys == null ? Future.succeededFuture()
                : Future.fromCompletionStage(keys.start().completeOnTimeout(false, 15, TimeUnit.SECONDS));
        // The ledger lives in the store, so it is on whenever there is one (auth: keys), unless switched off.
        Ledger ledger = keys == null || !config.ledger().enabled() ? null : Ledgers.open(config);
        // One link to Redis (when redis: is set) for the limits, the budgets and the cache alike.
        RedisLink redis = config.limiter().redis().map(url -> RedisLink.open(vertx, url, config.limiter().timeout()))
                .orElse(null);
        Limiter limiter = Police.needed(config) ? limiter(redis, config) : null;
        dev.rosetta.budget.BudgetGuard budgets = dev.rosetta.budget.Budgets.open(vertx, config, redis, ledger, clock);
        if (limiter instanceof RedisLimiter shared) {
            loaded = loaded.compose(x -> shared.warm().timeout(6, TimeUnit.SECONDS).otherwiseEmpty());
        }
        dev.rosetta.route.RoutingState routing = new dev.rosetta.route.RoutingState(config, routes, clock, delays);
        ResponseCache.Shared cache = ResponseCache.needed(config) ? ResponseCache.Shared.open(redis, config, clock) : null;
        dev.rosetta.observe.Observability observe = dev.rosetta.observe.Observability.create(config,
                lifecycle::inFlight, tracing, ledger, clock);
        loaded = loaded.compose(x -> observe.start(vertx));
        if (cache != null) {
            observe.metrics().ifPresent(m -> dev.rosetta.cache.CacheMetrics.bind(m.registry(), cache.store()));
        }
        List<GatewayVerticle> verticles = new CopyOnWriteArrayList<>();
        // One deployment of n instances sharing one listening socket. Vert.x shares servers by the
        // port asked for and gives each port-0 server a port of its own; port -1 asks it to bind a
        // free port once and share that.
        int requested = config.server().port() == 0 ? -1 : config.server().port();
        return loaded.compose(x -> {
            if (ledger != null) {
                ledger.start(); // after the migrations (or the wait for them), so its tables exist
            }
            return vertx.deployVerticle(() -> {
                    GatewayVerticle v = new GatewayVerticle(config, routes, opaque, counters, requested, lifecycle,
                            admission, keys, ledger, limiter, clock, budgets, routing, cache, observe);
                    verticles.add(v);
                    return v;
                }, new DeploymentOptions().setInstances(eventLoops));
        })
                .map(id -> {
                    int port = verticles.get(0).actualPort();
                    for (GatewayVerticle v : verticles) {
                        if (v.actualPort() != port) {
                            throw new IllegalStateException("servers did not share one port: " + port + " and " + v.actualPort());
                        }
                    }
                    Gateway g = new Gateway(vertx, config, verticles, port, lifecycle, keys, ledger);
                    g.redis = redis;
                    g.cache = cache;
                    g.observe = observe;
                    g.routing = routing;
                    return g;
                })
                // Fail first, then close: a callback on vertx.close() would run on a closed event loop.
                .recover(err -> {
                    if (redis != null) {
                        redis.close();
                    }
                    observe.close();
                    if (ledger != null) {
                        ledger.close();
                    }
                    if (keys != null) {
                        keys.close();
                    }
                    vertx.close();
                    return Future.failedFuture(asBindException(err));
                });
    }

    /** In this process, or in Redis shared by every replica when {@code redis:} is set. */
    private static Limiter limiter(RedisLink redis, GatewayConfig config) {
        LimiterConfig c = config.limiter();
        if (redis == null) {
            return new InProcessLimiter();
        }
        // A concurrency slot outlives a replica that died holding it by the longest a request may take.
        Duration lease = config.providers().stream().map(ProviderConfig::timeout).max(Duration::compareTo)
                .orElse(Duration.ofMinutes(10)).plusMinutes(1);
        return new RedisLimiter(redis, c.redisPrefix(), lease, c.onFailure());
    }

    /**
     * The epoll transport reports a port in use as its own {@code NativeIoException} ("bind(..) failed:
     * Address already in use"), NIO as a {@link java.net.BindException}: callers get the latter either way.
     */
    private static Throwable asBindException(Throwable err) {
        if (err instanceof java.io.IOException && !(err instanceof java.net.BindException)
                && err.getMessage() != null && err.getMessage().contains("Address already in use")) {
            java.net.BindException bind = new java.net.BindException(err.getMessage());
            bind.initCause(err);
            return bind;
        }
        return err;
    }

    public int port() {
        return port;
    }

    /** The response cache's store and requests in flight; empty when the cache is off. */
    public Optional<ResponseCache.Shared> cache() {
        return Optional.ofNullable(cache);
    }

    /** Metrics, traces and the console of this gateway. */
    public dev.rosetta.observe.Observability observability() {
        return observe;
    }

    /**
     * Reloads from {@code file} on {@link #reload()}, {@code POST /admin/v1/reload} and, with
     * {@code watch_config: true}, whenever the file changes.
     */
    public void reloadFrom(java.nio.file.Path file, java.util.function.Function<String, String> env) {
        routing.source(() -> dev.rosetta.config.ConfigLoader.load(file, env));
        if (config.routing().watchConfig() && watcher == null) {
            try {
                watcher = new dev.rosetta.route.ConfigWatcher(file, routing::reload);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot watch " + file, e);
            }
        }
    }

    /** Reads the configuration file again and applies its models and routing if it is valid (blocking). */
    public dev.rosetta.route.RoutingState.Reloaded reload() {
        return routing.reload();
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
        if (watcher != null) {
            watcher.close();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        io.vertx.core.Promise<Void> drained = io.vertx.core.Promise.promise();
        waitForIdle(deadline, drained);
        return drained.future().compose(x -> {
            List<Future<Void>> stops = new ArrayList<>();
            verticles.forEach(v -> stops.add(v.shutdown(Duration.ofMillis(100))));
            return Future.join(stops);
        }).transform(x -> redis == null ? Future.<Void>succeededFuture() : redis.close()).transform(x -> {
            // the link has written the last settlements (budgets, limits) before it closed
            if (keys != null) {
                keys.close();
            }
            return vertx.close();
        }).transform(x -> {
            // Every request has ended by now, cut ones included, and told the ledger: what it holds goes to
            // the store, or to the spool if the store is away.
            if (ledger != null) {
                ledger.close();
            }
            observe.close();
            return x.succeeded() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(x.cause());
        });
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
