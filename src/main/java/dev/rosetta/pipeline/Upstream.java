package dev.rosetta.pipeline;

import dev.rosetta.route.Route;
import dev.rosetta.upstream.ProviderRequests;
import dev.rosetta.upstream.UpstreamClients;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.upstream.auth.PlatformAuth;
import dev.rosetta.upstream.bedrock.SseResponse;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.function.Consumer;

/** Starts {@link UpstreamCall}s on this event loop's pooled clients. */
public final class Upstream {

    private final Vertx vertx;
    private final UpstreamClients clients;
    private final Replies replies;
    private final dev.rosetta.trace.Tracing tracing;

    public Upstream(Vertx vertx, UpstreamClients clients, Replies replies) {
        this(vertx, clients, replies, null);
    }

    /** @param tracing starts a span per attempt; null when traces are off */
    public Upstream(Vertx vertx, UpstreamClients clients, Replies replies, dev.rosetta.trace.Tracing tracing) {
        this.vertx = vertx;
        this.clients = clients;
        this.replies = replies;
        this.tracing = tracing;
    }

    public UpstreamCall call(Exchange ex, Route route, String url, byte[] body, UpstreamCall.Handler handler) {
        MultiMap headers = ProviderRequests.headers(route.provider(), ex.request().headers());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(url)
                .setHeaders(headers)
                .setConnectTimeout(route.provider().connectTimeout().toMillis());
        UpstreamCall call = new UpstreamCall(vertx, ex, route, replies, tracing);
        HttpClientAgent client = clients.client(route.provider().name()).orElseThrow();
        UpstreamCall.Handler h = handler;
        if (route.provider().type() == ProviderType.BEDROCK) {
            headers.set("accept", url.endsWith("/invoke-with-response-stream") ? SseResponse.EVENT_STREAM : "application/json");
            h = (c, resp) -> handler.onResponse(c, SseResponse.applies(resp) ? new SseResponse(resp, e -> c.fail(
                    GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream provider " + route.provider().name()
                            + " sent a stream Rosetta could not read: " + e.getMessage()))) : resp);
        }
        PlatformAuth auth = clients.auth(route.provider().name()).orElse(null);
        if (auth == null) {
            call.send(client, options, body, h);
            return call;
        }
        UpstreamCall.Handler then = h;
        auth.apply(headers, "POST", url, body).onComplete(ar -> {
            if (call.done()) {
                return;
            }
            if (ar.failed()) {
                call.fail(GatewayError.of(ErrorKind.BAD_GATEWAY, "could not authenticate to upstream provider "
                        + route.provider().name() + ": " + ar.cause().getMessage()));
                return;
            }
            call.send(client, options, body, then);
        });
        return call;
    }

    /**
     * A request of any method with the caller's options (URL, headers), its body written by
     * {@code body} once the upstream request is open.
     */
    public UpstreamCall stream(Exchange ex, Route route, RequestOptions options,
                               Consumer<HttpClientRequest> body,
                               UpstreamCall.Handler handler) {
        options.setConnectTimeout(route.provider().connectTimeout().toMillis());
        UpstreamCall call = new UpstreamCall(vertx, ex, route, replies, tracing);
        call.stream(clients.client(route.provider().name()).orElseThrow(), options, body, handler);
        return call;
    }
}
