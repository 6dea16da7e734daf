package dev.rosetta.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.dialect.UpstreamErrors;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.error.GatewayException;
import dev.rosetta.model.Usage;
import dev.rosetta.route.Route;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.upstream.ProviderRequests;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Embeddings across dialects: OpenAI {@code /v1/embeddings} ↔ Gemini {@code :embedContent} /
 * {@code :batchEmbedContents}. Texts and dimensions map; task types and titles have no OpenAI
 * equivalent and are reported dropped; token-id inputs cannot be converted and are refused.
 */
public final class Embeddings {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OPENAI_FIELDS = Set.of("model", "input", "dimensions", "encoding_format", "user");

    private final Upstream upstream;
    private final Replies replies;

    public Embeddings(Upstream upstream, Replies replies) {
        this.upstream = upstream;
        this.replies = replies;
    }

    public void embed(Exchange ex, Route route, byte[] body) {
        JsonNode root = CountTokens.tree(body);
        DropLog dropped = new DropLog();
        switch (route.provider().type() == ProviderType.VERTEX ? ProviderType.VERTEX : route.family()) {
            case GEMINI -> fromOpenAi(ex, route, root, dropped);
            case OPENAI -> fromGemini(ex, route, root, dropped);
            default -> throw GatewayError.of(ErrorKind.INVALID_REQUEST, "model \"" + ex.model() + "\" is served by a "
                    + route.provider().type().wireName() + " provider, which has no embeddings").toException();
        }
    }

    /** An OpenAI client, a Gemini provider. */
    private void fromOpenAi(Exchange ex, Route route, JsonNode root, DropLog dropped) {
        List<String> texts = openAiInputs(root.path("input"));
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!OPENAI_FIELDS.contains(f)) {
                dropped.add("$." + f);
            }
        }
        boolean base64 = "base64".equals(root.path("encoding_format").asText("float"));
        ObjectNode request = JSON.createObjectNode();
        ArrayNode requests = request.putArray("requests");
        for (String t : texts) {
            ObjectNode r = requests.addObject().put("model", "models/" + route.upstreamModel());
            r.putObject("content").putArray("parts").addObject().put("text", t);
            if (root.path("dimensions").canConvertToInt()) {
                r.put("outputDimensionality", root.path("dimensions").asInt());
            }
        }
        String url = ProviderRequests.url(route, Endpoint.GEMINI_BATCH_EMBED, "v1beta", false, false);
        long estimate = texts.stream().mapToLong(t -> (long) Math.ceil(t.length() / 3.5)).sum();
        call(ex, route, url, request, dropped, answer -> {
            ObjectNode out = JSON.createObjectNode().put("object", "list");
            ArrayNode data = out.putArray("data");
            int i = 0;
            for (JsonNode e : answer.path("embeddings")) {
                ObjectNode item = data.addObject().put("object", "embedding").put("index", i++);
                if (base64) {
                    item.put("embedding", toBase64(e.path("values")));
                } else {
                    item.set("embedding", e.path("values"));
                }
            }
            out.put("model", ex.model());
            out.putObject("usage").put("prompt_tokens", estimate).put("total_tokens", estimate);
            ex.response().putHeader("x-rosetta-token-count", "estimated");
            ex.usageEstimated(true);
            ex.usage(new Usage(estimate, 0, 0, 0, 0));
            return out;
        });
    }

    /** A Gemini client, an OpenAI provider. */
    private void fromGemini(Exchange ex, Route route, JsonNode root, DropLog dropped) {
        boolean batch = ex.endpoint() == Endpoint.GEMINI_BATCH_EMBED;
        List<JsonNode> items = new ArrayList<>();
        if (batch) {
            if (!root.path("requests").isArray()) {
                throw GatewayError.invalid("requests must be a list", "$.requests").toException();
            }
            root.path("requests").forEach(items::add);
        } else {
            items.add(root);
        }
        List<String> texts = new ArrayList<>();
        Integer dimensions = null;
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String path = batch ? "$.requests[" + i + "]" : "$";
            StringBuilder text = new StringBuilder();
            JsonNode parts = item.path("content").path("parts");
            if (!parts.isArray() || parts.isEmpty()) {
                throw GatewayError.invalid("content.parts must be a non-empty list", path + ".content.parts").toException();
            }
            for (int p = 0; p < parts.size(); p++) {
                if (!parts.get(p).path("text").isTextual()) {
                    throw GatewayError.invalid("only text parts can be embedded by an openai provider",
                            path + ".content.parts[" + p + "]").toException();
                }
                text.append(parts.get(p).path("text").asText());
            }
            texts.add(text.toString());
            if (item.path("outputDimensionality").canConvertToInt()) {
                dimensions = item.path("outputDimensionality").asInt();
            }
            for (String f : List.of("taskType", "title")) {
                if (item.has(f)) {
                    dropped.add(path + "." + f);
                }
            }
        }
        ObjectNode request = JSON.createObjectNode().put("model", route.upstreamModel());
        ArrayNode input = request.putArray("input");
        texts.forEach(input::add);
        if (dimensions != null) {
            request.put("dimensions", dimensions);
        }
        request.put("encoding_format", "float");
        String url = ProviderRequests.url(route, Endpoint.EMBEDDINGS, "", false, false);
        call(ex, route, url, request, dropped, answer -> {
            ex.usage(new Usage(answer.path("usage").path("prompt_tokens").asLong(0), 0, 0, 0, 0));
            List<JsonNode> vectors = new ArrayList<>();
            answer.path("data").forEach(d -> vectors.add(d.path("embedding")));
            ObjectNode out = JSON.createObjectNode();
            if (batch) {
                ArrayNode list = out.putArray("embeddings");
                vectors.forEach(v -> list.addObject().set("values", v));
            } else {
                out.putObject("embedding").set("values", vectors.isEmpty() ? JSON.createArrayNode() : vectors.get(0));
            }
            return out;
        });
    }

    private void call(Exchange ex, Route route, String url, JsonNode request, DropLog dropped,
                      java.util.function.Function<JsonNode, JsonNode> convert) {
        upstream.call(ex, route, url, CountTokens.bytes(request), (call, resp) -> resp.body()
                .onSuccess(answer -> {
                    if (call.done()) {
                        return;
                    }
                    if (resp.statusCode() >= 400) {
                        call.fail(UpstreamErrors.parse(route.provider().name(), resp.statusCode(), answer.getBytes(),
                                Optional.ofNullable(resp.getHeader("retry-after"))));
                        return;
                    }
                    JsonNode out;
                    try {
                        out = convert.apply(CountTokens.tree(answer.getBytes()));
                    } catch (GatewayException | ClassCastException e) {
                        call.fail(GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream provider " + route.provider().name()
                                + " sent embeddings Rosetta could not read"));
                        return;
                    }
                    if (!dropped.isEmpty()) {
                        ex.response().putHeader("x-rosetta-dropped", String.join(",", dropped.paths()));
                    }
                    replies.json(ex, 200, CountTokens.bytes(out));
                    call.complete(200);
                })
                .onFailure(e -> call.fail(GatewayError.of(ErrorKind.BAD_GATEWAY, "upstream provider "
                        + route.provider().name() + " broke off the embeddings answer"))));
    }

    private static List<String> openAiInputs(JsonNode input) {
        List<String> texts = new ArrayList<>();
        if (input.isTextual()) {
            texts.add(input.asText());
        } else if (input.isArray() && !input.isEmpty()) {
            for (int i = 0; i < input.size(); i++) {
                if (!input.get(i).isTextual()) {
                    throw GatewayError.invalid("token-id input cannot be converted for a gemini provider; send text",
                            "$.input[" + i + "]").toException();
                }
                texts.add(input.get(i).asText());
            }
        } else {
            throw GatewayError.invalid("input must be a string or a non-empty list of strings", "$.input").toException();
        }
        return texts;
    }

    /** OpenAI's base64 encoding: little-endian float32s. */
    private static String toBase64(JsonNode values) {
        ByteBuffer buf = ByteBuffer.allocate(values.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(v -> buf.putFloat((float) v.asDouble()));
        return Base64.getEncoder().encodeToString(buf.array());
    }
}
