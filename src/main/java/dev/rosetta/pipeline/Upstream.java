package dev.rosetta.pipeline;

import dev.rosetta.route.Route;
import dev.rosetta.upstream.ProviderRequests;
import dev.rosetta.upstream.UpstreamClients;
import io.vertx.core.Vertx;
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
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(url)
                .setHeaders(ProviderRequests.headers(route.provider(), ex.request().headers()))
                .setConnectTimeout(route.provider().connectTimeout().toMillis());
        UpstreamCall call = new UpstreamCall(vertx, ex, route, replies, tracing);
        call.send(clients.client(route.provider().name()).orElseThrow(), options, body, handler);
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
