package dev.rosetta.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.dialect.UpstreamErrors;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.Usage;
import dev.rosetta.route.Route;
import dev.rosetta.upstream.ProviderRequests;
import dev.rosetta.usage.TokenEstimate;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Token counting across dialects ({@code /v1/messages/count_tokens}, {@code :countTokens}): the
 * target provider's native counter where it has one (Anthropic, Gemini), else a local estimate
 * that is always flagged with {@code x-rosetta-token-count: estimated}.
 */
public final class CountTokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What Anthropic's count_tokens accepts; anything else in a Messages body is refused there. */
    private static final Set<String> ANTHROPIC_COUNT_FIELDS = Set.of("model", "messages", "system", "tools",
            "tool_choice", "thinking", "mcp_servers");

    private final Upstream upstream;
    private final Replies replies;

    public CountTokens(Upstream upstream, Replies replies) {
        this.upstream = upstream;
        this.replies = replies;
    }

    public void count(Exchange ex, Route route, byte[] body) {
        ChatRequest request = decode(ex.dialect(), body);
        switch (route.provider().type()) {
            case ANTHROPIC -> {
                ObjectNode encoded = (ObjectNode) tree(Codec.of(Dialect.ANTHROPIC)
                        .encodeRequest(request, route.upstreamModel(), new DropLog()));
                encoded.retain(ANTHROPIC_COUNT_FIELDS);
                String url = ProviderRequests.url(route.provider(), Endpoint.COUNT_TOKENS, route.upstreamModel(), "", false);
                call(ex, route, url, bytes(encoded), "input_tokens");
            }
            case GEMINI -> {
                ObjectNode inner = (ObjectNode) tree(Codec.of(Dialect.GEMINI)
                        .encodeRequest(request, route.upstreamModel(), new DropLog()));
                ObjectNode wrapped = JSON.createObjectNode();
                ObjectNode gcr = wrapped.putObject("generateContentRequest");
                gcr.put("model", "models/" + route.upstreamModel());
                gcr.setAll(inner);
                String url = ProviderRequests.url(route.provider(), Endpoint.GEMINI_COUNT_TOKENS, route.upstreamModel(),
                        "v1beta", false);
                call(ex, route, url, bytes(wrapped), "totalTokens");
            }
            default -> {
                long estimate = TokenEstimate.of(request);
                ex.response().putHeader("x-rosetta-token-count", "estimated");
                ex.usage(new Usage(estimate, 0, 0, 0, 0));
                replies.json(ex, 200, render(ex.dialect(), estimate));
            }
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

    private void call(Exchange ex, Route route, String url, byte[] body, String field) {
        upstream.call(ex, route, url, body, (call, resp) -> resp.body()
                .onSuccess(answer -> {
                    if (call.done()) {
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
