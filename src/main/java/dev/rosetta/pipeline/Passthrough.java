package dev.rosetta.pipeline;

import dev.rosetta.config.StreamConfig;
import dev.rosetta.dialect.Dialect;
import com.fasterxml.jackson.core.JsonParser;
import dev.rosetta.dialect.ErrorRenderer;
import dev.rosetta.dialect.UpstreamErrors;
import dev.rosetta.error.GatewayError;
import dev.rosetta.route.Route;
import dev.rosetta.sse.SseEvent;
import dev.rosetta.sse.SseWriter;
import dev.rosetta.upstream.ProviderRequests;
import dev.rosetta.usage.JsonUsageTap;
import dev.rosetta.usage.SseUsageTap;
import dev.rosetta.usage.UsageTap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
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
        String url = ProviderRequests.url(route.provider(), ex.endpoint(), route.upstreamModel(), geminiVersion, sse);
        UpstreamCall call = upstream.call(ex, route, url, body, this::relay);
        if (ex.stream()) {
            call.watchFirstByte(streams.firstByteTimeout());
        }
    }

    private void relay(UpstreamCall call, HttpClientResponse up) {
        call.firstByteArrived();
        Exchange ex = call.exchange();
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
        UsageTap tap = sse ? new SseUsageTap(call.route().provider().type())
                : new JsonUsageTap(call.route().provider().type());
        ex.status(up.statusCode());
        if (up.statusCode() >= 400 && !sse) {
            relayError(call, up, out);
            return;
        }
        call.onBroken(error -> endBroken(call, tap, error));
        if (sse) {
            call.watchIdle(streams.idleTimeout(), "between events");
        }
        up.handler(chunk -> {
            call.touch();
            ex.markFirstByte();
            tap.feed(chunk);
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
     * An upstream error body is small and may echo a credential: it is read whole (bounded), redacted,
     * then relayed. One that is not a JSON document (a proxy's HTML page, plain text, a body cut at
     * the bound) is no answer the client's SDK can read: it becomes an error in the client's dialect
     * carrying the upstream's text.
     */
    private static void relayError(UpstreamCall call, HttpClientResponse up, HttpServerResponse out) {
        call.readErrorBody(up, MAX_ERROR_BODY, raw -> {
            Exchange ex = call.exchange();
            byte[] bytes;
            if (isJson(raw)) {
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
        });
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
     * Ends a relayed answer the upstream broke off: an SSE stream gets an error event in the client's
     * dialect (after closing any half-sent event) so the SDK raises an error; any other body is cut,
     * so it cannot pass for a complete one.
     */
    private static void endBroken(UpstreamCall call, UsageTap tap, GatewayError error) {
        Exchange ex = call.exchange();
        HttpServerResponse out = ex.response();
        ex.outcome(error.message());
        boolean midEvent = tap instanceof SseUsageTap s && s.midEvent();
        ex.usage(tap.finish());
        if (out.ended()) {
            return;
        }
        if (tap instanceof SseUsageTap) {
            Buffer b = Buffer.buffer();
            if (midEvent) {
                b.appendString("\n\n");
            }
            String data = new String(ErrorRenderer.render(ex.dialect(), error), StandardCharsets.UTF_8);
            SseWriter.encode(new SseEvent(ex.dialect() == Dialect.ANTHROPIC ? "error" : "", data, ""), b);
            out.end(b);
        } else {
            out.reset();
        }
    }
}
