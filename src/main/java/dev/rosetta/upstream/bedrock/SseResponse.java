package dev.rosetta.upstream.bedrock;

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
import java.util.function.Consumer;

/**
 * A Bedrock event-stream response seen as the Anthropic SSE response it carries: its chunks are
 * decoded as they come ({@link BedrockEvents}) and its content type is {@code text/event-stream}, so
 * the relay and the stream conversion read it as they read Anthropic's own. Flow control, status and
 * the rest of the head are the upstream response's.
 */
public final class SseResponse implements HttpClientResponse {

    public static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

    private final HttpClientResponse up;
    private final Consumer<Throwable> broken;
    private final MultiMap headers;
    private final BedrockEvents events = new BedrockEvents();

    /** @param broken told when the bytes are not a valid event stream (then nothing more is handed on) */
    public SseResponse(HttpClientResponse up, Consumer<Throwable> broken) {
        this.up = up;
        this.broken = broken;
        this.headers = MultiMap.caseInsensitiveMultiMap().addAll(up.headers());
        headers.set("content-type", "text/event-stream");
        headers.remove("content-length");
    }

    /** Whether a response is a Bedrock event stream to decode. */
    public static boolean applies(HttpClientResponse resp) {
        String type = resp.getHeader("content-type");
        return resp.statusCode() < 400 && type != null && type.startsWith(EVENT_STREAM);
    }

    @Override
    public HttpClientResponse handler(Handler<Buffer> handler) {
        if (handler == null) {
            up.handler(null);
            return this;
        }
        boolean[] failed = {false};
        up.handler(chunk -> {
            if (failed[0]) {
                return;
            }
            Buffer sse;
            try {
                sse = events.feed(chunk);
            } catch (EventStreamDecoder.FramingException e) {
                failed[0] = true;
                broken.accept(e);
                return;
            }
            if (sse.length() > 0) {
                handler.handle(sse);
            }
        });
        return this;
    }

    @Override
    public HttpClientResponse endHandler(Handler<Void> endHandler) {
        up.endHandler(endHandler);
        return this;
    }

    @Override
    public HttpClientResponse exceptionHandler(Handler<Throwable> handler) {
        up.exceptionHandler(handler);
        return this;
    }

    @Override
    public HttpClientResponse fetch(long amount) {
        up.fetch(amount);
        return this;
    }

    @Override
    public HttpClientResponse resume() {
        up.resume();
        return this;
    }

    @Override
    public HttpClientResponse pause() {
        up.pause();
        return this;
    }

    @Override
    public NetSocket netSocket() {
        return up.netSocket();
    }

    @Override
    public String getTrailer(String trailerName) {
        return up.getTrailer(trailerName);
    }

    @Override
    public MultiMap trailers() {
        return up.trailers();
    }

    @Override
    public Future<Buffer> body() {
        return up.body().map(b -> events.feed(b));
    }

    @Override
    public Future<Void> end() {
        return up.end();
    }

    @Override
    public HttpClientResponse customFrameHandler(Handler<HttpFrame> handler) {
        up.customFrameHandler(handler);
        return this;
    }

    @Override
    public HttpClientRequest request() {
        return up.request();
    }

    @Override
    public HttpClientResponse streamPriorityHandler(Handler<StreamPriority> handler) {
        up.streamPriorityHandler(handler);
        return this;
    }

    @Override
    public HttpVersion version() {
        return up.version();
    }

    @Override
    public int statusCode() {
        return up.statusCode();
    }

    @Override
    public String statusMessage() {
        return up.statusMessage();
    }

    @Override
    public MultiMap headers() {
        return headers;
    }

    @Override
    public String getHeader(String headerName) {
        return headers.get(headerName);
    }

    @Override
    public String getHeader(CharSequence headerName) {
        return headers.get(headerName);
    }

    @Override
    public List<String> cookies() {
        return up.cookies();
    }
}
