package dev.rosetta.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import dev.rosetta.config.StreamConfig;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.ErrorRenderer;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.StreamDecoder;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.sse.SseParser;
import dev.rosetta.dialect.UpstreamErrors;
import dev.rosetta.error.GatewayError;
import dev.rosetta.limits.RateHeaders;
import dev.rosetta.route.Route;
import dev.rosetta.upstream.PlatformBodies;
import dev.rosetta.upstream.ProviderRequests;
import dev.rosetta.usage.JsonUsageTap;
import dev.rosetta.usage.SseUsageTap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.Optional;

/**
 * Same-dialect proxying: the client's body goes upstream unchanged but for the model name, and the
 * answer comes back byte for byte, streamed chunk by chunk with backpressure. Usage is read from the
 * passing bytes for the access log.
 */
public final class Passthrough {

    private static final int MAX_ERROR_BODY = 1024 * 1024;

    private final Upstream upstream;
    private final StreamConfig streams;

    public Passthrough(Upstream upstream, StreamConfig streams) {
        this.upstream = upstream;
        this.streams = streams;
    }

    /**
     * @param geminiVersion the API version in the client's Gemini path
     * @param sse whether a Gemini client asked for {@code alt=sse}
     */
    public void forward(Exchange ex, Route route, byte[] body, String geminiVersion, boolean sse) {
        String url = ProviderRequests.url(route, ex.endpoint(), geminiVersion, sse, ex.stream());
        byte[] sent = PlatformBodies.adapt(route, ex.endpoint(), body, ex.request().headers());
        UpstreamCall call = upstream.call(ex, route, url, sent, this::relay);
        if (ex.stream()) {
            call.watchFirstByte(ex.streams(streams).firstByteTimeout());
        }
    }

    private void relay(UpstreamCall call, HttpClientResponse up) {
        Exchange ex = call.exchange();
        String type = up.getHeader("content-type");
        boolean sse = type != null && type.startsWith("text/event-stream");
        if (up.statusCode() >= 400 && !sse) {
            call.firstByteArrived();
            call.readErrorBody(up, MAX_ERROR_BODY, raw -> {
                // Read before anything is written: a failure another target may still answer for.
                if (call.failOver(UpstreamErrors.parse(call.route().provider().name(), up.statusCode(), raw,
                        Optional.ofNullable(up.getHeader("retry-after"))))) {
                    return;
                }
                head(call, up);
                relayError(call, up, ex.response(), raw);
            });
            return;
        }
        if (sse && up.statusCode() < 300) {
            holdFirstEvent(call, up);
            return;
        }
        call.firstByteArrived();
        head(call, up);
        if (sse) {
            relayEvents(call, up, ex.response(), null);
        } else {
            relayBody(call, up, ex.response());
        }
    }

    /** The commit point of a relayed answer: the upstream's status and headers become the client's. */
    private static void head(UpstreamCall call, HttpClientResponse up) {
        Exchange ex = call.exchange();
        HttpServerResponse out = ex.response();
        call.commit();
        out.setStatusCode(up.statusCode());
        for (Map.Entry<String, String> h : up.headers()) {
            if (ProviderRequests.relayResponseHeader(h.getKey())) {
                // the police stage may have put Rosetta's own rate-limit headers there: the tighter stays
                RateHeaders.relay(out.headers(), h.getKey(), h.getValue());
            }
        }
        out.putHeader("x-rosetta-request-id", ex.requestId());
        if (out.headers().get("content-length") == null) {
            out.setChunked(true);
        }
        ex.status(up.statusCode());
    }

    /**
     * A relayed stream is held until its first event (pings aside): a stream whose first event is an
     * error (Anthropic's {@code overloaded_error} in a 200 response) is no answer yet, so it fails the
     * call (another target, or an HTTP error status the client's SDK retries on) instead of reaching
     * the client as a 200 stream. Only that first event is decoded; once it commits the bytes are
     * relayed as they came, those held first.
     */
    private void holdFirstEvent(UpstreamCall call, HttpClientResponse up) {
        Exchange ex = call.exchange();
        StreamDecoder decoder = StreamDecoder.of(ex.dialect(), new ResponseContext(0, ex.requestId(), 0));
        Buffer held = Buffer.buffer();
        GatewayError[] failed = {null};
        boolean[] content = {false};
        SseParser parser = new SseParser(StreamConversion.MAX_EVENT_BYTES, event -> {
            if (failed[0] != null || content[0]) {
                return;
            }
            java.util.List<StreamEvent> decoded = decoder.onEvent(event);
            for (StreamEvent e : decoded) {
                if (e instanceof StreamEvent.Error err) {
                    failed[0] = err.error();
                    return;
                }
            }
            if (!(decoded.isEmpty() && "ping".equals(event.event()))) {
                content[0] = true;
            }
        });
        call.watchIdle(ex.streams(streams).idleTimeout(), "between events");
        up.handler(chunk -> {
            if (call.done()) {
                return; // abandoned: another attempt answers
            }
            call.touch();
            held.appendBuffer(chunk);
            if (parser.feed(chunk) == SseParser.Status.EVENT_TOO_LARGE) {
                content[0] = true; // not ours to judge: relayed as it is
            }
            if (failed[0] != null) {
                up.handler(null);
                call.fail(failed[0]);
            } else if (content[0] || held.length() > StreamConversion.MAX_EVENT_BYTES) {
                call.firstByteArrived();
                head(call, up);
                relayEvents(call, up, ex.response(), held);
            }
        });
        up.endHandler(v -> {
            if (call.done()) {
                return;
            }
            call.firstByteArrived();
            head(call, up);
            HttpServerResponse out = ex.response();
            SseUsageTap tap = new SseUsageTap(call.route().provider().type(), ex.dialect() == Dialect.OPENAI_RESPONSES);
            tap.feed(held);
            ex.usage(tap.finish());
            out.end(held);
            call.complete(up.statusCode());
        });
    }

    /**
     * A JSON (or Gemini JSON-array) body: chunks are written as they come. A JSON-array stream has no
     * frame the gateway could add after a half-sent element, so a break cuts the client connection:
     * the array stays unterminated, which every JSON reader raises on.
     */
    private void relayBody(UpstreamCall call, HttpClientResponse up, HttpServerResponse out) {
        Exchange ex = call.exchange();
        JsonUsageTap tap = new JsonUsageTap(call.route().family());
        if (ex.stream()) {
            call.watchIdle(ex.streams(streams).idleTimeout(), "between chunks");
        }
        call.onClientGone(() -> ex.usage(tap.finish()));
        call.onBroken(error -> {
            ex.outcome(error.message());
            ex.usage(tap.finish());
            // A cut body must not pass for a complete one.
            if (!out.ended()) {
                out.reset();
            }
        });
        up.handler(chunk -> {
            call.touch();
            ex.markFirstByte();
            tap.feed(chunk);
            ex.tap().relayed(chunk);
            out.write(chunk);
            if (out.writeQueueFull()) {
                call.holdFor(up, out);
            }
        });
        up.endHandler(v -> {
            if (call.done()) {
                return;
            }
            ex.usage(tap.finish());
            out.end();
            call.complete(up.statusCode());
        });
    }

    /**
     * An SSE stream: bytes are written up to the end of the last complete event, so the client never
     * holds half an event; the rest waits for the next chunk. In the common case (chunks end on event
     * boundaries) each chunk is written as it is, without a copy.
     */
    private void relayEvents(UpstreamCall call, HttpClientResponse up, HttpServerResponse out, Buffer first) {
        Exchange ex = call.exchange();
        SseUsageTap tap = new SseUsageTap(call.route().family(), ex.dialect() == Dialect.OPENAI_RESPONSES);
        if (first == null) {
            call.watchIdle(ex.streams(streams).idleTimeout(), "between events");
        }
        long[] written = {0};
        Buffer[] pending = {Buffer.buffer()};
        call.onBroken(error -> endBroken(ex, out, tap, error));
        call.onClientGone(() -> ex.usage(tap.finish()));
        io.vertx.core.Handler<Buffer> relay = chunk -> {
            call.touch();
            tap.feed(chunk);
            ex.tap().relayed(chunk);
            long boundary = tap.boundary();
            Buffer held = pending[0];
            if (held.length() == 0 && boundary == written[0] + chunk.length()) {
                out.write(chunk);
                written[0] = boundary;
            } else {
                held.appendBuffer(chunk);
                int ready = (int) (boundary - written[0]);
                if (ready > 0) {
                    out.write(held.getBuffer(0, ready));
                    pending[0] = held.getBuffer(ready, held.length());
                    written[0] = boundary;
                }
            }
            if (out.writeQueueFull()) {
                call.holdFor(up, out);
            }
        };
        up.handler(relay);
        if (first != null) {
            relay.handle(first);
        }
        up.endHandler(v -> {
            if (call.done()) {
                return;
            }
            ex.usage(tap.finish());
            // The upstream ended cleanly at the TCP level: whatever it sent is the client's, as sent.
            out.end(pending[0]);
            call.complete(up.statusCode());
        });
    }

    /**
     * An upstream error body is small and may echo a credential: it is read whole (bounded), redacted,
     * then relayed. One that is not a JSON document (a proxy's HTML page, plain text, a body cut at
     * the bound) is no answer the client's SDK can read: it becomes an error in the client's dialect
     * carrying the upstream's text.
     */
    private static void relayError(UpstreamCall call, HttpClientResponse up, HttpServerResponse out, byte[] raw) {
        {
            Exchange ex = call.exchange();
            byte[] bytes;
            if (isJson(raw) && nativeErrors(call.route())) {
                bytes = call.redactor().redact(raw);
            } else {
                GatewayError error = UpstreamErrors.parse(call.route().provider().name(), up.statusCode(),
                        call.redactor().redact(raw), Optional.ofNullable(up.getHeader("retry-after")));
                ex.outcome(error.message());
                bytes = ErrorRenderer.render(ex.dialect(), error);
                out.putHeader("content-type", "application/json").setStatusCode(error.status());
                ex.status(error.status());
            }
            out.headers().remove("content-length");
            out.setChunked(false);
            out.end(Buffer.buffer(bytes));
            call.complete(out.getStatusCode());
        }
    }

    /**
     * Whether the provider's error bodies are in the dialect's own shape: Bedrock's ({@code {"message"}})
     * and Vertex's front end (Google's shape, even for Claude) are not, so they are re-rendered.
     */
    private static boolean nativeErrors(Route route) {
        return switch (route.provider().type()) {
            case BEDROCK -> false;
            case VERTEX -> route.family() == dev.rosetta.dialect.ProviderType.GEMINI;
            default -> true;
        };
    }

    private static boolean isJson(byte[] body) {
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Ends a relayed stream the upstream broke off: the half event it was sending is dropped and the
     * client dialect's own error frame follows the last complete event, so the SDK raises that error
     * (for Responses, the stream's {@code error} event, numbered after the last event relayed).
     */
    private static void endBroken(Exchange ex, HttpServerResponse out, SseUsageTap tap, GatewayError error) {
        ex.usage(tap.finish());
        if (tap.complete()) {
            // Closed after the stream's own last event: the answer is whole, and an error frame after it
            // would make the client's SDK throw away a complete answer.
            if (!out.ended()) {
                out.end();
            }
            return;
        }
        ex.outcome(error.message());
        if (out.ended()) {
            return;
        }
        out.end(Buffer.buffer(ErrorRenderer.streamFrame(ex.dialect(), error, tap.nextSequence())));
    }
}
