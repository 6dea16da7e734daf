package dev.rosetta.observe;

import dev.rosetta.config.GatewayConfig;
import dev.rosetta.console.Console;
import dev.rosetta.ledger.Ledger;
import dev.rosetta.metrics.GatewayMetrics;
import dev.rosetta.pipeline.CompletionListener;
import dev.rosetta.trace.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * What lets people see inside a running gateway, made once per gateway and shared by its event loops:
 * metrics ({@code /metrics}), traces, and the console ({@code /ui}) with its live feed and recent
 * statistics. Each part is absent when switched off and then costs nothing.
 */
public final class Observability implements AutoCloseable {

    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final Tracing tracing;
    private final Console console;
    private HttpServer metricsServer;

    private Observability(GatewayConfig config, GatewayMetrics metrics, Tracing tracing, Console console) {
        this.console = console;
        this.config = config;
        this.metrics = metrics;
        this.tracing = tracing;
    }

    /**
     * @param inFlight the gateway's count of requests in flight
     * @param tracing traces with an exporter of the caller's (tests); empty for the configuration's
     * @param clock the gateway's clock: the console's recent statistics and sessions count time in it
     */
    public static Observability create(GatewayConfig config, IntSupplier inFlight, Optional<Tracing> tracing,
                                       Ledger ledger, java.time.Clock clock) {
        GatewayMetrics m = null;
        if (config.observability().metrics().enabled()) {
            m = new GatewayMetrics(config, inFlight);
            if (ledger != null) {
                m.ledger(ledger);
            }
        }
        Tracing t = tracing.orElseGet(() -> config.observability().traces().enabled()
                ? Tracing.open(config.observability().traces()) : null);
        // The console is for the admin key holder: without the admin API there is nothing to sign in to.
        Console c = config.auth().mode() == dev.rosetta.config.AuthConfig.Mode.KEYS && config.auth().adminKey().isPresent()
                ? new Console(config, clock) : null;
        return new Observability(config, m, t, c);
    }

    public Optional<GatewayMetrics> metrics() {
        return Optional.ofNullable(metrics);
    }

    /** Null when traces are off (the upstream calls then carry no tracing at all). */
    public Tracing tracingOrNull() {
        return tracing;
    }

    /** The completion listeners to add after the access log and the ledger. */
    public List<CompletionListener> listeners() {
        List<CompletionListener> l = new ArrayList<>(3);
        if (tracing != null) {
            l.add(tracing);
        }
        if (metrics != null) {
            l.add(metrics);
        }
        if (console != null) {
            l.addAll(console.listeners());
        }
        return l;
    }

    /** Starts what listens on its own port ({@code metrics.port}); the port is then {@link #metricsPort()}. */
    public Future<Void> start(Vertx vertx) {
        Optional<Integer> port = config.observability().metrics().port();
        if (metrics == null || port.isEmpty()) {
            return Future.succeededFuture();
        }
        metricsServer = vertx.createHttpServer();
        return metricsServer.requestHandler(req -> {
            if (!serveMetrics(vertx, req)) {
                req.response().setStatusCode(404).end();
            }
        }).listen(port.get(), config.server().host()).mapEmpty();
    }

    /** The port {@code /metrics} has to itself, or -1 when it is served on the main port (or not at all). */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.actualPort();
    }

    /**
     * The request handler of one event loop's server: {@code /metrics} (on the main port unless it has
     * its own), the console ({@code /ui}), else {@code next}.
     */
    public Handler<HttpServerRequest> front(Vertx vertx, Handler<HttpServerRequest> next) {
        if (console != null) {
            next = console.front(vertx, next);
        }
        return metricsFront(vertx, next);
    }

    private Handler<HttpServerRequest> metricsFront(Vertx vertx, Handler<HttpServerRequest> next) {
        boolean metricsHere = metrics != null && config.observability().metrics().port().isEmpty();
        if (!metricsHere) {
            return next;
        }
        return req -> {
            if (!serveMetrics(vertx, req)) {
                next.handle(req);
            }
        };
    }

    private boolean serveMetrics(Vertx vertx, HttpServerRequest req) {
        if (metrics == null || req.method() != HttpMethod.GET || !"/metrics".equals(req.path())) {
            return false;
        }
        // The JVM gauges and a few hundred series take a while to render: off the event loop.
        vertx.executeBlocking(metrics::scrape, false).onComplete(ar -> {
            if (ar.succeeded()) {
                req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                        .end(Buffer.buffer(ar.result().getBytes(StandardCharsets.UTF_8)));
            } else {
                req.response().setStatusCode(500).end();
            }
        });
        return true;
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        if (tracing != null) {
            tracing.close();
        }
    }
}
