package dev.rosetta.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.route.Route;
import io.vertx.core.MultiMap;
import java.io.IOException;
import java.util.Base64;

/**
 * The request body a platform wants for Anthropic's Messages API: the model lives in the path, so the
 * body has no {@code model}; the API version is in the body ({@code anthropic_version}); Bedrock takes
 * no {@code stream} (the path says it) and its beta flags in {@code anthropic_beta}. Bedrock's
 * CountTokens wraps the InvokeModel body, base64-encoded. Other bodies go as they are.
 */
public final class PlatformBodies {

    public static final String VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";
    public static final String BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PlatformBodies() {
    }

    /** Whether {@link #adapt} changes bodies for this route (so a caller can skip the parse otherwise). */
    public static boolean adapts(Route route) {
        ProviderType type = route.provider().type();
        return (type == ProviderType.VERTEX || type == ProviderType.BEDROCK) && route.family() == ProviderType.ANTHROPIC;
    }

    public static byte[] adapt(Route route, Endpoint endpoint, byte[] body, MultiMap clientHeaders) {
        if (endpoint == Endpoint.CHAT_COMPLETIONS && route.provider().platform().compat().isPresent()) {
            return dev.rosetta.upstream.compat.CompatBodies.adapt(route.provider().platform().compat().get(), body);
        }
        if (!adapts(route) || (endpoint != Endpoint.MESSAGES && endpoint != Endpoint.COUNT_TOKENS)) {
            return body;
        }
        ObjectNode root;
        try {
            JsonNode parsed = JSON.readTree(body);
            if (!(parsed instanceof ObjectNode o)) {
                return body;
            }
            root = o;
        } catch (IOException e) {
            // the client's own malformed body: the provider says so in its words
            return body;
        }
        boolean bedrock = route.provider().type() == ProviderType.BEDROCK;
        if (endpoint == Endpoint.COUNT_TOKENS && !bedrock) {
            return body; // Vertex's count-tokens:rawPredict takes Anthropic's count_tokens body, model included
        }
        root.remove("model");
        if (!root.has("anthropic_version")) {
            root.put("anthropic_version", bedrock ? BEDROCK_ANTHROPIC_VERSION : VERTEX_ANTHROPIC_VERSION);
        }
        if (bedrock) {
            root.remove("stream");
            if (clientHeaders != null && clientHeaders.get("anthropic-beta") != null && !root.has("anthropic_beta")) {
                ArrayNode betas = root.putArray("anthropic_beta");
                for (String h : clientHeaders.getAll("anthropic-beta")) {
                    for (String b : h.split(",")) {
                        if (!b.isBlank()) {
                            betas.add(b.strip());
                        }
                    }
                }
            }
        }
        try {
            if (endpoint == Endpoint.COUNT_TOKENS) {
                if (!root.has("max_tokens")) {
                    root.put("max_tokens", 1); // InvokeModel's body requires it; counting ignores it
                }
                ObjectNode wrapped = JSON.createObjectNode();
                wrapped.putObject("input").putObject("invokeModel")
                        .put("body", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(root)));
                return JSON.writeValueAsBytes(wrapped);
            }
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw GatewayError.of(ErrorKind.INTERNAL, "could not encode the request for " + route.provider().name())
                    .toException();
        }
    }
}
