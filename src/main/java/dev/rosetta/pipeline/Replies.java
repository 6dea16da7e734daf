package dev.rosetta.pipeline;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.ErrorRenderer;
import dev.rosetta.error.GatewayError;
import dev.rosetta.error.Redactor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Complete answers the gateway writes itself: JSON bodies and errors in the client's dialect. */
public final class Replies {

    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private final CompletionListener[] listeners;
    private final Runnable onEnd;
    private final Redactor redactor;

    /**
     * @param listeners told, in this order, once per request when it has ended (the access log among them)
     * @param onEnd called once per request when its answer is complete (or abandoned), after the listeners
     * @param redactor applied to every error message before it is sent or logged
     */
    public Replies(List<CompletionListener> listeners, Runnable onEnd, Redactor redactor) {
        this.listeners = listeners.toArray(CompletionListener[]::new);
        this.onEnd = onEnd;
        this.redactor = redactor;
    }

    public Redactor redactor() {
        return redactor;
    }

    public void json(Exchange ex, int status, byte[] body) {
        HttpServerResponse r = ex.response();
        if (r.ended() || r.closed()) {
            finish(ex, status);
            return;
        }
        r.setStatusCode(status).putHeader("content-type", "application/json")
                .putHeader("x-rosetta-request-id", ex.requestId());
        ex.commit();
        ex.status(status);
        ex.markFirstByte();
        if (ex.request().method() == io.vertx.core.http.HttpMethod.HEAD) {
            // the probes answer HEAD: the length of what GET would send, and no body (HTTP/2 would send it)
            r.putHeader("content-length", Integer.toString(body.length)).end();
        } else {
            r.end(Buffer.buffer(body));
        }
        finish(ex, status);
    }

    /** The error in the client's dialect; if the answer has already begun, the connection is cut instead. */
    public void error(Exchange ex, GatewayError unredacted) {
        GatewayError error = new GatewayError(unredacted.kind(), redactor.redact(unredacted.message()),
                unredacted.param(), unredacted.code(), unredacted.retryAfterSeconds());
        HttpServerResponse r = ex.response();
        ex.outcome(error.message());
        if (r.headWritten()) {
            ex.status(error.status());
            r.reset();
            finish(ex, error.status());
            return;
        }
        error.retryAfterSeconds().ifPresent(s -> r.putHeader("retry-after", Long.toString(s)));
        int status = switch (ex.dialect()) {
            case GEMINI -> error.kind().geminiHttpStatus();
            case ANTHROPIC -> error.kind().anthropicHttpStatus();
            case OPENAI_CHAT, OPENAI_RESPONSES -> error.status();
        };
        json(ex, status, ErrorRenderer.render(ex.dialect(), error));
    }

    /**
     * Marks the request complete, once however often it is called: the request's own completion hooks,
     * then every listener, are told, and it is counted out of the in-flight requests.
     */
    public void finish(Exchange ex, int status) {
        if (ex.status() == 0 || status == 499) {
            ex.status(status);
        }
        if (ex.claimLog()) {
            ex.runCompletionHooks();
            for (CompletionListener l : listeners) {
                tell(l, ex);
            }
            onEnd.run();
        }
    }

    static void tell(CompletionListener l, Exchange ex) {
        try {
            l.completed(ex);
        } catch (RuntimeException e) {
            LOG.error("completion listener {} failed for request {}", l.getClass().getSimpleName(), ex.requestId(), e);
        }
    }
}
