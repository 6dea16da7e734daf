package dev.rosetta.pipeline;

import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.route.Route;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One request to a provider on behalf of one client request, with what every call needs whatever is
 * done with the answer: the whole-request timeout, cancellation when the client goes away, and
 * turning transport failures into gateway errors. All callbacks run on the request's event loop.
 *
 * <p>The caller decides what to do with the response ({@link Handler}) and how an answer that has
 * already begun is ended on failure ({@link #onBroken}).
 */
public final class UpstreamCall {

    /** What to do with the upstream's response once its head has arrived. */
    @FunctionalInterface
    public interface Handler {
        void onResponse(UpstreamCall call, HttpClientResponse response);
    }

    private final Vertx vertx;
    private final Exchange ex;
    private final Route route;
    private final Replies replies;
    private HttpClientRequest upstream;
    private long timer = -1;
    private boolean done;
    private boolean timedOut;
    private Consumer<GatewayError> onBroken;
    private Runnable onClientGone = () -> { };
    private long lastActivity = System.nanoTime();
    private long idleTimer = -1;
    private long firstByteTimer = -1;
    private boolean paused;
    private int upstreamStatus;
    private final dev.rosetta.trace.Tracing tracing;
    private dev.rosetta.trace.Tracing.Attempt attempt;

    UpstreamCall(Vertx vertx, Exchange ex, Route route, Replies replies, dev.rosetta.trace.Tracing tracing) {
        this.tracing = tracing;
        this.vertx = vertx;
        this.ex = ex;
        this.route = route;
        this.replies = replies;
        this.onBroken = error -> {
            ex.outcome(error.message());
            if (!ex.response().ended()) {
                ex.response().reset();
            }
        };
    }

    public dev.rosetta.error.Redactor redactor() {
        return replies.redactor();
    }

    public Exchange exchange() {
        return ex;
    }

    public Route route() {
        return route;
    }

    public boolean done() {
        return done;
    }

    /**
     * How to end an answer that has begun when the call fails; the default cuts the connection. The
     * request is then counted finished (and logged) by the call.
     */
    public void onBroken(Consumer<GatewayError> handler) {
        this.onBroken = handler;
    }

    /**
     * What to settle when the client goes away mid-answer, before the request is counted finished:
     * a relayed stream's usage so far, which the ledger records.
     */
    public void onClientGone(Runnable settle) {
        this.onClientGone = settle;
    }

    void send(HttpClientAgent client, RequestOptions options, byte[] body, Handler handler) {
        if (ex.capture() != null) {
            ex.capture().upstreamRequest(body);
        }
        start(client, options, body, req -> req.send(Buffers.wrap(body)), handler);
    }

    /**
     * As {@link #send}, with the body written by {@code body} once the upstream request is open: it
     * writes (honouring the request's write queue) and ends it, while the response may already arrive.
     */
    void stream(HttpClientAgent client, RequestOptions options, Consumer<HttpClientRequest> body, Handler handler) {
        start(client, options, null, req -> {
            body.accept(req);
            return req.response();
        }, handler);
    }

    /**
     * Every upstream attempt starts here, whichever stage asked for it: counted on the exchange and,
     * with traces on, given its span and {@code traceparent}.
     */
    private void start(HttpClientAgent client, RequestOptions options, byte[] sentBody,
                       Function<HttpClientRequest, Future<HttpClientResponse>> exchange, Handler handler) {
        ex.attemptStarted();
        if (tracing != null) {
            if (options.getHeaders() == null) {
                options.setHeaders(io.vertx.core.MultiMap.caseInsensitiveMultiMap());
            }
            attempt = tracing.attempt(ex, route, options.getHeaders(), sentBody);
        }
        timer = vertx.setTimer(Math.max(1, route.provider().timeout().toMillis()), id -> timeout());
        watchClient();
        ex.started(this);
        client.request(options)
                .compose(req -> {
                    upstream = req;
                    if (done) {
                        req.reset();
                    }
                    return exchange.apply(req);
                })
                .onSuccess(resp -> {
                    if (done) {
                        return;
                    }
                    upstreamStatus = resp.statusCode();
                    if (attempt != null) {
                        attempt.status(resp.statusCode());
                    }
                    resp.exceptionHandler(this::broken);
                    handler.onResponse(this, ex.capture() == null ? resp : new CapturingResponse(resp, ex.capture()));
                })
                .onFailure(this::failedBeforeResponse);
    }

    /**
     * Fails the call with a timeout when {@link #touch()} is not called for {@code idle}: an upstream
     * that stalls between events. One timer, re-armed lazily, so events cost no timer churn.
     */
    public void watchIdle(java.time.Duration idle, String what) {
        long idleNanos = idle.toNanos();
        touch();
        armIdle(idleNanos, idleNanos, what);
    }

    private void armIdle(long idleNanos, long delayNanos, String what) {
        idleTimer = vertx.setTimer(Math.max(1, delayNanos / 1_000_000), id -> {
            if (done) {
                return;
            }
            long silent = System.nanoTime() - lastActivity;
            if (paused) {
                // We stopped reading (a slow client): that silence is ours, not the upstream's.
                armIdle(idleNanos, idleNanos, what);
            } else if (silent >= idleNanos) {
                fail(GatewayError.of(ErrorKind.TIMEOUT, "upstream provider " + route.provider().name() + " sent nothing "
                        + what + " for " + human(java.time.Duration.ofNanos(idleNanos))));
            } else {
                armIdle(idleNanos, idleNanos - silent, what);
            }
        });
    }

    /**
     * Fails the call with a timeout unless {@link #firstByteArrived()} is called within {@code limit}
     * of now: an upstream that accepts the request but never starts answering.
     */
    public void watchFirstByte(java.time.Duration limit) {
        firstByteTimer = vertx.setTimer(Math.max(1, limit.toMillis()), id -> fail(GatewayError.of(ErrorKind.TIMEOUT,
                "upstream provider " + route.provider().name() + " sent no event within " + human(limit))));
    }

    public void firstByteArrived() {
        vertx.cancelTimer(firstByteTimer);
    }

    /**
     * Pauses the upstream response because the client's write queue is full, and resumes it (with a
     * fresh idle clock) when the queue drains.
     */
    public void holdFor(HttpClientResponse upstreamResponse, io.vertx.core.http.HttpServerResponse client) {
        paused = true;
        upstreamResponse.pause();
        client.drainHandler(v -> {
            paused = false;
            touch();
            upstreamResponse.resume();
        });
    }

    /** The upstream showed life (an event, a chunk). */
    public void touch() {
        lastActivity = System.nanoTime();
    }

    public Vertx vertx() {
        return vertx;
    }

    /**
     * For a client answer that ended before the upstream's response did (the stream failed, or its
     * terminal event came before the end of the body): after an error the rest is unwanted and the
     * connection is closed now; otherwise the response gets {@code grace} to end on its own, so a
     * healthy connection can go back to the pool, and is closed if it does not. Without this, an
     * upstream that keeps its response open would hold a pooled connection indefinitely.
     */
    public void releaseUpstream(HttpClientResponse response, boolean error, java.time.Duration grace) {
        if (upstream == null) {
            return;
        }
        if (error) {
            upstream.reset();
            return;
        }
        HttpClientRequest request = upstream;
        long t = vertx.setTimer(Math.max(1, grace.toMillis()), id -> request.reset());
        response.endHandler(v -> vertx.cancelTimer(t));
        response.resume();
    }

    /**
     * Reads an upstream error body, at most {@code max} bytes of it: a longer one is cut off there
     * (the connection is closed) and handed on truncated, so an error answer costs bounded memory.
     * A body that breaks off fails the call as usual.
     */
    public void readErrorBody(HttpClientResponse response, int max, Consumer<byte[]> then) {
        Buffer body = Buffer.buffer();
        boolean[] over = {false};
        response.handler(chunk -> {
            if (over[0] || done) {
                return;
            }
            if (body.length() + chunk.length() > max) {
                over[0] = true;
                body.appendBuffer(chunk, 0, max - body.length());
                then.accept(body.getBytes());
                if (upstream != null) {
                    upstream.reset();
                }
                return;
            }
            body.appendBuffer(chunk);
        });
        response.endHandler(v -> {
            if (!over[0] && !done) {
                then.accept(body.getBytes());
            }
        });
    }

    /** This call is told when the client goes away (the latest call of an exchange is, by default). */
    public void watchClient() {
        ex.response().closeHandler(v -> clientGone());
    }

    /** The exchange commits with this call's answer: the first byte goes to the client now. */
    public void commit() {
        ex.commit(this);
    }

    /**
     * Drops this call without a word to the client: another attempt answers (a hedge won). Its upstream
     * request is reset at once, which closes its connection.
     */
    public void abandon() {
        if (done) {
            return;
        }
        done = true;
        vertx.cancelTimer(timer);
        vertx.cancelTimer(idleTimer);
        vertx.cancelTimer(firstByteTimer);
        if (upstream != null) {
            upstream.reset();
        }
    }

    /** The call completed normally; the handler has ended (or is ending) the client's answer. */
    public void complete(int status) {
        if (done) {
            return;
        }
        done = true;
        vertx.cancelTimer(timer);
        vertx.cancelTimer(idleTimer);
        vertx.cancelTimer(firstByteTimer);
        if (attempt != null) {
            attempt.usage(ex.usage(), ex.upstreamModel());
            attempt.end(0, null);
        }
        replies.finish(ex, status);
    }

    /**
     * Hands the failure to the exchange's router if the exchange has not committed: true when another
     * attempt took it over, and this call is then over (its upstream let go, nothing written).
     */
    public boolean failOver(GatewayError error) {
        if (done || ex.committed() || !ex.failOver(this, new AttemptFailure(upstreamStatus, error))) {
            return false;
        }
        done = true;
        vertx.cancelTimer(timer);
        vertx.cancelTimer(idleTimer);
        vertx.cancelTimer(firstByteTimer);
        if (upstream != null) {
            upstream.reset();
        }
        return true;
    }

    /**
     * The call failed: another attempt if the exchange is routed and the failure may be retried, else
     * an error reply if nothing was sent yet, else the answer is ended as broken.
     */
    public void fail(GatewayError error) {
        if (done || failOver(error)) {
            return;
        }
        done = true;
        vertx.cancelTimer(timer);
        vertx.cancelTimer(idleTimer);
        vertx.cancelTimer(firstByteTimer);
        if (upstream != null) {
            upstream.reset();
        }
        if (attempt != null) {
            attempt.end(0, error.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (ex.response().headWritten()) {
            ex.status(error.status());
            onBroken.accept(error);
            replies.finish(ex, error.status());
        } else {
            replies.error(ex, error);
        }
    }

    private void failedBeforeResponse(Throwable cause) {
        fail(classify(cause));
    }

    private void broken(Throwable cause) {
        fail(timedOut ? timeoutError() : GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream provider "
                + route.provider().name() + " closed the connection mid-response"));
    }

    private void timeout() {
        timedOut = true;
        fail(timeoutError());
    }

    private void clientGone() {
        // Ending an HTTP/2 stream closes it too: that is no disconnect.
        if (done || ex.response().ended()) {
            return;
        }
        done = true;
        vertx.cancelTimer(timer);
        vertx.cancelTimer(idleTimer);
        vertx.cancelTimer(firstByteTimer);
        if (upstream != null) {
            upstream.reset();
        }
        if (attempt != null) {
            attempt.end(0, "cancelled");
        }
        ex.outcome("client closed the connection");
        onClientGone.run();
        replies.finish(ex, 499);
    }

    private GatewayError timeoutError() {
        return GatewayError.of(ErrorKind.TIMEOUT, "upstream provider " + route.provider().name()
                + " did not answer within " + human(route.provider().timeout()));
    }

    private GatewayError classify(Throwable cause) {
        String name = route.provider().name();
        if (timedOut) {
            return timeoutError();
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

    /** "30s", or "300ms" for a bound that is not whole seconds (it read "0s"). */
    static String human(java.time.Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
