package dev.rosetta.pipeline;

import dev.rosetta.auth.Admission;
import dev.rosetta.cache.ResponseCache;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.dialect.opaque.SealedMarkers;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.limits.Police;
import dev.rosetta.mock.MockProvider;
import dev.rosetta.route.ModelGroup;
import dev.rosetta.route.ModelRoutes;
import dev.rosetta.route.Router;
import dev.rosetta.route.Route;
import java.util.Optional;

/**
 * The request pipeline, in order: read what the body asks for, route the model to a provider, then
 * call it: the mock answers locally, the provider's own dialect is relayed byte for byte, anything
 * else is converted (generation, token counting, embeddings). A same-dialect generation request that
 * may hold state Rosetta sealed for its client ({@link SealedMarkers}) is converted too, so that state
 * is opened. The admit stage has run before the body was read (so an unauthenticated body is never
 * read); here the principal's models are enforced. The police stage (limits) runs between resolving
 * the model and calling the provider when limits are configured; the cache stage after it, when the
 * response cache is on, answers from the cache or keeps the answer for it; the route stage
 * ({@link Router}) then tries a model group's targets, one call per attempt, until one commits.
 */
public final class Pipeline {

    private final ModelRoutes routes;
    private final Passthrough passthrough;
    private final Conversion conversion;
    private final CountTokens countTokens;
    private final Embeddings embeddings;
    private final MockProvider mock;
    private final Police police;
    private final ResponseCache cache;
    private final Router router;

    public Pipeline(ModelRoutes routes, Passthrough passthrough, Conversion conversion, CountTokens countTokens,
                    Embeddings embeddings, MockProvider mock) {
        this(routes, passthrough, conversion, countTokens, embeddings, mock, null);
    }

    /** @param police the limits stage, or null when no limit is configured (then it costs nothing) */
    public Pipeline(ModelRoutes routes, Passthrough passthrough, Conversion conversion, CountTokens countTokens,
                    Embeddings embeddings, MockProvider mock, Police police) {
        this(routes, passthrough, conversion, countTokens, embeddings, mock, police, null, null);
    }

    /**
     * @param cache the response cache stage, or null when the cache is off (then it costs nothing)
     * @param router the route stage, or null when no model is routed (then it costs nothing)
     */
    public Pipeline(ModelRoutes routes, Passthrough passthrough, Conversion conversion, CountTokens countTokens,
                    Embeddings embeddings, MockProvider mock, Police police, ResponseCache cache, Router router) {
        this.router = router;
        this.police = police;
        this.cache = cache;
        this.routes = routes;
        this.passthrough = passthrough;
        this.conversion = conversion;
        this.countTokens = countTokens;
        this.embeddings = embeddings;
        this.mock = mock;
    }

    /**
     * @param pathModel the model named in the path (Gemini), empty when the body names it
     * @param geminiVersion the API version of a Gemini path
     * @param geminiSse whether a Gemini client asked for {@code alt=sse}
     */
    public void handle(Exchange ex, byte[] body, Optional<String> pathModel, String geminiVersion, boolean geminiSse) {
        RequestPeek peek = RequestPeek.of(body);
        ex.bodyBytes(body.length);
        String model = pathModel.or(peek::model).orElseThrow(() ->
                new GatewayError(ErrorKind.INVALID_REQUEST, "you must provide a model parameter",
                        Optional.of("model"), Optional.empty(), Optional.empty()).toException());
        ex.model(model);
        if (!ex.principal().mayUse(model)) {
            throw Admission.forbidden(ex.principal(), model).toException();
        }
        ex.stream(ex.dialect() == Dialect.GEMINI ? ex.endpoint() == Endpoint.GEMINI_STREAM : peek.stream());
        Route route = routes.find(model).orElseThrow(() ->
                GatewayError.of(ErrorKind.NOT_FOUND, "model \"" + model + "\" is not served by this gateway")
                        .withCode("model_not_found").toException());
        ex.provider(route.provider().name());
        ex.upstreamModel(route.upstreamModel());
        if (ex.capture() != null) {
            ex.capture().target(route.provider().name() + "/" + route.upstreamModel());
        }
        if (police != null) {
            police.admit(ex, route, body.length, peek.maxOutputTokens(),
                    () -> cached(ex, route, peek, body, pathModel, geminiVersion, geminiSse));
            return;
        }
        cached(ex, route, peek, body, pathModel, geminiVersion, geminiSse);
    }

    /** The cache stage: a hit ends the request here; a miss goes on to the route stage and fills the cache. */
    private void cached(Exchange ex, Route route, RequestPeek peek, byte[] body, Optional<String> pathModel,
                        String geminiVersion, boolean geminiSse) {
        if (cache != null) {
            cache.serve(ex, route, body, geminiSse, () -> route(ex, route, peek, body, pathModel, geminiVersion, geminiSse));
            return;
        }
        route(ex, route, peek, body, pathModel, geminiVersion, geminiSse);
    }

    /** The route stage: a model group's attempts, each one a call; a plain model is called as it is. */
    private void route(Exchange ex, Route route, RequestPeek peek, byte[] body, Optional<String> pathModel,
                       String geminiVersion, boolean geminiSse) {
        ModelGroup group = router == null ? null : router.group(route);
        if (group == null) {
            call(ex, route, peek, body, pathModel, geminiVersion, geminiSse);
            return;
        }
        router.route(ex, group, target -> call(ex, target, peek, body, pathModel, geminiVersion, geminiSse));
    }

    private void call(Exchange ex, Route route, RequestPeek peek, byte[] body, Optional<String> pathModel,
                      String geminiVersion, boolean geminiSse) {
        String model = ex.model();
        if (route.provider().type() == ProviderType.MOCK) {
            mock.answer(ex, route, body, geminiSse);
            return;
        }
        boolean sameDialect = ex.endpoint().operation() == Endpoint.Operation.GENERATE
                ? Conversion.upstreamDialect(route, ex.dialect()) == ex.dialect()
                // a platform's counter and embeddings answer in its own shape: converted (Bedrock's CountTokens)
                : route.family() == ex.dialect().family() && route.provider().type() != ProviderType.BEDROCK;
        if (sameDialect && ex.endpoint().operation() == Endpoint.Operation.GENERATE && SealedMarkers.presentIn(body)) {
            // State Rosetta sealed while another provider's model answered (the client switched models
            // mid-conversation): relayed as is, this provider would refuse it. The conversion path opens
            // it, gives this provider back what is its own and leaves out, naming it, what is not.
            conversion.generate(ex, route, body, geminiSse);
            return;
        }
        if (sameDialect) {
            byte[] upstreamBody = pathModel.isPresent() ? GeminiModelRefs.rename(body, model, route.upstreamModel())
                    : peek.withModel(body, route.upstreamModel());
            passthrough.forward(ex, route, upstreamBody, geminiVersion, geminiSse);
            return;
        }
        switch (ex.endpoint().operation()) {
            case GENERATE -> conversion.generate(ex, route, body, geminiSse);
            case COUNT_TOKENS -> countTokens.count(ex, route, body);
            case EMBED -> embeddings.embed(ex, route, body);
        }
    }
}
