package dev.rosetta.server;

import dev.rosetta.admin.AdminApi;
import dev.rosetta.auth.Admission;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.error.Redactor;
import dev.rosetta.ledger.Ledger;
import dev.rosetta.limits.Limiter;
import dev.rosetta.limits.Police;
import dev.rosetta.mock.MockProvider;
import dev.rosetta.pipeline.AccessLog;
import dev.rosetta.pipeline.ApiPassthrough;
import dev.rosetta.pipeline.Conversion;
import dev.rosetta.pipeline.CountTokens;
import dev.rosetta.pipeline.Embeddings;
import dev.rosetta.pipeline.Passthrough;
import dev.rosetta.pipeline.Pipeline;
import dev.rosetta.pipeline.Replies;
import dev.rosetta.pipeline.TokenCounters;
import dev.rosetta.pipeline.Upstream;
import dev.rosetta.route.ApiProviders;
import dev.rosetta.route.ModelRoutes;
import dev.rosetta.store.KeyService;
import dev.rosetta.upstream.MediaFetcher;
import dev.rosetta.upstream.UpstreamClients;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** One event loop's share of the gateway: an HTTP server on the shared port and its own upstream clients. */
final class GatewayVerticle extends VerticleBase {

    private final GatewayConfig config;
    private final ModelRoutes routes;
    private final OpaqueState opaque;
    private final TokenCounters counters;
    private final int port;
    private final Lifecycle lifecycle;
    private final Admission admission;
    private final KeyService keys;
    private final Ledger ledger;
    private final Limiter limiter;
    private final dev.rosetta.budget.BudgetGuard budgets;
    private final java.time.Clock clock;
    private final dev.rosetta.route.RoutingState routing;
    private final dev.rosetta.cache.ResponseCache.Shared cache;
    private final dev.rosetta.observe.Observability observe;
    private HttpServer server;
    private UpstreamClients clients;

    /**
     * @param counters shared by every verticle: what one event loop learns about a provider, all use
     * @param admission the admit stage and {@code keys} the key store, both null with {@code auth: none}
     * @param ledger the usage ledger, null without a store
     * @param limiter shared by every verticle, null when no limit is configured; {@code clock} counts its time
     * @param budgets shared by every verticle, null without keys
     * @param cache the response cache's store, shared by every verticle; null when the cache is off
     */
    GatewayVerticle(GatewayConfig config, ModelRoutes routes, OpaqueState opaque, TokenCounters counters, int port,
                    Lifecycle lifecycle, Admission admission, KeyService keys, Ledger ledger, Limiter limiter,
                    java.time.Clock clock, dev.rosetta.budget.BudgetGuard budgets, dev.rosetta.route.RoutingState routing,
                    dev.rosetta.cache.ResponseCache.Shared cache, dev.rosetta.observe.Observability observe) {
        this.budgets = budgets;
        this.routing = routing;
        this.cache = cache;
        this.observe = observe;
        this.limiter = limiter;
        this.clock = clock;
        this.admission = admission;
        this.ledger = ledger;
        this.keys = keys;
        this.config = config;
        this.routes = routes;
        this.opaque = opaque;
        this.counters = counters;
        this.port = port;
        this.lifecycle = lifecycle;
    }

    @Override
    public Future<?> start() {
        dev.rosetta.upstream.Egress egress = new dev.rosetta.upstream.Egress(config.network().egress());
        clients = new UpstreamClients(vertx, config.providers(), egress);
        java.util.List<String> secrets = new java.util.ArrayList<>();
        config.providers().forEach(p -> secrets.add(p.apiKey().value()));
        config.routing().keyPools().values().forEach(keys -> keys.forEach(k -> secrets.add(k.value())));
        config.auth().adminKey().ifPresent(k -> secrets.add(k.value()));
        config.auth().keys().forEach(k -> secrets.add(k.key().value()));
        secrets.addAll(egress.secrets());
        Redactor redactor = new Redactor(secrets);
        AccessLog accessLog = new AccessLog(config.server().accessLog(), redactor);
        java.util.List<dev.rosetta.pipeline.CompletionListener> listeners = new java.util.ArrayList<>(
                ledger == null ? java.util.List.of(accessLog) : java.util.List.of(accessLog, ledger));
        listeners.addAll(observe.listeners());
        Replies replies = new Replies(listeners, lifecycle::end, redactor);
        Upstream upstream = new Upstream(vertx, clients, replies, observe.tracingOrNull());
        Police police = limiter == null ? null : new Police(limiter, config.limiter(), clock, replies, budgets);
        Pipeline pipeline = new Pipeline(routes, new Passthrough(upstream, config.server().stream()), new Conversion(upstream, replies, opaque, config.server().strict(),
                new MediaFetcher(vertx, config.server().mediaFetch(), egress), config.server().stream()),
                new CountTokens(upstream, replies, opaque, counters), new Embeddings(upstream, replies), new MockProvider(replies),
                police,
                cache == null ? null : new dev.rosetta.cache.ResponseCache(config.cache(), cache, opaque, replies, clock),
                new dev.rosetta.route.Router(vertx, routing::routing, routing.health(), routing.delays(),
                        new java.util.SplittableRandom(), replies));
        ApiPassthrough passthrough = new ApiPassthrough(vertx, upstream, new ApiProviders(config.providers(), routes),
                config.server().requestReadTimeout(), admission == null ? java.util.Optional.empty() : admission.uploads(),
                police);
        RequestRouter router = new RequestRouter(routes, pipeline, passthrough, replies, config.server().maxBodyBytes(),
                lifecycle, vertx, config.server().requestReadTimeout(), admission, keys == null ? null
                        : new AdminApi(keys, config.auth().adminKey(), admission.throttle(), java.time.Clock.systemUTC(),
                                new java.security.SecureRandom(), replies, java.util.Optional.ofNullable(ledger))
                                .withLiveState(new dev.rosetta.budget.LiveState(budgets, limiter, clock))
                                .withPlayground(new dev.rosetta.admin.Playground(vertx, lifecycle.captures,
                                        config.server().host(), () -> server.actualPort(), redactor,
                                        config.network().tls().isPresent())),
                () -> counterTrouble(limiter, budgets), new dev.rosetta.route.HealthApi(routing, config.auth().adminKey(), replies));
        SlowClientGuard guard = new SlowClientGuard(vertx, config.server().requestReadTimeout());
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.server().host())
                .setPort(port)
                .setTcpNoDelay(true)
                .setReuseAddress(true)
                .setMaxHeaderSize(64 * 1024)
                .setIdleTimeout(600)
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setCompressionSupported(false)
                // No cleartext HTTP/2 (h2c): to look for "Upgrade: h2c", Vert.x holds a connection back
                // until a whole request head has arrived, so nothing could bound a head sent slowly.
                .setHttp2ClearTextEnabled(false);
        io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> front = observe.front(vertx, router::handle);
        dev.rosetta.edge.ListenerTls tls = config.network().tls().map(dev.rosetta.edge.ListenerTls::new).orElse(null);
        if (tls != null) {
            tls.apply(options);
        }
        dev.rosetta.edge.Cors cors = config.network().cors().map(dev.rosetta.edge.Cors::new).orElse(null);
        server = vertx.createHttpServer(options).connectionHandler(guard::connected).requestHandler(req -> {
            guard.requestStarted(req);
            if (cors == null || !cors.handle(req)) {
                front.handle(req);
            }
        });
        return server.listen().onSuccess(x -> {
            if (tls != null) {
                tls.watch(vertx, server);
            }
        });
    }

    int actualPort() {
        return server.actualPort();
    }

    /** Stops accepting; open connections get {@code grace} to finish what they carry. */
    Future<Void> shutdown(Duration grace) {
        return server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS).onComplete(v -> clients.close());
    }

    @Override
    public Future<?> stop() {
        if (clients != null) {
            clients.close();
        }
        return Future.succeededFuture();
    }

    /** What is wrong with the shared counters (limits, budgets) right now; empty while they answer. */
    private static java.util.Map<String, String> counterTrouble(dev.rosetta.limits.Limiter limiter,
                                                                dev.rosetta.budget.BudgetGuard budgets) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>(2);
        if (limiter != null) {
            limiter.trouble().ifPresent(t -> out.put("limits", t));
        }
        if (budgets != null) {
            budgets.book().trouble().ifPresent(t -> out.put("budgets", t));
        }
        return out;
    }
}
