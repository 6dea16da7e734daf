package dev.rosetta.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real HTTP server on a free loopback port that plays a provider: it records every request it
 * gets and answers with a scripted reply (a JSON body, or a stream written step by step, waiting on
 * the test between steps when asked). It notices when the gateway closes the connection.
 */
public final class FakeUpstream implements AutoCloseable {

    /** A request as the fake received it. */
    public record Recorded(String method, String path, String query, MultiMap headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One step of a scripted answer. */
    public sealed interface Step {
        record Write(byte[] bytes) implements Step {
        }

        /** Waits until the future completes before the next step. */
        record Await(CompletableFuture<?> gate) implements Step {
        }

        record Pause(long millis) implements Step {
        }

        /** Closes the connection abruptly, without ending the response. */
        record Cut() implements Step {
        }

        /**
         * Writes {@code event} {@code times} times as fast as the connection takes it, honouring
         * backpressure, counting the bytes handed to the socket in {@code written}.
         */
        record Flood(byte[] event, int times, java.util.concurrent.atomic.AtomicLong written) implements Step {
        }

        static Step write(String s) {
            return new Write(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A scripted answer: status, headers, and the body as steps; {@code end} says whether to end it. */
    public record Reply(int status, Map<String, String> headers, List<Step> steps, boolean end) {

        public static Reply json(int status, String body) {
            return new Reply(status, Map.of("content-type", "application/json"), List.of(Step.write(body)), true);
        }

        public static Reply json(int status, String body, Map<String, String> headers) {
            Map<String, String> h = new java.util.LinkedHashMap<>(headers);
            h.putIfAbsent("content-type", "application/json");
            return new Reply(status, h, List.of(Step.write(body)), true);
        }

        public static Reply sse(String... events) {
            List<Step> steps = new ArrayList<>();
            for (String e : events) {
                steps.add(Step.write(e));
            }
            return new Reply(200, Map.of("content-type", "text/event-stream"), steps, true);
        }

        public static Reply stream(String contentType, List<Step> steps, boolean end) {
            return new Reply(200, Map.of("content-type", contentType), steps, end);
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final LinkedBlockingQueue<Recorded> received = new LinkedBlockingQueue<>();
    private volatile Function<Recorded, Reply> script = r -> Reply.json(500, "{\"error\":\"no script\"}");
    private volatile CompletableFuture<Void> connectionClosed = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicLong bodyBytes = new java.util.concurrent.atomic.AtomicLong();

    public FakeUpstream() {
        server = vertx.createHttpServer().requestHandler(this::handle);
        join(server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture());
    }

    public int port() {
        return server.actualPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public FakeUpstream answer(Function<Recorded, Reply> script) {
        this.script = script;
        this.received.clear();
        this.connectionClosed = new CompletableFuture<>();
        this.bodyBytes.set(0);
        return this;
    }

    public FakeUpstream answer(Reply reply) {
        return answer(r -> reply);
    }

    /** The next request received, waiting up to 10 s. */
    public Recorded take() {
        try {
            Recorded r = received.poll(10, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("the fake upstream received no request");
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public int pending() {
        return received.size();
    }

    /** Completes when a connection that carried a scripted answer is closed by the other side. */
    public CompletableFuture<Void> connectionClosed() {
        return connectionClosed;
    }

    /**
     * Request body bytes received since the last {@link #answer}, counted as they arrive (before a
     * request is complete), so a test can tell a streamed body from one sent only once whole.
     */
    public long bodyBytesReceived() {
        return bodyBytes.get();
    }

    private void handle(HttpServerRequest req) {
        Buffer body = Buffer.buffer();
        req.handler(chunk -> {
            bodyBytes.addAndGet(chunk.length());
            body.appendBuffer(chunk);
        });
        req.endHandler(end -> {
            Recorded rec = new Recorded(req.method().name(), req.path(), req.query() == null ? "" : req.query(),
                    MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body.getBytes());
            received.add(rec);
            Reply reply = script.apply(rec);
            HttpServerResponse resp = req.response();
            CompletableFuture<Void> closed = connectionClosed;
            req.connection().closeHandler(v -> closed.complete(null));
            resp.setStatusCode(reply.status());
            reply.headers().forEach(resp::putHeader);
            resp.setChunked(true);
            run(resp, reply, 0);
        });
    }

    private void run(HttpServerResponse resp, Reply reply, int i) {
        if (i == reply.steps().size()) {
            if (reply.end()) {
                resp.end();
            }
            return;
        }
        switch (reply.steps().get(i)) {
            case Step.Write w -> {
                resp.write(Buffer.buffer(w.bytes()));
                run(resp, reply, i + 1);
            }
            case Step.Await a -> a.gate().whenComplete((x, e) ->
                    vertx.runOnContext(v -> run(resp, reply, i + 1)));
            case Step.Pause p -> vertx.setTimer(p.millis(), id -> run(resp, reply, i + 1));
            case Step.Cut c -> resp.reset();
            case Step.Flood f -> flood(resp, reply, i, f, 0);
        }
    }

    private void flood(HttpServerResponse resp, Reply reply, int step, Step.Flood f, int done) {
        int n = done;
        while (n < f.times()) {
            if (resp.writeQueueFull()) {
                int resumeAt = n;
                resp.drainHandler(v -> flood(resp, reply, step, f, resumeAt));
                return;
            }
            resp.write(Buffer.buffer(f.event()));
            f.written().addAndGet(f.event().length);
            n++;
        }
        run(resp, reply, step + 1);
    }

    @Override
    public void close() {
        join(vertx.close().toCompletionStage().toCompletableFuture());
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
