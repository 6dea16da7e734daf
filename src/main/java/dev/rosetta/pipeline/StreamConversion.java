package dev.rosetta.pipeline;

import dev.rosetta.config.StreamConfig;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.StreamDecoder;
import dev.rosetta.dialect.StreamEncoder;
import dev.rosetta.dialect.UpstreamErrors;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.sse.SseParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A streamed answer converted live: upstream bytes → SSE parser → the provider dialect's
 * {@link StreamDecoder} → neutral events → provider state sealed where the client echoes it
 * ({@link OpaqueState.Stream}) → the client dialect's {@link StreamEncoder} → client
 * frames, written as they come with backpressure (the upstream is paused while the client's write
 * queue is full). Memory per stream is the parser's one event buffer and the encoder's state.
 *
 * <p>First-byte guarantee: the client's status and headers are held back until the first event with
 * content arrives, so an upstream that fails before that (even after an HTTP 200) gets a normal
 * error response in the client's dialect. Waiting for it is bounded by the first-byte timeout; after
 * it, silence between events by the idle timeout, and the client gets its dialect's keep-alive while
 * the upstream is quiet. A cut or failed upstream ends the client stream with its dialect's error
 * frame, exactly once.
 */
final class StreamConversion {

    /** Upstream events larger than this fail the stream instead of growing memory. */
    static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;
    /** An upstream error body is read this far; the message is taken from its start anyway. */
    static final int MAX_ERROR_BODY = 1024 * 1024;
    private static final byte[] ANTHROPIC_PING = "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SSE_COMMENT = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] JSON_WHITESPACE = "\n".getBytes(StandardCharsets.UTF_8);

    private enum State { WAITING_FIRST_EVENT, STREAMING, ENDED }

    private final UpstreamCall call;
    private final Exchange ex;
    private final StreamConfig config;
    private final StreamDecoder decoder;
    private final StreamEncoder encoder;
    private final OpaqueState.Stream seal;
    private final boolean jsonArray;
    private final List<String> droppedRequestFields;
    private final List<byte[]> held = new ArrayList<>();
    private State state = State.WAITING_FIRST_EVENT;
    private long lastWrite = System.nanoTime();
    private long keepAliveTimer = -1;
    private HttpClientResponse upstream;
    private boolean upstreamEnded;
    /** Frames of the events of the chunk being read: written once when the chunk is done, not per event. */
    private Buffer pending;
    private boolean inChunk;

    StreamConversion(UpstreamCall call, StreamConfig config, Dialect provider, ResponseContext context,
                     StreamEncoder.Options options, List<String> droppedRequestFields, OpaqueState.Stream seal) {
        this.call = call;
        this.ex = call.exchange();
        this.config = config;
        this.decoder = StreamDecoder.of(provider, context);
        this.encoder = StreamEncoder.of(ex.dialect(), options);
        this.seal = seal;
        this.jsonArray = options.jsonArray();
        this.droppedRequestFields = droppedRequestFields;
    }

    void start(HttpClientResponse resp) {
        this.upstream = resp;
        if (resp.statusCode() >= 400) {
            call.readErrorBody(resp, MAX_ERROR_BODY, body -> call.fail(UpstreamErrors.parse(
                    call.route().provider().name(), resp.statusCode(), body,
                    Optional.ofNullable(resp.getHeader("retry-after")))));
            return;
        }
        call.onBroken(this::broken);
        call.watchIdle(config.idleTimeout(), "between events");
        SseParser parser = new SseParser(MAX_EVENT_BYTES, event -> emit(seal.onEvents(tapped(decoder.onEvent(event)))));
        resp.handler(chunk -> {
            call.touch();
            inChunk = true;
            try {
                if (parser.feed(chunk) == SseParser.Status.EVENT_TOO_LARGE) {
                    emit(List.of(new StreamEvent.Error(GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream provider "
                            + call.route().provider().name() + " sent an event larger than " + MAX_EVENT_BYTES + " bytes"))));
                }
            } finally {
                inChunk = false;
            }
            flush();
        });
        resp.endHandler(v -> {
            upstreamEnded = true;
            if (state == State.ENDED || call.done()) {
                return;
            }
            inChunk = true;
            try {
                parser.finish();
                emit(seal.onEvents(tapped(decoder.finish())));
            } finally {
                inChunk = false;
            }
            if (state != State.ENDED) {
                write(encoder.finish(), true);
            }
            flush();
        });
    }

    private List<StreamEvent> tapped(List<StreamEvent> events) {
        ex.tap().events(events);
        return events;
    }

    /** Neutral events from the decoder, in order: encode, hold or write. */
    private void emit(List<StreamEvent> events) {
        for (StreamEvent e : events) {
            if (state == State.ENDED) {
                return;
            }
            switch (e) {
                case StreamEvent.MessageStart m -> ex.usage(m.usage());
                case StreamEvent.UsageUpdate u -> ex.usage(u.usage());
                case StreamEvent.Error err when state == State.WAITING_FIRST_EVENT -> {
                    // Nothing sent yet: a plain error response in the client's dialect.
                    state = State.ENDED;
                    cancelTimers();
                    call.fail(err.error());
                    return;
                }
                case StreamEvent.Error err -> ex.outcome(err.error().message());
                default -> {
                }
            }
            List<byte[]> frames = encoder.onEvent(e);
            boolean terminal = e instanceof StreamEvent.Error || e instanceof StreamEvent.MessageStop;
            if (state == State.WAITING_FIRST_EVENT && !(e instanceof StreamEvent.MessageStart) || terminal) {
                write(frames, terminal);
            } else if (state == State.WAITING_FIRST_EVENT) {
                held.addAll(frames);
            } else {
                write(frames, false);
            }
        }
    }

    private void write(List<byte[]> frames, boolean end) {
        HttpServerResponse out = ex.response();
        if (state == State.ENDED || out.ended() || call.done()) {
            return;
        }
        if (state == State.WAITING_FIRST_EVENT) {
            sendHead(out);
        }
        for (byte[] f : frames) {
            pending().appendBytes(f);
        }
        if (end) {
            state = State.ENDED;
            cancelTimers();
            out.end(takePending());
            call.complete(200);
            if (!upstreamEnded) {
                call.releaseUpstream(upstream, !ex.outcome().isEmpty(), config.idleTimeout());
            }
            return;
        }
        if (!inChunk) {
            flush();
        }
    }

    private Buffer pending() {
        if (pending == null) {
            pending = Buffer.buffer(512);
        }
        return pending;
    }

    private Buffer takePending() {
        Buffer b = pending == null ? Buffer.buffer() : pending;
        pending = null;
        return b;
    }

    /** Writes the frames gathered since the last write, in one write. */
    private void flush() {
        HttpServerResponse out = ex.response();
        if (pending == null || pending.length() == 0 || state != State.STREAMING || out.ended() || call.done()) {
            return;
        }
        out.write(takePending());
        lastWrite = System.nanoTime();
        if (out.writeQueueFull()) {
            call.holdFor(upstream, out);
        }
    }

    private void sendHead(HttpServerResponse out) {
        state = State.STREAMING;
        call.firstByteArrived();
        call.commit();
        out.setStatusCode(200).setChunked(true)
                .putHeader("content-type", jsonArray ? "application/json" : "text/event-stream")
                .putHeader("cache-control", "no-cache")
                .putHeader("x-rosetta-request-id", ex.requestId());
        if (!droppedRequestFields.isEmpty()) {
            out.putHeader("x-rosetta-dropped", String.join(",", droppedRequestFields));
        }
        ex.status(200);
        held.forEach(f -> pending().appendBytes(f));
        held.clear();
        lastWrite = System.nanoTime();
        scheduleKeepAlive();
    }

    private void scheduleKeepAlive() {
        long interval = config.keepAlive().toMillis();
        if (interval <= 0) {
            return;
        }
        keepAliveTimer = call.vertx().setPeriodic(Math.max(1, interval / 2), id -> {
            HttpServerResponse out = ex.response();
            if (state != State.STREAMING || out.ended()) {
                call.vertx().cancelTimer(id);
                return;
            }
            if (System.nanoTime() - lastWrite >= config.keepAlive().toNanos() && !out.writeQueueFull()) {
                out.write(Buffer.buffer(keepAliveFrame()));
                lastWrite = System.nanoTime();
            }
        });
    }

    private byte[] keepAliveFrame() {
        if (ex.dialect() == Dialect.ANTHROPIC) {
            return ANTHROPIC_PING;
        }
        return jsonArray ? JSON_WHITESPACE : SSE_COMMENT;
    }

    /** The upstream broke off or timed out after the client's stream began. */
    private void broken(GatewayError error) {
        ex.outcome(error.message());
        if (state == State.ENDED || ex.response().ended()) {
            return;
        }
        List<byte[]> frames = new ArrayList<>(encoder.onEvent(new StreamEvent.Error(error)));
        frames.addAll(encoder.finish());
        HttpServerResponse out = ex.response();
        state = State.ENDED;
        cancelTimers();
        Buffer b = takePending();
        frames.forEach(b::appendBytes);
        out.end(b);
    }

    private void cancelTimers() {
        call.vertx().cancelTimer(keepAliveTimer);
    }
}
