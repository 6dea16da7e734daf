package dev.rosetta.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpFrame;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamPriority;
import io.vertx.core.net.NetSocket;
import java.util.List;

/**
 * An upstream response that hands every chunk to a {@link WireCapture} before the pipeline's own
 * handler sees it. Used for playground requests only; everything else is the response itself.
 */
final class CapturingResponse implements HttpClientResponse {

    private final HttpClientResponse in;
    private final WireCapture capture;

    CapturingResponse(HttpClientResponse in, WireCapture capture) {
        this.in = in;
        this.capture = capture;
        capture.upstreamStatus(in.statusCode());
    }

    @Override
    public HttpClientResponse handler(Handler<Buffer> handler) {
        in.handler(handler == null ? null : chunk -> {
            capture.upstreamChunk(chunk.getBytes());
            handler.handle(chunk);
        });
        return this;
    }

    @Override
    public Future<Buffer> body() {
        return in.body().onSuccess(b -> capture.upstreamChunk(b.getBytes()));
    }

    @Override
    public HttpClientResponse fetch(long amount) {
        in.fetch(amount);
        return this;
    }

    @Override
    public HttpClientResponse resume() {
        in.resume();
        return this;
    }

    @Override
    public HttpClientResponse pause() {
        in.pause();
        return this;
    }

    @Override
    public HttpClientResponse exceptionHandler(Handler<Throwable> handler) {
        in.exceptionHandler(handler);
        return this;
    }

    @Override
    public HttpClientResponse endHandler(Handler<Void> handler) {
        in.endHandler(handler);
        return this;
    }

    @Override
    public NetSocket netSocket() {
        return in.netSocket();
    }

    @Override
    public String getTrailer(String name) {
        return in.getTrailer(name);
    }

    @Override
    public MultiMap trailers() {
        return in.trailers();
    }

    @Override
    public Future<Void> end() {
        return in.end();
    }

    @Override
    public HttpClientResponse customFrameHandler(Handler<HttpFrame> handler) {
        in.customFrameHandler(handler);
        return this;
    }

    @Override
    public HttpClientRequest request() {
        return in.request();
    }

    @Override
    public HttpClientResponse streamPriorityHandler(Handler<StreamPriority> handler) {
        in.streamPriorityHandler(handler);
        return this;
    }

    @Override
    public HttpVersion version() {
        return in.version();
    }

    @Override
    public int statusCode() {
        return in.statusCode();
    }

    @Override
    public String statusMessage() {
        return in.statusMessage();
    }

    @Override
    public MultiMap headers() {
        return in.headers();
    }

    @Override
    public String getHeader(String name) {
        return in.getHeader(name);
    }

    @Override
    public String getHeader(CharSequence name) {
        return in.getHeader(name);
    }

    @Override
    public List<String> cookies() {
        return in.cookies();
    }
}
