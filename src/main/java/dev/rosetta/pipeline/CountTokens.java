package dev.rosetta.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.dialect.UpstreamErrors;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.Usage;
import dev.rosetta.route.Route;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.upstream.PlatformBodies;
import dev.rosetta.upstream.ProviderRequests;
import dev.rosetta.usage.TokenEstimate;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Token counting across dialects ({@code /v1/messages/count_tokens}, {@code :countTokens}): the
 * target provider's own counter (Anthropic's {@code count_tokens}, Gemini's {@code countTokens},
 * OpenAI's {@code /responses/input_tokens}), the request converted as for generation. Only when an
 * OpenAI-type provider shows it has no counter (an OpenAI-compatible server answering 404, 405 or
 * 501, or a success without a count) is the answer a local estimate, flagged with {@code x-rosetta-token-count: estimated}; that
 * is remembered per provider ({@link TokenCounters}) so later counts do not ask again. Any other
 * upstream error (401, 429, 5xx, a 404 for an unknown model...) is the client's error, as it would
 * be for generation, and is not remembered: the next count asks again.
 */
public final class CountTokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What Anthropic's count_tokens accepts; anything else in a Messages body is refused there. */
    private static final Set<String> ANTHROPIC_COUNT_FIELDS = Set.of("model", "messages", "system", "tools",
            "tool_choice", "thinking", "mcp_servers");

    /**
     * What OpenAI's {@code /responses/input_tokens} accepts (the SDKs' {@code InputTokenCountParams});
     * it refuses anything else in a Responses body ({@code stream}, {@code store}, {@code include},
     * {@code max_output_tokens}, sampling settings...).
     */
    private static final Set<String> OPENAI_COUNT_FIELDS = Set.of("model", "input", "instructions", "tools",
            "tool_choice", "parallel_tool_calls", "reasoning", "text", "truncation", "conversation",
            "previous_response_id");
    /** Appended to an OpenAI provider's base URL, which ends in {@code /v1}. */
    private static final String OPENAI_COUNT_PATH = "/responses/input_tokens";

    private final Upstream upstream;
    private final Replies replies;
    private final OpaqueState opaque;
    private final TokenCounters counters;

    /**
     * @param opaque opens the provider state sealed in tool-call ids, so the count sees what generation would send
     * @param counters which providers have no counter, shared by all event loops
     */
    public CountTokens(Upstream upstream, Replies replies, OpaqueState opaque, TokenCounters counters) {
        this.upstream = upstream;
        this.replies = replies;
        this.opaque = opaque;
        this.counters = counters;
    }

    public void count(Exchange ex, Route route, byte[] body) {
        ChatRequest request = opaque.unseal(decode(ex.dialect(), body));
        ProviderType type = route.provider().type();
        switch (route.family()) {
            case ANTHROPIC -> {
                ObjectNode encoded = (ObjectNode) tree(Codec.of(Dialect.ANTHROPIC)
                        .encodeRequest(request, route.upstreamModel(), new DropLog()));
                encoded.retain(ANTHROPIC_COUNT_FIELDS);
                String url = ProviderRequests.url(route, Endpoint.COUNT_TOKENS, "", false, false);
                call(ex, route, url, PlatformBodies.adapt(route, Endpoint.COUNT_TOKENS, bytes(encoded), ex.request().headers()),
                        type == ProviderType.BEDROCK ? "inputTokens" : "input_tokens", Optional.empty());
            }
            case GEMINI -> {
                ObjectNode inner = (ObjectNode) tree(Codec.of(Dialect.GEMINI)
                        .encodeRequest(request, route.upstreamModel(), new DropLog()));
                ObjectNode wrapped = JSON.createObjectNode();
                if (type == ProviderType.VERTEX) {
                    // Vertex's countTokens takes the request's fields at the top level
                    inner.retain("contents", "tools", "systemInstruction", "generationConfig");
                    wrapped = inner;
                } else {
                    ObjectNode gcr = wrapped.putObject("generateContentRequest");
                    gcr.put("model", "models/" + route.upstreamModel());
                    gcr.setAll(inner);
                }
                String url = ProviderRequests.url(route, Endpoint.GEMINI_COUNT_TOKENS, "v1beta", false, false);
                call(ex, route, url, bytes(wrapped), "totalTokens", Optional.empty());
            }
            case OPENAI -> {
                String provider = route.provider().name();
                if (type != ProviderType.OPENAI || !counters.offered(provider)) {
                    // Azure OpenAI has no counter
                    estimate(ex, request);
                    return;
                }
                ObjectNode encoded = (ObjectNode) tree(Codec.of(Dialect.OPENAI_RESPONSES)
                        .encodeRequest(request.withStream(false), route.upstreamModel(), new DropLog()));
                encoded.retain(OPENAI_COUNT_FIELDS);
                call(ex, route, route.provider().baseUrl() + OPENAI_COUNT_PATH, bytes(encoded), "input_tokens",
                        Optional.of(() -> {
                            counters.markMissing(provider);
                            estimate(ex, request);
                        }));
            }
            default -> estimate(ex, request);
        }
    }

    private void estimate(Exchange ex, ChatRequest request) {
        long estimate = TokenEstimate.of(request);
        ex.response().putHeader("x-rosetta-token-count", "estimated");
        ex.usageEstimated(true);
        ex.usage(new Usage(estimate, 0, 0, 0, 0));
        replies.json(ex, 200, render(ex.dialect(), estimate));
    }

    /**
     * Whether an error answer says the endpoint does not exist, as opposed to a request it refused: a
     * 404 that OpenAI gives for an unknown model ({@code model_not_found}) is not that.
     */
    static boolean noSuchEndpoint(int status, byte[] body) {
        if (status == 405 || status == 501) {
            return true;
        }
        if (status != 404) {
            return false;
        }
        try {
            return !tree(body).path("error").path("code").asText().equals("model_not_found");
        } catch (dev.rosetta.error.GatewayException e) {
            return true; // not JSON: a server's plain "404 page not found"
        }
    }

    private static ChatRequest decode(Dialect dialect, byte[] body) {
        if (dialect == Dialect.GEMINI) {
            JsonNode root = tree(body);
            if (root.has("generateContentRequest")) {
                return Codec.of(dialect).decodeRequest(bytes(root.get("generateContentRequest")));
            }
        }
        return Codec.of(dialect).decodeRequest(body);
    }

    /** @param noCounter what to answer instead when the provider shows it has no such endpoint */
    private void call(Exchange ex, Route route, String url, byte[] body, String field, Optional<Runnable> noCounter) {
        upstream.call(ex, route, url, body, (call, resp) -> resp.body()
                .onSuccess(answer -> {
                    if (call.done()) {
                        return;
                    }
                    if (noCounter.isPresent() && noSuchEndpoint(resp.statusCode(), answer.getBytes())) {
                        noCounter.get().run();
                        call.complete(200);
                        return;
                    }
                    if (resp.statusCode() >= 400) {
                        call.fail(UpstreamErrors.parse(route.provider().name(), resp.statusCode(), answer.getBytes(),
                                Optional.ofNullable(resp.getHeader("retry-after"))));
                        return;
                    }
                    JsonNode n;
                    try {
                        n = tree(answer.getBytes()).path(field);
                    } catch (dev.rosetta.error.GatewayException e) {
                        n = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
                    }
                    if (!n.isIntegralNumber() && noCounter.isPresent()) {
                        // Some local servers (LM Studio) answer an unknown endpoint with 200 and an error body.
                        noCounter.get().run();
                        call.complete(200);
                        return;
                    }
                    if (!n.canConvertToLong()) {
                        call.fail(GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream provider " + route.provider().name()
                                + " answered the token count without " + field));
                        return;
                    }
                    ex.usage(new Usage(n.asLong(), 0, 0, 0, 0));
                    replies.json(ex, 200, render(ex.dialect(), n.asLong()));
                    call.complete(200);
                })
                .onFailure(e -> call.fail(GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream provider "
                        + route.provider().name() + " broke off the token count"))));
    }

    private static byte[] render(Dialect dialect, long tokens) {
        String body = dialect == Dialect.GEMINI ? "{\"totalTokens\":" + tokens + "}" : "{\"input_tokens\":" + tokens + "}";
        return body.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static JsonNode tree(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw GatewayError.invalid("malformed JSON", "$").toException();
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
