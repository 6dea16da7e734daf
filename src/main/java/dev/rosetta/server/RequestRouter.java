package dev.rosetta.server;

import dev.rosetta.admin.AdminApi;
import dev.rosetta.auth.Admission;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.dialect.ModelListRenderer;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.error.GatewayException;
import dev.rosetta.pipeline.ApiPassthrough;
import dev.rosetta.pipeline.Buffers;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.pipeline.Pipeline;
import dev.rosetta.pipeline.Replies;
import dev.rosetta.route.ApiPaths;
import dev.rosetta.route.ModelRoutes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front: picks the endpoint (and so the client's dialect) from the path, reads the body
 * within the size limit, and hands the request to the pipeline; the rest of each provider's API
 * ({@link ApiPaths}) goes to {@link ApiPassthrough}. Runs on one event loop.
 */
final class RequestRouter {

    private static final Logger LOG = LoggerFactory.getLogger(RequestRouter.class);
    private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] READY = "{\"status\":\"ready\"}".getBytes(StandardCharsets.US_ASCII);

    private final ModelRoutes routes;
    private final Pipeline pipeline;
    private final ApiPassthrough passthrough;
    private final Replies replies;
    private final long maxBodyBytes;
    private final Lifecycle lifecycle;
    private final io.vertx.core.Vertx vertx;
    private final java.time.Duration readTimeout;
    /** The admit stage; null with {@code auth: none}, so it costs nothing there. */
    private final Admission admission;
    private final java.util.function.Supplier<java.util.Map<String, String>> counterTrouble;
    /** The admin API; null with {@code auth: none}. */
    private final AdminApi admin;
    private final dev.rosetta.route.HealthApi health;
    /**
     * 64 random bits: the ledger is idempotent by request id, so ids must not repeat across restarts and replicas.
     * The counter after it has a fixed width, so one process's ids sort in the order they were made and the
     * ledger's index on them grows at one end instead of taking inserts all over (see {@link #requestId}).
     */
    private final String idPrefix = String.format("req_%016x_", ThreadLocalRandom.current().nextLong());
    private long counter;

    /**
     * @param readTimeout how long a request's body may take to arrive once its head has
     * @param admission the admit stage, or null with {@code auth: none}
     * @param admin the admin API, or null with {@code auth: none}
     * @param counterTrouble what is wrong with the shared counters right now, by what they count
     *     ({@code limits}, {@code budgets}), for {@code /ready}; empty while they answer
     */
    RequestRouter(ModelRoutes routes, Pipeline pipeline, ApiPassthrough passthrough, Replies replies, long maxBodyBytes,
                  Lifecycle lifecycle, io.vertx.core.Vertx vertx, java.time.Duration readTimeout, Admission admission,
                  AdminApi admin, java.util.function.Supplier<java.util.Map<String, String>> counterTrouble,
                  dev.rosetta.route.HealthApi health) {
        this.health = health;
        this.counterTrouble = counterTrouble;
        this.passthrough = passthrough;
        this.admission = admission;
        this.admin = admin;
        this.vertx = vertx;
        this.readTimeout = readTimeout;
        this.routes = routes;
        this.pipeline = pipeline;
        this.replies = replies;
        this.maxBodyBytes = maxBodyBytes;
        this.lifecycle = lifecycle;
    }

    /** {@code prefix} and the counter as 12 hex digits, zero-padded: ids made later sort after earlier ones. */
    static String requestId(String prefix, long counter) {
        char[] id = new char[prefix.length() + 12];
        prefix.getChars(0, prefix.length(), id, 0);
        for (int i = id.length - 1; i >= prefix.length(); i--, counter >>>= 4) {
            id[i] = Character.forDigit((int) (counter & 0xf), 16);
        }
        return new String(id);
    }

    void handle(HttpServerRequest req) {
        Exchange ex = new Exchange(req, requestId(idPrefix, ++counter), System.nanoTime());
        lifecycle.begin();
        ex.dialect(guessDialect(req));
        if (lifecycle.captures.armed()) {
            lifecycle.captures.claim(req.getHeader(dev.rosetta.pipeline.WireCapture.HEADER)).ifPresent(ex::capture);
        }
        try {
            route(ex);
        } catch (GatewayException e) {
            replies.error(ex, e.error());
        } catch (RuntimeException e) {
            LOG.error("unexpected failure handling {} {}", req.method(), req.path(), e);
            replies.error(ex, GatewayError.of(ErrorKind.INTERNAL, "internal gateway error"));
        }
    }

    private void route(Exchange ex) {
        HttpServerRequest req = ex.request();
        String path = req.path();
        HttpMethod method = req.method();
        if ((method == HttpMethod.GET || method == HttpMethod.HEAD) && path.equals("/health")) {
            replies.json(ex, 200, HEALTHY);
            return;
        }
        if ((method == HttpMethod.GET || method == HttpMethod.HEAD) && path.equals("/ready")) {
            if (lifecycle.draining()) {
                replies.error(ex, GatewayError.of(ErrorKind.UNAVAILABLE, "shutting down"));
            } else if (admin != null && admin.readiness().isPresent()) {
                var keys = admin.readiness().get();
                replies.json(ex, keys.getKey(), keys.getValue());
            } else if (!counterTrouble.get().isEmpty()) {
                // still ready: every replica shares the same Redis, so moving traffic would not help
                StringBuilder sb = new StringBuilder("{\"status\":\"ready\"");
                counterTrouble.get().forEach((what, trouble) ->
                        dev.rosetta.pipeline.JsonStrings.append(sb.append(",\"").append(what).append("\":"), trouble));
                replies.json(ex, 200, sb.append('}').toString().getBytes(StandardCharsets.UTF_8));
            } else {
                replies.json(ex, 200, READY);
            }
            return;
        }
        if (method == HttpMethod.GET && path.equals(dev.rosetta.route.HealthApi.PATH)
                || method == HttpMethod.POST && path.equals(dev.rosetta.route.HealthApi.RELOAD)) {
            health.handle(ex);
            return;
        }
        if (admin != null && path.startsWith("/admin/")) {
            readBody(ex, false, body -> admin.handle(ex, body));
            return;
        }
        if (path.startsWith("/v1beta/models") || path.startsWith("/v1/models")) {
            modelsPath(ex, path, method);
            return;
        }
        Endpoint endpoint = switch (path) {
            case "/v1/chat/completions", "/chat/completions" -> Endpoint.CHAT_COMPLETIONS;
            case "/v1/responses", "/responses" -> Endpoint.RESPONSES;
            case "/v1/embeddings", "/embeddings" -> Endpoint.EMBEDDINGS;
            case "/v1/messages" -> Endpoint.MESSAGES;
            case "/v1/messages/count_tokens" -> Endpoint.COUNT_TOKENS;
            default -> null;
        };
        if (endpoint == null) {
            ApiPaths.match(path, ex.dialect() == Dialect.ANTHROPIC).ifPresentOrElse(api -> passThrough(ex, api),
                    () -> notFound(ex));
            return;
        }
        ex.endpoint(endpoint);
        requirePost(method);
        readBody(ex, body -> pipeline.handle(ex, body, Optional.empty(), "", false));
    }

    /** {@code /v1/models[/{id}]} for OpenAI and Anthropic; {@code /v1beta/models/{model}[:method]} for Gemini. */
    private void modelsPath(Exchange ex, String path, HttpMethod method) {
        boolean beta = path.startsWith("/v1beta/");
        String version = beta ? "v1beta" : "v1";
        String rest = path.substring(beta ? "/v1beta/models".length() : "/v1/models".length());
        if (!rest.isEmpty() && !rest.startsWith("/")) {
            notFound(ex);
            return;
        }
        String name = rest.isEmpty() ? "" : decode(rest.substring(1));
        int colon = name.lastIndexOf(':');
        if (colon > 0) {
            Optional<Endpoint> endpoint = Endpoint.geminiMethod(name.substring(colon + 1));
            ex.dialect(Dialect.GEMINI);
            if (endpoint.isEmpty()) {
                ApiPaths.geminiModelMethod(version, name.substring(0, colon), name.substring(colon + 1))
                        .ifPresentOrElse(api -> passThrough(ex, api), () -> notFound(ex));
                return;
            }
            ex.endpoint(endpoint.get());
            requirePost(method);
            String model = name.substring(0, colon);
            boolean sse = "sse".equals(ex.request().getParam("alt"));
            readBody(ex, body -> pipeline.handle(ex, body, Optional.of(model), version, sse));
            return;
        }
        if (method != HttpMethod.GET) {
            throw GatewayError.of(ErrorKind.NOT_FOUND, "no such endpoint: " + method + " " + path).toException();
        }
        ProviderType format = beta ? ProviderType.GEMINI : switch (ex.dialect()) {
            case ANTHROPIC -> ProviderType.ANTHROPIC;
            case GEMINI -> ProviderType.GEMINI;
            default -> ProviderType.OPENAI;
        };
        admit(ex);
        if (name.isEmpty()) {
            replies.json(ex, 200, ModelListRenderer.list(format, ex.principal().anonymous() ? routes.listed()
                    : routes.listed().stream().filter(r -> ex.principal().mayUse(r.clientModel())).toList()));
            return;
        }
        String id = format == ProviderType.GEMINI && name.startsWith("models/") ? name.substring(7) : name;
        if (!ex.principal().mayUse(id)) {
            throw Admission.forbidden(ex.principal(), id).toException();
        }
        if (format == ProviderType.ANTHROPIC && routes.find(id)
                .filter(r -> r.provider().type() == ProviderType.ANTHROPIC && r.provider().passthrough()).isPresent()) {
            passThrough(ex, ApiPaths.anthropicModel(id));
            return;
        }
        routes.find(id).ifPresentOrElse(
                r -> replies.json(ex, 200, ModelListRenderer.one(format, r)),
                () -> replies.error(ex, GatewayError.of(ErrorKind.NOT_FOUND, "model \"" + id + "\" is not served by this gateway")
                        .withCode("model_not_found")));
    }

    /** The admit stage: sets the request's principal or throws its refusal. */
    private void admit(Exchange ex) {
        // a playground request: its caller holds the admin key
        if (admission != null && ex.capture() == null) {
            HttpServerRequest req = ex.request();
            ex.principal(admission.admit(req.headers(), req.params(), req.remoteAddress().hostAddress()));
        }
    }

    private void passThrough(Exchange ex, ApiPaths.ApiPath api) {
        if (!refusedWhileDraining(ex)) {
            // Admitted here, not in readBody: most of these requests stream their body instead of reading it.
            // A refusal is in the API's dialect, whatever the client's headers suggested.
            ex.dialect(ApiPassthrough.dialectOf(api.family()));
            if (admission != null) {
                HttpServerRequest req = ex.request();
                try {
                    ex.principal(admission.admitPassthrough(req.headers(), req.params(), req.path(),
                            req.remoteAddress().hostAddress()));
                } catch (GatewayException e) {
                    if (expectsContinue(req)) {
                        refuseBeforeBody(ex, e.error());
                        return;
                    }
                    throw e;
                }
            }
            passthrough.handle(ex, api, (e, then) -> readBody(e, false, then));
        }
    }

    private boolean refusedWhileDraining(Exchange ex) {
        if (!lifecycle.draining()) {
            return false;
        }
        closeAfterResponse(ex);
        replies.error(ex, GatewayError.of(ErrorKind.UNAVAILABLE, "the gateway is shutting down").withRetryAfter(1));
        return true;
    }

    private void readBody(Exchange ex, java.util.function.Consumer<byte[]> then) {
        readBody(ex, true, then);
    }

    /** @param admitClient whether a client key is required (everything but the admin API, which checks its own) */
    private void readBody(Exchange ex, boolean admitClient, java.util.function.Consumer<byte[]> then) {
        HttpServerRequest req = ex.request();
        if (refusedWhileDraining(ex)) {
            return;
        }
        boolean expectsContinue = expectsContinue(req);
        if (admitClient) {
            if (expectsContinue) {
                if (!admittedBeforeBody(ex)) {
                    return;
                }
            } else {
                admit(ex);
            }
        }
        String declared = req.getHeader("content-length");
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n > maxBodyBytes) {
                tooLarge(ex);
                return;
            }
        }
        if (expectsContinue) {
            // Only now: a refusal that needs no body (a bad key, a declared size over the limit) has gone out
            // instead, and the client never sends what it would have been refused for.
            req.response().writeContinue();
        }
        int expected = declared == null ? 1024 : (int) Math.min(maxBodyBytes, Math.max(0, parseOr(declared)));
        // The first chunk is kept as Vert.x handed it over (its own copy); only a body that arrives in
        // several chunks is gathered into one buffer.
        Buffer[] body = {null};
        boolean[] gathering = {false};
        boolean[] over = {false};
        long timer = vertx.setTimer(Math.max(1, readTimeout.toMillis()), id -> {
            if (over[0] || ex.response().ended()) {
                return;
            }
            over[0] = true;
            // The rest of the body may still trickle in: this connection cannot carry another request.
            closeAfterResponse(ex);
            replies.error(ex, GatewayError.of(ErrorKind.REQUEST_TIMEOUT, "the request body did not arrive within "
                    + (readTimeout.toMillis() % 1000 == 0 ? readTimeout.toSeconds() + "s" : readTimeout.toMillis() + "ms")));
        });
        req.handler(chunk -> {
            if (over[0]) {
                return;
            }
            long received = (body[0] == null ? 0L : body[0].length()) + chunk.length();
            if (received > maxBodyBytes) {
                over[0] = true;
                tooLarge(ex);
                return;
            }
            if (body[0] == null) {
                body[0] = chunk;
            } else {
                if (!gathering[0]) {
                    body[0] = Buffer.buffer(Math.max(expected, (int) received)).appendBuffer(body[0]);
                    gathering[0] = true;
                }
                body[0].appendBuffer(chunk);
            }
        });
        req.exceptionHandler(e -> {
            vertx.cancelTimer(timer);
            if (!ex.response().ended()) {
                ex.outcome("client request failed: " + e.getClass().getSimpleName());
                replies.finish(ex, 499);
            }
        });
        req.endHandler(v -> {
            vertx.cancelTimer(timer);
            if (over[0]) {
                return;
            }
            try {
                then.accept(body[0] == null ? new byte[0] : Buffers.bytes(body[0]));
            } catch (GatewayException e) {
                replies.error(ex, e.error());
            } catch (RuntimeException e) {
                LOG.error("unexpected failure handling {} {}", req.method(), req.path(), e);
                replies.error(ex, GatewayError.of(ErrorKind.INTERNAL, "internal gateway error"));
            }
        });
    }

    private static boolean expectsContinue(HttpServerRequest req) {
        String expect = req.getHeader("expect");
        return expect != null && expect.equalsIgnoreCase("100-continue");
    }

    /** The admit stage for a client waiting for {@code 100 Continue}: a refusal goes out before any body. */
    private boolean admittedBeforeBody(Exchange ex) {
        try {
            admit(ex);
            return true;
        } catch (GatewayException e) {
            refuseBeforeBody(ex, e.error());
            return false;
        }
    }

    /**
     * Answers a client that has not sent its body yet and may never send it: over HTTP/1.x the connection
     * closes after the answer (whatever follows on it could be the body or a next request), and a body sent
     * anyway is read and dropped first, so the client is not reset while it still reads the answer.
     */
    private void refuseBeforeBody(Exchange ex, GatewayError error) {
        HttpServerRequest req = ex.request();
        boolean http1 = closeAfterResponse(ex);
        replies.error(ex, error);
        if (http1 && !req.isEnded()) {
            req.handler(chunk -> { });
            req.endHandler(v -> req.connection().close());
        }
    }

    private static long parseOr(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 1024;
        }
    }

    private void tooLarge(Exchange ex) {
        boolean http1 = closeAfterResponse(ex);
        replies.error(ex, GatewayError.of(ErrorKind.PAYLOAD_TOO_LARGE,
                "request body exceeds the gateway's limit of " + maxBodyBytes + " bytes"));
        if (http1) {
            // The rest of the body is still on the wire: the connection cannot carry another request.
            ex.response().endHandler(v -> ex.request().connection().close());
        }
    }

    /** Asks an HTTP/1.x client to close after this response (HTTP/2 has no such header); true if HTTP/1.x. */
    private static boolean closeAfterResponse(Exchange ex) {
        if (ex.request().version() == io.vertx.core.http.HttpVersion.HTTP_2) {
            return false;
        }
        ex.response().putHeader("connection", "close");
        return true;
    }

    private static void requirePost(HttpMethod method) {
        if (method != HttpMethod.POST) {
            throw GatewayError.of(ErrorKind.NOT_FOUND, "this endpoint takes POST, not " + method).toException();
        }
    }

    private void notFound(Exchange ex) {
        replies.error(ex, GatewayError.of(ErrorKind.NOT_FOUND,
                "no such endpoint: " + ex.request().method() + " " + ex.request().path()));
    }

    /** The dialect to answer in before the endpoint is known (unknown paths, model lists). */
    private static Dialect guessDialect(HttpServerRequest req) {
        if (req.path().startsWith("/v1beta/") || req.getHeader("x-goog-api-key") != null
                || req.getHeader("x-goog-api-client") != null || req.getParam("key") != null) {
            return Dialect.GEMINI;
        }
        if (req.getHeader("anthropic-version") != null || req.getHeader("x-api-key") != null) {
            return Dialect.ANTHROPIC;
        }
        return Dialect.OPENAI_CHAT;
    }

    private static String decode(String s) {
        return s.indexOf('%') < 0 ? s : URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
