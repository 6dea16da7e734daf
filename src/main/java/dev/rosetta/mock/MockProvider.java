package dev.rosetta.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.error.GatewayError;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.pipeline.Replies;
import dev.rosetta.route.Route;
import dev.rosetta.model.Usage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.util.List;

/**
 * The built-in offline provider: answers every operation deterministically in the client's own
 * dialect, streamed when asked, without any network. Like the real providers, an OpenAI or Anthropic
 * request whose schemas name a type JSON Schema does not have ({@code "OBJECT"}) is refused with 400.
 */
public final class MockProvider {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final int DIMENSIONS = 8;

    private final Replies replies;

    public MockProvider(Replies replies) {
        this.replies = replies;
    }

    /** @param geminiSse whether a Gemini stream was asked for with {@code alt=sse} */
    public void answer(Exchange ex, Route route, byte[] body, boolean geminiSse) {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            replies.error(ex, GatewayError.invalid("malformed JSON", "$"));
            return;
        }
        switch (ex.endpoint().operation()) {
            case GENERATE -> generate(ex, route, request, geminiSse);
            case COUNT_TOKENS -> {
                long n = MockAnswers.estimateTokens(ex.dialect() == Dialect.GEMINI
                        && request.has("generateContentRequest") ? request.get("generateContentRequest") : request);
                ObjectNode o = ex.dialect() == Dialect.GEMINI ? F.objectNode().put("totalTokens", n)
                        : F.objectNode().put("input_tokens", n);
                ex.usage(new Usage(n, 0, 0, 0, 0));
                replies.json(ex, 200, MockAnswers.bytes(o));
            }
            case EMBED -> embed(ex, route, request);
        }
    }

    private void generate(Exchange ex, Route route, JsonNode request, boolean geminiSse) {
        var badType = MockSchemas.invalidType(ex.dialect(), request);
        if (badType.isPresent()) {
            replies.error(ex, GatewayError.invalid("invalid schema: type must be one of string, number, integer,"
                    + " boolean, object, array, null, as OpenAI and Anthropic require", badType.get()));
            return;
        }
        MockAnswers answers = new MockAnswers(ex.dialect(), route.upstreamModel(), request);
        ex.usage(answers.usage());
        if (!ex.stream()) {
            byte[] complete = answers.complete();
            ex.tap().relayed(Buffer.buffer(complete));
            replies.json(ex, 200, complete);
            return;
        }
        boolean includeUsage = request.path("stream_options").path("include_usage").asBoolean(false);
        List<byte[]> events = answers.stream(includeUsage, geminiSse);
        HttpServerResponse out = ex.response();
        out.setStatusCode(200).setChunked(true)
                .putHeader("content-type", ex.dialect() == Dialect.GEMINI && !geminiSse
                        ? "application/json" : "text/event-stream")
                .putHeader("cache-control", "no-cache")
                .putHeader("x-rosetta-request-id", ex.requestId());
        ex.status(200);
        ex.markFirstByte();
        for (byte[] e : events) {
            Buffer b = Buffer.buffer(e);
            ex.tap().relayed(b);
            out.write(b);
        }
        out.end();
        replies.finish(ex, 200);
    }

    private void embed(Exchange ex, Route route, JsonNode request) {
        ObjectNode o;
        switch (ex.dialect()) {
            case GEMINI -> {
                if (request.has("requests")) {
                    o = F.objectNode();
                    ArrayNode list = o.putArray("embeddings");
                    for (JsonNode r : request.get("requests")) {
                        list.addObject().set("values", vector(MockPrompt.allText(r.path("content"))));
                    }
                } else {
                    o = F.objectNode();
                    o.putObject("embedding").set("values", vector(MockPrompt.allText(request.path("content"))));
                }
            }
            default -> {
                o = F.objectNode().put("object", "list");
                ArrayNode data = o.putArray("data");
                JsonNode input = request.path("input");
                JsonNode inputs = input.isArray() && !input.isEmpty() && !input.get(0).isNumber()
                        ? input : F.arrayNode().add(input);
                int i = 0;
                for (JsonNode in : inputs) {
                    data.addObject().put("object", "embedding").put("index", i++)
                            .set("embedding", vector(in.toString()));
                }
                o.put("model", route.upstreamModel());
                long n = MockAnswers.estimateTokens(input);
                o.putObject("usage").put("prompt_tokens", n).put("total_tokens", n);
            }
        }
        replies.json(ex, 200, MockAnswers.bytes(o));
    }

    /** A deterministic unit vector derived from the text. */
    private static ArrayNode vector(String text) {
        ArrayNode v = F.arrayNode();
        int h = text.hashCode();
        double[] raw = new double[DIMENSIONS];
        double norm = 0;
        for (int i = 0; i < DIMENSIONS; i++) {
            h = h * 1103515245 + 12345;
            raw[i] = ((h >>> 8) & 0xffff) / 65535.0 - 0.5;
            norm += raw[i] * raw[i];
        }
        norm = Math.sqrt(norm);
        for (double x : raw) {
            v.add(norm == 0 ? 0 : x / norm);
        }
        return v;
    }
}
