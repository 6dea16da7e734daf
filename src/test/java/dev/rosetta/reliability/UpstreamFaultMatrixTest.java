package dev.rosetta.reliability;

import static dev.rosetta.testing.FaultyUpstream.LAST_CHUNK;
import static dev.rosetta.testing.FaultyUpstream.chunk;
import static dev.rosetta.testing.FaultyUpstream.complete;
import static dev.rosetta.testing.FaultyUpstream.head;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.DialectClient.Result;
import dev.rosetta.testing.FaultyUpstream;
import dev.rosetta.testing.FaultyUpstream.Request;
import dev.rosetta.testing.FaultyUpstream.Step;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Upstream faults, as a matrix of client dialect × provider type × fault (issue 6), against one
 * gateway and one fault-injecting provider on loopback. For every case: the client gets a
 * well-formed answer in its own dialect with a fitting status (or, once its stream has begun, the
 * dialect's error frame) within the configured bound plus a margin; the upstream connection that
 * carried the fault is released (closed, or reused by the next request); and a normal request
 * right after succeeds. Provider and gateway keys never appear in what the client gets.
 *
 * <p>Same-dialect pairs are relayed byte for byte, so an upstream answer that is well framed HTTP
 * but bad content (invalid JSON with a 200, malformed SSE events, a stream without its terminal
 * frame, a huge body) reaches the client as the upstream sent it: the client's SDK sees exactly what
 * it would have seen talking to the provider directly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamFaultMatrixTest {

    /** Bounds configured below; each case must finish within its bound plus this margin. */
    private static final long MARGIN_MS = 2_000;
    private static final long SLOW_TIMEOUT_MS = 400;
    private static final long FIRST_BYTE_MS = 300;
    private static final long IDLE_MS = 250;

    /** Where a case's model points. */
    enum Target { OK, SLOW, DOWN, TLS_PLAIN_PORT, TLS_UNTRUSTED }

    /** What the client should get. */
    enum Expect { ERROR, STREAM_ERROR, RELAYED, CUT_OR_ERROR }

    enum Fault {
        CONNECTION_REFUSED(Target.DOWN, false, 502),
        CONNECTION_REFUSED_STREAM(Target.DOWN, true, 502),
        TLS_HANDSHAKE_PLAIN_PORT(Target.TLS_PLAIN_PORT, false, 502),
        TLS_HANDSHAKE_UNTRUSTED(Target.TLS_UNTRUSTED, true, 502),
        RESET_BEFORE_HEADERS(Target.OK, false, 502),
        RESET_BEFORE_HEADERS_STREAM(Target.OK, true, 502),
        CLOSE_BEFORE_HEADERS(Target.OK, false, 502),
        MALFORMED_STATUS_LINE(Target.OK, false, 502),
        SLOW_HEADERS(Target.SLOW, false, 504),
        SLOW_HEADERS_STREAM(Target.OK, true, 504),
        RESET_MID_BODY(Target.OK, false, 502),
        RESET_MID_STREAM(Target.OK, true, 502),
        STALL_MID_STREAM(Target.OK, true, 504),
        RATE_LIMITED_RETRY_AFTER(Target.OK, false, 429),
        RATE_LIMITED_RETRY_AFTER_STREAM(Target.OK, true, 429),
        RATE_LIMITED(Target.OK, false, 429),
        STATUS_500(Target.OK, false, 500),
        STATUS_502(Target.OK, false, 502),
        STATUS_503(Target.OK, false, 503),
        STATUS_503_STREAM(Target.OK, true, 503),
        STATUS_529(Target.OK, false, 529),
        HTML_502(Target.OK, false, 502),
        INVALID_JSON_200(Target.OK, false, 502),
        MALFORMED_SSE_EVENT(Target.OK, true, 502),
        MISSING_TERMINAL_FRAME(Target.OK, true, 502),
        EVENT_OVER_LIMIT(Target.OK, true, 502),
        HUGE_BODY(Target.OK, false, 502),
        HUGE_ERROR_BODY_STREAM(Target.OK, true, 500);

        final Target target;
        final boolean stream;
        final int status;
        final boolean heavy;

        Fault(Target target, boolean stream, int status) {
            this.target = target;
            this.stream = stream;
            this.status = status;
            this.heavy = name().startsWith("HUGE") || name().equals("EVENT_OVER_LIMIT");
        }

        boolean reachesUpstream() {
            return target == Target.OK || target == Target.SLOW;
        }

        /** The answer the faulty provider gives, in its dialect {@code u}; {@code key} is the key it was sent. */
        List<Step> steps(Dialect u, String tag, String key) {
            String sse = "text/event-stream";
            String json = "application/json";
            String err = ProviderAnswers.error(u, status, "failure for key " + key);
            List<Step> s = new ArrayList<>();
            switch (this) {
                case RESET_BEFORE_HEADERS, RESET_BEFORE_HEADERS_STREAM -> s.add(new Step.Reset());
                case CLOSE_BEFORE_HEADERS -> s.add(new Step.Close());
                case MALFORMED_STATUS_LINE -> {
                    s.add(Step.text("HTTP/1.1 two hundred OK\r\nnonsense\r\n\r\n"));
                    s.add(new Step.Hang());
                }
                case SLOW_HEADERS, SLOW_HEADERS_STREAM -> s.add(new Step.Hang());
                case RESET_MID_BODY -> {
                    String body = ProviderAnswers.json(u, tag);
                    s.add(Step.text(head(200, json, body.length())));
                    s.add(Step.text(body.substring(0, body.length() / 2)));
                    s.add(new Step.Pause(20));
                    s.add(new Step.Reset());
                }
                case RESET_MID_STREAM, STALL_MID_STREAM -> {
                    s.add(Step.text(head(200, sse, -1)));
                    ProviderAnswers.opening(u, tag).forEach(e -> s.add(Step.text(chunk(e))));
                    s.add(new Step.Pause(20));
                    s.add(this == RESET_MID_STREAM ? new Step.Reset() : new Step.Hang());
                }
                case RATE_LIMITED_RETRY_AFTER, RATE_LIMITED_RETRY_AFTER_STREAM -> s.addAll(complete(429, json, err,
                        "retry-after: 7"));
                case RATE_LIMITED, STATUS_500, STATUS_502, STATUS_503, STATUS_503_STREAM, STATUS_529 ->
                        s.addAll(complete(status, json, err));
                case HTML_502 -> s.addAll(complete(502, "text/html", "<html><body>502 Bad Gateway " + key
                        + "</body></html>"));
                case INVALID_JSON_200 -> s.addAll(complete(200, json, "{\"id\":\"" + tag + "\", oops"));
                case MALFORMED_SSE_EVENT, MISSING_TERMINAL_FRAME, EVENT_OVER_LIMIT -> {
                    s.add(Step.text(head(200, sse, -1)));
                    ProviderAnswers.opening(u, tag).forEach(e -> s.add(Step.text(chunk(e))));
                    if (this == MALFORMED_SSE_EVENT) {
                        s.add(Step.text(chunk("data: {\"not json\n\n")));
                        ProviderAnswers.closing(u).forEach(e -> s.add(Step.text(chunk(e))));
                    } else if (this == EVENT_OVER_LIMIT) {
                        int kib = 9 * 1024;
                        s.add(Step.text(Integer.toHexString(6 + kib * 1024 + 2) + "\r\ndata: "));
                        s.add(new Step.Repeat("a".repeat(1024).getBytes(StandardCharsets.US_ASCII), kib));
                        s.add(Step.text("\n\n\r\n"));
                        ProviderAnswers.closing(u).forEach(e -> s.add(Step.text(chunk(e))));
                    }
                    s.add(Step.text(LAST_CHUNK));
                    s.add(new Step.Keep());
                }
                case HUGE_BODY -> {
                    long kib = 65 * 1024; // past the 64 MiB bound on a held answer (Conversion.MAX_RESPONSE_BYTES)
                    String open = "{\"id\":\"" + tag + "\",\"pad\":\"";
                    s.add(Step.text(head(200, json, open.length() + kib * 1024 + 2)));
                    s.add(Step.text(open));
                    s.add(new Step.Repeat("a".repeat(1024).getBytes(StandardCharsets.US_ASCII), kib));
                    s.add(Step.text("\"}"));
                    s.add(new Step.Keep());
                }
                case HUGE_ERROR_BODY_STREAM -> {
                    long kib = 20 * 1024;
                    s.add(Step.text(head(500, "text/plain", kib * 1024)));
                    s.add(new Step.Repeat(("failure for key " + key + " ").repeat(40).substring(0, 1024)
                            .getBytes(StandardCharsets.US_ASCII), kib));
                    s.add(new Step.Keep());
                }
                default -> throw new IllegalStateException(name() + " does not reach the upstream");
            }
            return s;
        }

        /** What a client should get when {@code passthrough} (its dialect is the provider's). */
        Expect expect(boolean passthrough) {
            return switch (this) {
                case RESET_MID_STREAM, STALL_MID_STREAM -> Expect.STREAM_ERROR;
                case MALFORMED_SSE_EVENT, MISSING_TERMINAL_FRAME, EVENT_OVER_LIMIT ->
                        passthrough ? Expect.RELAYED : Expect.STREAM_ERROR;
                case INVALID_JSON_200, HUGE_BODY -> passthrough ? Expect.RELAYED : Expect.ERROR;
                // A relayed body has begun when the upstream breaks off: the client's connection is cut.
                case RESET_MID_BODY -> passthrough ? Expect.CUT_OR_ERROR : Expect.ERROR;
                default -> Expect.ERROR;
            };
        }

        long boundMs() {
            return switch (this) {
                case SLOW_HEADERS -> SLOW_TIMEOUT_MS;
                case SLOW_HEADERS_STREAM -> FIRST_BYTE_MS;
                case STALL_MID_STREAM -> IDLE_MS;
                case HUGE_BODY, HUGE_ERROR_BODY_STREAM, EVENT_OVER_LIMIT -> 8_000;
                default -> 0;
            } + MARGIN_MS;
        }
    }

    private final FaultyUpstream upstream = new FaultyUpstream();
    private final Vertx tlsVertx = Vertx.vertx();
    private final HttpServer untrusted = untrustedTlsServer(tlsVertx);
    private final TestGateway gateway = TestGateway.start(config(upstream.port(), deadPort(), untrusted.actualPort()), 1);
    private final DialectClient client = new DialectClient(gateway.url());
    private final AtomicReference<Fault> armed = new AtomicReference<>();
    private final AtomicInteger tags = new AtomicInteger();

    UpstreamFaultMatrixTest() {
        upstream.answer(this::answer);
        // Warm up (class loading, the first connection of each pool) outside the timed cases.
        for (Dialect d : Dialect.values()) {
            for (ProviderType p : PROVIDERS) {
                client.send(d, model(p, Target.OK), false, nextTag());
                client.send(d, model(p, Target.DOWN), false, nextTag());
            }
        }
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
        tlsVertx.close();
    }

    static final List<ProviderType> PROVIDERS = List.of(ProviderType.OPENAI, ProviderType.ANTHROPIC,
            ProviderType.GEMINI);

    /**
     * Faults that move tens of MiB run for every same-dialect pair and one cross-dialect pair per
     * provider type, not all twelve: the code paths are per relay kind, not per dialect.
     */
    private static boolean heavyPair(Dialect d, ProviderType p) {
        return d.family() == p || d == (p == ProviderType.OPENAI ? Dialect.ANTHROPIC : Dialect.OPENAI_CHAT);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Dialect d : Dialect.values()) {
            for (ProviderType p : PROVIDERS) {
                for (Fault f : Fault.values()) {
                    if (!f.heavy || heavyPair(d, p)) {
                        out.add(Arguments.of(d, p, f));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} client, {1} provider: {2}")
    @MethodSource("cases")
    void aFaultGetsADialectShapedAnswerInBoundAndTheNextRequestWorks(Dialect d, ProviderType p, Fault fault) {
        boolean passthrough = d.family() == p;
        String tag = nextTag();
        upstream.clearReceived();
        armed.set(fault.reachesUpstream() ? fault : null);
        Result r = client.send(d, model(p, fault.target), fault.stream, tag);
        int faultConnection = fault.reachesUpstream() ? upstream.take().connection() : -1;

        assertThat(r.millis()).as("%s took", r).isLessThanOrEqualTo(fault.boundMs());
        assertNoKeys(r);
        switch (fault.expect(passthrough)) {
            case ERROR -> {
                String message = DialectClient.assertDialectError(d, r, fault.status);
                boolean retryAfter = fault == Fault.RATE_LIMITED_RETRY_AFTER || fault == Fault.RATE_LIMITED_RETRY_AFTER_STREAM;
                assertThat(r.headers().firstValue("retry-after")).as("retry-after of %s", r)
                        .isEqualTo(retryAfter ? java.util.Optional.of("7") : java.util.Optional.empty());
                if (fault.target == Target.TLS_PLAIN_PORT || fault.target == Target.TLS_UNTRUSTED) {
                    assertThat(message).contains("TLS");
                }
            }
            case STREAM_ERROR -> DialectClient.assertStreamEndsInError(d, r);
            case RELAYED -> {
                assertThat(r.status()).as("%s", r).isEqualTo(200);
                assertThat(r.body()).contains(tag);
            }
            case CUT_OR_ERROR -> assertThat(r.cut() || r.status() >= 500).as("%s", r).isTrue();
        }

        String next = nextTag();
        Result ok = client.send(d, model(p, Target.OK), fault.stream, next);
        assertThat(ok.status()).as("follow-up %s", ok).isEqualTo(200);
        assertThat(ok.body()).as("follow-up %s", ok).contains(next);
        assertNoKeys(ok);
        if (fault.reachesUpstream()) {
            int followUp = upstream.take().connection();
            assertReleased(faultConnection, followUp);
        }
    }

    /** The connection that carried the fault was reused for the next request or is closed (soon). */
    private void assertReleased(int faulted, int followUp) {
        if (faulted == followUp) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!upstream.ended(faulted) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
        assertThat(upstream.ended(faulted)).as("upstream connection %d released", faulted).isTrue();
    }

    private static void assertNoKeys(Result r) {
        String all = r.headers().map() + r.body();
        for (String key : List.of(TestGateway.OPENAI_KEY, TestGateway.ANTHROPIC_KEY, TestGateway.GEMINI_KEY)) {
            assertThat(all).as("answer of %s", r).doesNotContain(key);
        }
    }

    private List<Step> answer(Request req) {
        Dialect u = ProviderAnswers.dialectOf(req.path());
        String body = req.bodyText();
        String tag = ProviderAnswers.tag(body);
        Fault f = armed.getAndSet(null);
        if (f != null) {
            String key = req.headers().getOrDefault("x-api-key", req.headers().getOrDefault("x-goog-api-key",
                    req.headers().getOrDefault("authorization", "none")));
            return f.steps(u, tag, key);
        }
        if (ProviderAnswers.streamed(req.path(), body)) {
            List<Step> s = new ArrayList<>();
            s.add(Step.text(head(200, "text/event-stream", -1)));
            s.add(Step.text(chunk(ProviderAnswers.stream(u, tag))));
            s.add(Step.text(LAST_CHUNK));
            s.add(new Step.Keep());
            return s;
        }
        return complete(200, "application/json", ProviderAnswers.json(u, tag));
    }

    private String nextTag() {
        return "TAG" + tags.incrementAndGet() + "x" + Long.toString(System.nanoTime() % 100_000, 36);
    }

    static String model(ProviderType p, Target t) {
        return p.name().toLowerCase(Locale.ROOT) + "-" + t.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String config(int port, int dead, int tls) {
        return config(port, dead, tls, SLOW_TIMEOUT_MS, FIRST_BYTE_MS, IDLE_MS);
    }

    static String config(int port, int dead, int tls, long slowMs, long firstByteMs, long idleMs) {
        StringBuilder y = new StringBuilder("""
                stream_idle_timeout: %dms
                stream_first_byte_timeout: %dms
                access_log: true
                providers:
                """.formatted(idleMs, firstByteMs));
        StringBuilder models = new StringBuilder("models:\n");
        for (ProviderType p : PROVIDERS) {
            String type = p.name().toLowerCase(Locale.ROOT);
            String keyVar = switch (p) {
                case OPENAI -> "OPENAI_API_KEY";
                case ANTHROPIC -> "ANTHROPIC_API_KEY";
                default -> "GEMINI_API_KEY";
            };
            String suffix = p == ProviderType.OPENAI ? "/v1" : "";
            for (Target t : Target.values()) {
                String base = switch (t) {
                    case OK, SLOW -> "http://127.0.0.1:" + port;
                    case DOWN -> "http://127.0.0.1:" + dead;
                    case TLS_PLAIN_PORT -> "https://127.0.0.1:" + port;
                    case TLS_UNTRUSTED -> "https://127.0.0.1:" + tls;
                };
                String name = model(p, t);
                y.append("  - name: ").append(name).append("\n    type: ").append(type)
                        .append("\n    base_url: ").append(base).append(suffix)
                        .append("\n    api_key: ${").append(keyVar).append("}")
                        .append("\n    connect_timeout: 1s")
                        .append("\n    timeout: ").append(t == Target.SLOW ? slowMs + "ms" : "20s").append('\n');
                models.append("  - name: ").append(name).append("\n    provider: ").append(name)
                        .append("\n    upstream_model: ").append(type).append("-upstream\n");
                if (p == ProviderType.ANTHROPIC) {
                    models.append("    max_tokens: 64\n");
                }
            }
        }
        return y.append(models).toString();
    }

    private static int deadPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpServer untrustedTlsServer(Vertx vertx) {
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        HttpServerOptions options = new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions());
        try {
            return vertx.createHttpServer(options).requestHandler(r -> r.response().end("{}"))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
