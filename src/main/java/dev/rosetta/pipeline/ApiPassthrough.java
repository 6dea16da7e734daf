package dev.rosetta.pipeline;

import dev.rosetta.auth.Admission;
import dev.rosetta.auth.UploadGrants;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.error.GatewayException;
import dev.rosetta.limits.Police;
import dev.rosetta.route.ApiPaths.ApiPath;
import dev.rosetta.route.ApiProviders;
import dev.rosetta.route.ApiProviders.Target;
import dev.rosetta.route.Route;
import dev.rosetta.upstream.ProviderRequests;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The rest of each provider's API, passed through: files, uploads, batches, stored responses,
 * moderation, images, audio, cached contents. The request goes to the provider as the client sent
 * it, with the client's credentials and the hop-by-hop headers taken out and the provider's key put
 * in; the answer comes back as the provider sent it. Bodies stream both ways chunk by chunk with
 * backpressure, so an upload or a download of any size costs the gateway a few buffers, not its size.
 *
 * <p>A JSON request body to OpenAI's API is the exception: it is read whole (within
 * {@code max_body_size}) so that a {@code model} it names can be routed and renamed like on the
 * gateway's own endpoints. Other bodies are never read: they are not bounded by {@code max_body_size},
 * only by the provider's own limits and its {@code timeout}.
 *
 * <p>Gemini's resumable upload answers its start request with the URL to send the bytes to
 * ({@code x-goog-upload-url}); that URL is rewritten to the gateway's own origin as the client reached
 * it, carrying the provider's name, so the bytes come through here and on to the provider with its key.
 */
public final class ApiPassthrough {

    /** The query parameter naming the provider in a rewritten upload URL; taken out before forwarding. */
    static final String PROVIDER_PARAM = "rosetta_provider";
    private static final int MAX_ERROR_BODY = 1024 * 1024;
    private static final String UPLOAD_URL = "x-goog-upload-url";

    /** Client headers never forwarded: hop-by-hop, the client's credentials and cookies, the gateway's own. */
    private static final Set<String> DROPPED_REQUEST = Set.of("host", "connection", "keep-alive", "proxy-authorization",
            "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect", "content-length",
            "authorization", "x-api-key", "x-goog-api-key", "api-key", "cookie", "accept-encoding",
            "openai-organization", "openai-project", "forwarded", "x-real-ip", ApiProviders.HEADER);

    /**
     * Provider headers never relayed: hop-by-hop, and those that would speak for the gateway's origin
     * (cookies, HSTS, alternative services on the provider's ports).
     */
    private static final Set<String> DROPPED_RESPONSE = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "set-cookie", "set-cookie2",
            "alt-svc", "strict-transport-security",
            // cross-origin access is the gateway's decision (cors:), never the provider's
            "access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods",
            "access-control-allow-headers", "access-control-expose-headers", "access-control-max-age");

    /** One request's bodies in flight, on its event loop. */
    private static final class Flow {
        long in;
        long out;
        long lastIn = System.nanoTime();
        /** The client is paused because the provider takes the upload more slowly than it comes. */
        boolean held;
        HttpClientRequest sending;

        void count(Exchange ex) {
            ex.bytes(in, out);
        }
    }

    private final Vertx vertx;
    private final Upstream upstream;
    private final ApiProviders providers;
    private final Duration bodyIdle;
    private final Optional<UploadGrants> uploads;
    private final Police police;

    /**
     * @param bodyIdle how long a streamed request body may pause (not counting pauses the gateway makes)
     * @param uploads with {@code auth: keys}: the grants put in rewritten upload URLs, whose follow-ups carry no key
     * @param police the limits and budgets these requests count against ({@link Police#admitApi}); null for none
     */
    public ApiPassthrough(Vertx vertx, Upstream upstream, ApiProviders providers, Duration bodyIdle,
                          Optional<UploadGrants> uploads, Police police) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.providers = providers;
        this.bodyIdle = bodyIdle;
        this.uploads = uploads;
        this.police = police;
    }

    public ApiPassthrough(Vertx vertx, Upstream upstream, ApiProviders providers, Duration bodyIdle) {
        this(vertx, upstream, providers, bodyIdle, Optional.empty(), null);
    }

    /**
     * Passes one request through.
     *
     * @param readWhole reads the request body whole within the gateway's body limit, then calls on
     */
    public void handle(Exchange ex, ApiPath path, BiConsumer<Exchange, Consumer<byte[]>> readWhole) {
        ex.dialect(dialectOf(path.family()));
        HttpServerRequest req = ex.request();
        String type = req.getHeader("content-type");
        // Only OpenAI's API names a model at the top of a JSON body; elsewhere the model is in the path
        // (and a Gemini upload chunk may well be a JSON file of any size).
        if (path.family() == ProviderType.OPENAI && type != null
                && type.regionMatches(true, 0, "application/json", 0, "application/json".length())) {
            readWhole.accept(ex, body -> forward(ex, path, body));
            return;
        }
        // Chunks would be dropped while the upstream connection opens without a handler to take them.
        req.pause();
        Target target;
        try {
            target = choose(ex, path, Optional.empty());
        } catch (GatewayException e) {
            discardBody(ex);
            throw e;
        }
        if (police == null || req.getParam(UploadGrants.PARAM) != null) {
            // (the rest of an upload the gateway let start, through the URL it handed back: one upload, counted once)
            stream(ex, target);
            return;
        }
        // Still paused, the body waits for the police stage's answer (from Redis, perhaps). A refusal leaves
        // it unread, and a client that asked to continue first never sends it.
        ex.response().endHandler(v -> discardBody(ex));
        try {
            police.admitApi(ex, ex.model(), target.provider().name(), () -> stream(ex, target));
        } catch (GatewayException e) {
            discardBody(ex);
            throw e;
        }
    }

    /** Streams the paused request's body to {@code target} and its answer back. */
    private void stream(Exchange ex, Target target) {
        HttpServerRequest req = ex.request();
        if ("100-continue".equalsIgnoreCase(req.getHeader("expect"))) {
            ex.response().writeContinue();
        }
        Flow flow = new Flow();
        // Until the upstream request is open the client is paused by the gateway, not stalled.
        flow.held = true;
        flow.count(ex);
        ex.response().endHandler(v -> {
            // Also called when the client's connection closes: the upstream call handles that itself.
            if (!ex.response().ended()) {
                return;
            }
            // The answer is complete while the upload is not (the provider answered early, or the call
            // failed): the rest of it goes nowhere, and the upstream request cannot be finished.
            if (!req.isEnded() && flow.sending != null) {
                flow.sending.reset();
            }
            discardBody(ex);
        });
        String length = req.getHeader("content-length");
        RequestOptions options = options(req, target, Optional.ofNullable(length));
        UpstreamCall call = upstream.stream(ex, route(target), options, up -> {
            flow.sending = up;
            pipe(ex, up, length == null && hasBody(req), flow);
        }, (c, resp) -> relay(c, resp, target.provider(), flow, uploads));
        watchBody(call, flow, bodyIdle.toNanos());
    }

    /**
     * Fails the call when the client's body stops arriving for {@code bodyIdle}: a stalled upload
     * would otherwise hold its upstream request open for the provider's whole timeout. One timer,
     * re-armed lazily, so chunks cost no timer churn.
     */
    private void watchBody(UpstreamCall call, Flow flow, long delayNanos) {
        vertx.setTimer(Math.max(1, delayNanos / 1_000_000), id -> {
            Exchange ex = call.exchange();
            if (call.done() || ex.request().isEnded()) {
                return;
            }
            long silent = System.nanoTime() - flow.lastIn;
            if (flow.held || silent < bodyIdle.toNanos()) {
                watchBody(call, flow, flow.held ? bodyIdle.toNanos() : bodyIdle.toNanos() - silent);
                return;
            }
            call.fail(GatewayError.of(ErrorKind.REQUEST_TIMEOUT, "the request body stopped arriving: nothing came for "
                    + UpstreamCall.human(bodyIdle)));
        });
    }

    private void forward(Exchange ex, ApiPath path, byte[] body) {
        Optional<RequestPeek> peek = peek(body);
        Target target = choose(ex, path, peek.flatMap(RequestPeek::model));
        if (police == null) {
            send(ex, path, body, peek, target);
            return;
        }
        police.admitApi(ex, ex.model(), target.provider().name(), () -> send(ex, path, body, peek, target));
    }

    /** Sends the request's body, read whole, to {@code target} and streams its answer back. */
    private void send(Exchange ex, ApiPath path, byte[] body, Optional<RequestPeek> peek, Target target) {
        byte[] sent = target.route().isPresent() && path.model().isEmpty() && peek.isPresent()
                ? peek.get().withModel(body, target.route().get().upstreamModel()) : body;
        Flow flow = new Flow();
        flow.in = body.length;
        flow.count(ex);
        RequestOptions options = options(ex.request(), target, Optional.of(Integer.toString(sent.length)));
        upstream.stream(ex, route(target), options, up -> up.end(Buffers.wrap(sent)),
                (call, resp) -> relay(call, resp, target.provider(), flow, uploads));
    }

    private Target choose(Exchange ex, ApiPath path, Optional<String> bodyModel) {
        HttpServerRequest req = ex.request();
        Optional<String> named = Optional.ofNullable(req.getHeader(ApiProviders.HEADER))
                .or(() -> Optional.ofNullable(req.getParam(PROVIDER_PARAM))).map(String::trim).filter(s -> !s.isEmpty());
        Optional<String> model = path.model().or(() -> bodyModel);
        model.ifPresent(ex::model);
        // The admit stage has run (RequestRouter); a request that names a model may only name the key's.
        if (model.isPresent() && !ex.principal().mayUse(model.get())) {
            throw Admission.forbidden(ex.principal(), model.get()).toException();
        }
        // Naming no model, the request reaches the provider account every tenant shares (files, batches...).
        if (model.isEmpty() && !ex.principal().passthrough()) {
            throw Admission.passthroughForbidden(ex.principal()).toException();
        }
        Target target = providers.choose(path, bodyModel, named);
        ex.provider(target.provider().name());
        return target;
    }

    /** A JSON body's top-level model; a body that is no JSON object goes as it is, for the provider to judge. */
    private static Optional<RequestPeek> peek(byte[] body) {
        try {
            return Optional.of(RequestPeek.of(body));
        } catch (GatewayException e) {
            return Optional.empty();
        }
    }

    private static Route route(Target target) {
        return target.route().orElseGet(() -> Route.toProvider(target.provider()));
    }

    private static RequestOptions options(HttpServerRequest req, Target target, Optional<String> contentLength) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        Set<String> named = connectionTokens(req.headers());
        for (Map.Entry<String, String> h : req.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!DROPPED_REQUEST.contains(name) && !named.contains(name) && !name.startsWith("x-forwarded-")
                    && !name.startsWith(":")) {
                headers.add(name, h.getValue());
            }
        }
        contentLength.ifPresent(n -> headers.set("content-length", n));
        headers.set("accept-encoding", "identity");
        String ua = req.getHeader("user-agent");
        headers.set("user-agent", ua == null || ua.isBlank() ? ProviderRequests.USER_AGENT
                : ua + " " + ProviderRequests.USER_AGENT);
        ProviderRequests.authenticate(target.provider(), headers, req.headers());
        return new RequestOptions()
                .setMethod(req.method())
                .setAbsoluteURI(target.provider().baseUrl() + target.upstreamPath() + query(req.query()))
                .setHeaders(headers);
    }

    /** Headers a {@code Connection} header names are hop-by-hop too. */
    private static Set<String> connectionTokens(MultiMap headers) {
        Set<String> out = new HashSet<>();
        for (String v : headers.getAll("connection")) {
            for (String token : v.split(",")) {
                out.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** The client's query without its key ({@code key=}) and the gateway's provider and grant parameters. */
    static String query(String raw) {
        if (raw == null || raw.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (pair.isEmpty() || name.equals("key") || name.equals(PROVIDER_PARAM) || name.equals(UploadGrants.PARAM)) {
                continue;
            }
            out.append(out.isEmpty() ? '?' : '&').append(pair);
        }
        return out.toString();
    }

    private static boolean hasBody(HttpServerRequest req) {
        String te = req.getHeader("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            return true;
        }
        HttpMethod m = req.method();
        return req.version() == HttpVersion.HTTP_2 && !(m == HttpMethod.GET || m == HttpMethod.HEAD
                || m == HttpMethod.DELETE || m == HttpMethod.OPTIONS);
    }

    /** Streams the client's body into the upstream request, pausing the client while the upstream's queue is full. */
    private static void pipe(Exchange ex, HttpClientRequest up, boolean chunked, Flow flow) {
        HttpServerRequest in = ex.request();
        if (chunked) {
            up.setChunked(true);
        }
        in.handler(chunk -> {
            flow.in += chunk.length();
            flow.lastIn = System.nanoTime();
            flow.count(ex);
            up.write(chunk);
            if (up.writeQueueFull()) {
                flow.held = true;
                in.pause();
                up.drainHandler(v -> {
                    flow.held = false;
                    flow.lastIn = System.nanoTime();
                    in.resume();
                });
            }
        });
        in.endHandler(v -> up.end());
        flow.held = false;
        flow.lastIn = System.nanoTime();
        in.resume();
    }

    /**
     * Once the answer is complete, a request body still arriving (the provider answered early, or the
     * call failed) is read and dropped, and the connection closed: it cannot carry another request.
     */
    private static void discardBody(Exchange ex) {
        HttpServerRequest req = ex.request();
        if (req.isEnded()) {
            return;
        }
        req.handler(chunk -> { });
        req.endHandler(v -> { });
        req.resume();
        if (req.version() != HttpVersion.HTTP_2) {
            if (ex.response().headWritten()) {
                req.connection().close();
            } else {
                ex.response().putHeader("connection", "close");
            }
        }
    }

    private static void relay(UpstreamCall call, HttpClientResponse up, ProviderConfig provider, Flow flow,
                              Optional<UploadGrants> uploads) {
        Exchange ex = call.exchange();
        HttpServerResponse out = ex.response();
        int status = up.statusCode();
        out.setStatusCode(status);
        for (Map.Entry<String, String> h : up.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals(UPLOAD_URL)) {
                out.headers().add(h.getKey(), granted(uploadUrl(h.getValue(), provider, origin(ex.request())),
                        provider, ex, uploads));
            } else if (!DROPPED_RESPONSE.contains(name)) {
                out.headers().add(h.getKey(), h.getValue());
            }
        }
        out.putHeader("x-rosetta-request-id", ex.requestId());
        ex.status(status);
        if (status >= 400) {
            // An error body is small and may echo a credential: read whole (bounded), redacted, relayed.
            call.readErrorBody(up, MAX_ERROR_BODY, raw -> {
                byte[] body = call.redactor().redact(raw);
                ex.markFirstByte();
                flow.out = body.length;
                flow.count(ex);
                out.headers().remove("content-length");
                out.setChunked(false);
                out.end(Buffer.buffer(body));
                call.complete(status);
            });
            return;
        }
        boolean bodiless = status == 204 || status == 304 || ex.request().method() == HttpMethod.HEAD;
        if (!bodiless && out.headers().get("content-length") == null) {
            out.setChunked(true);
        }
        call.onBroken(error -> {
            ex.outcome(error.message());
            flow.count(ex);
            // A cut body must not pass for a complete one.
            if (!out.ended()) {
                out.reset();
            }
        });
        up.handler(chunk -> {
            call.touch();
            ex.markFirstByte();
            flow.out += chunk.length();
            flow.count(ex);
            out.write(chunk);
            if (out.writeQueueFull()) {
                call.holdFor(up, out);
            }
        });
        up.endHandler(v -> {
            if (call.done()) {
                return;
            }
            ex.markFirstByte();
            flow.count(ex);
            out.end();
            call.complete(status);
        });
    }

    /**
     * The gateway's own URL for a Gemini upload URL: the gateway's origin, the upload URL's path
     * (below the provider's base path) and query, and the provider's name, so the next request of
     * the upload reaches the same provider through the gateway.
     */
    static String uploadUrl(String upstreamUrl, ProviderConfig provider, String origin) {
        URI u;
        try {
            u = URI.create(upstreamUrl.trim());
        } catch (IllegalArgumentException e) {
            return upstreamUrl;
        }
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        String basePath = URI.create(provider.baseUrl()).getRawPath();
        if (basePath != null && !basePath.isEmpty() && path.startsWith(basePath + "/")) {
            path = path.substring(basePath.length());
        }
        String query = u.getRawQuery() == null || u.getRawQuery().isEmpty() ? "" : u.getRawQuery() + "&";
        return origin + path + "?" + query + PROVIDER_PARAM + "="
                + URLEncoder.encode(provider.name(), StandardCharsets.UTF_8);
    }

    /**
     * With {@code auth: keys}, the rewritten upload URL with a grant for its follow-ups, which carry no
     * key: bound to this request's key, the provider, the URL's path and its {@code upload_id}.
     */
    private static String granted(String url, ProviderConfig provider, Exchange ex, Optional<UploadGrants> uploads) {
        if (uploads.isEmpty() || ex.principal().anonymous()) {
            return url;
        }
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException e) {
            return url;
        }
        if (u.getRawQuery() == null) {
            return url;
        }
        String uploadId = "";
        for (String pair : u.getRawQuery().split("&")) {
            if (pair.startsWith("upload_id=")) {
                uploadId = URLDecoder.decode(pair.substring("upload_id=".length()), StandardCharsets.UTF_8);
            }
        }
        String grant = uploads.get().issue(ex.principal().keyId(), provider.name(), u.getRawPath(), uploadId,
                System.currentTimeMillis());
        return url + "&" + UploadGrants.PARAM + "=" + grant;
    }

    /** Scheme and authority as the client reached the gateway (through a proxy, as the proxy says). */
    static String origin(HttpServerRequest req) {
        String proto = first(req.getHeader("x-forwarded-proto")).orElse(req.isSSL() ? "https" : "http");
        String host = first(req.getHeader("x-forwarded-host")).or(() -> first(req.getHeader("host")))
                .orElseGet(() -> req.authority() == null ? "localhost" : req.authority().toString());
        return proto + "://" + host;
    }

    private static Optional<String> first(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String v = header.split(",")[0].trim();
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /** The dialect a passed-through API speaks (its errors included). */
    public static Dialect dialectOf(ProviderType family) {
        return switch (family) {
            case ANTHROPIC -> Dialect.ANTHROPIC;
            case GEMINI -> Dialect.GEMINI;
            default -> Dialect.OPENAI_CHAT;
        };
    }
}
