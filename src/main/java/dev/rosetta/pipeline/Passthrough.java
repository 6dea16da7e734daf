package dev.rosetta.pipeline;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.dialect.ErrorRenderer;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.route.Route;
import dev.rosetta.sse.SseEvent;
import dev.rosetta.sse.SseWriter;
import dev.rosetta.upstream.ProviderRequests;
import dev.rosetta.upstream.UpstreamClients;
import dev.rosetta.usage.JsonUsageTap;
import dev.rosetta.usage.SseUsageTap;
import dev.rosetta.usage.UsageTap;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Same-dialect proxying: the client's body goes upstream unchanged but for the model name, and the
 * answer comes back byte for byte, streamed chunk by chunk with backpressure. Usage is read from the
 * passing bytes for the access log.
 */
public final class Passthrough {

    private final Vertx vertx;
    private final UpstreamClients clients;
    private final Replies replies;

    public Passthrough(Vertx vertx, UpstreamClients clients, Replies replies) {
        this.vertx = vertx;
        this.clients = clients;
        this.replies = replies;
    }

    /**
     * @param geminiVersion the API version in the client's Gemini path
     * @param sse whether a Gemini client asked for {@code alt=sse}
     */
    public void forward(Exchange ex, Route route, byte[] body, String geminiVersion, boolean sse) {
        HttpClientAgent client = clients.client(route.provider().name()).orElseThrow();
        Endpoint endpoint = ex.endpoint();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(ProviderRequests.url(route.provider(), endpoint, route.upstreamModel(), geminiVersion, sse))
                .setHeaders(ProviderRequests.headers(route.provider(), ex.request().headers()))
                .setConnectTimeout(route.provider().connectTimeout().toMillis());
        Call call = new Call(ex, route);
        call.timer = vertx.setTimer(Math.max(1, route.provider().timeout().toMillis()), id -> call.timedOut());
        ex.response().closeHandler(v -> call.clientGone());
        client.request(options)
                .compose(req -> {
                    call.upstream = req;
                    if (call.done) {
                        req.reset();
                    }
                    return req.send(Buffer.buffer(body));
                })
                .onSuccess(call::relay)
                .onFailure(call::failed);
    }

    /** One proxied call; all callbacks run on the request's event loop. */
    private final class Call {
        private final Exchange ex;
        private final Route route;
        private HttpClientRequest upstream;
        private UsageTap tap;
        private long timer;
        private boolean done;
        private boolean timedOut;

        Call(Exchange ex, Route route) {
            this.ex = ex;
            this.route = route;
        }

        void relay(HttpClientResponse up) {
            if (done) {
                return;
            }
            HttpServerResponse out = ex.response();
            out.setStatusCode(up.statusCode());
            for (Map.Entry<String, String> h : up.headers()) {
                if (ProviderRequests.relayResponseHeader(h.getKey())) {
                    out.headers().add(h.getKey(), h.getValue());
                }
            }
            out.putHeader("x-rosetta-request-id", ex.requestId());
            if (out.headers().get("content-length") == null) {
                out.setChunked(true);
            }
            String type = up.getHeader("content-type");
            boolean sse = type != null && type.startsWith("text/event-stream");
            tap = sse ? new SseUsageTap(route.provider().type()) : new JsonUsageTap(route.provider().type());
            ex.status(up.statusCode());
            up.handler(chunk -> {
                ex.markFirstByte();
                tap.feed(chunk);
                out.write(chunk);
                if (out.writeQueueFull()) {
                    up.pause();
                    out.drainHandler(v -> up.resume());
                }
            });
            up.exceptionHandler(this::broken);
            up.endHandler(v -> {
                if (done) {
                    return;
                }
                done = true;
                vertx.cancelTimer(timer);
                ex.usage(tap.finish());
                out.end();
                replies.finish(ex, up.statusCode());
            });
        }

        void failed(Throwable cause) {
            if (done) {
                return;
            }
            done = true;
            vertx.cancelTimer(timer);
            replies.error(ex, classify(cause));
        }

        /** The upstream broke off after the answer began. */
        void broken(Throwable cause) {
            if (done) {
                return;
            }
            done = true;
            vertx.cancelTimer(timer);
            GatewayError error = timedOut
                    ? GatewayError.of(ErrorKind.TIMEOUT, "upstream provider " + route.provider().name() + " timed out")
                    : GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream provider " + route.provider().name()
                            + " closed the connection mid-response");
            endWithError(error);
        }

        void timedOut() {
            timedOut = true;
            if (done) {
                return;
            }
            GatewayError error = GatewayError.of(ErrorKind.TIMEOUT, "upstream provider " + route.provider().name()
                    + " did not answer within " + route.provider().timeout().toSeconds() + "s");
            if (upstream != null) {
                upstream.reset();
            }
            if (!ex.response().headWritten()) {
                done = true;
                replies.error(ex, error);
            } else {
                done = true;
                endWithError(error);
            }
        }

        void clientGone() {
            if (done) {
                return;
            }
            done = true;
            vertx.cancelTimer(timer);
            if (upstream != null) {
                upstream.reset();
            }
            ex.outcome("client closed the connection");
            replies.finish(ex, 499);
        }

        /**
         * Ends an answer that has begun: an SSE stream gets an error event in the client's dialect so
         * the SDK raises an error; any other body is cut, so it cannot pass for a complete one.
         */
        private void endWithError(GatewayError error) {
            HttpServerResponse out = ex.response();
            ex.outcome(error.message());
            boolean midEvent = tap instanceof SseUsageTap sse && sse.midEvent();
            if (tap != null) {
                ex.usage(tap.finish());
            }
            if (tap instanceof SseUsageTap && !out.ended()) {
                Buffer b = Buffer.buffer();
                if (midEvent) {
                    b.appendString("\n\n");
                }
                String data = new String(ErrorRenderer.render(ex.dialect(), error), StandardCharsets.UTF_8);
                SseWriter.encode(new SseEvent(ex.dialect() == Dialect.ANTHROPIC ? "error" : "", data, ""), b);
                out.end(b);
            } else if (!out.ended()) {
                out.reset();
            }
            ex.status(error.status());
            replies.finish(ex, error.status());
        }

        private GatewayError classify(Throwable cause) {
            String name = route.provider().name();
            if (timedOut) {
                return GatewayError.of(ErrorKind.TIMEOUT, "upstream provider " + name + " did not answer within "
                        + route.provider().timeout().toSeconds() + "s");
            }
            if (cause instanceof ConnectTimeoutException) {
                return GatewayError.of(ErrorKind.TIMEOUT, "could not connect to upstream provider " + name
                        + " within " + route.provider().connectTimeout().toMillis() + "ms");
            }
            if (cause instanceof javax.net.ssl.SSLException || cause.getCause() instanceof javax.net.ssl.SSLException) {
                return GatewayError.of(ErrorKind.BAD_GATEWAY, "TLS handshake with upstream provider " + name
                        + " failed (certificate not trusted or protocol mismatch)");
            }
            if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
                return GatewayError.of(ErrorKind.BAD_GATEWAY, "could not connect to upstream provider " + name);
            }
            return GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream provider " + name + " failed: "
                    + cause.getClass().getSimpleName());
        }
    }
}
