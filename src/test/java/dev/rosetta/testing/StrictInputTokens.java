package dev.rosetta.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * OpenAI's {@code POST /v1/responses/input_tokens} played strictly: the body must be what the SDKs'
 * {@code InputTokenCountParams} allow (openai-python {@code input_token_count_params.py}, openai-java
 * {@code InputTokenCountParams.Body}), every input item and content part of a known type with only
 * its own fields, and anything else is refused the way OpenAI refuses it:
 * {@code 400 {"error":{"message":"Unknown parameter: 'stream'.","type":"invalid_request_error",
 * "param":"stream","code":"unknown_parameter"}}}. A valid body is answered
 * {@code {"object":"response.input_tokens","input_tokens":N}} with a count of its own (one token
 * per four characters of every string, plus four per item) that no local estimate matches by chance.
 */
public final class StrictInputTokens implements Function<Recorded, Reply> {

    public static final String PATH = "/v1/responses/input_tokens";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP = Set.of("model", "input", "instructions", "tools", "tool_choice",
            "parallel_tool_calls", "reasoning", "text", "truncation", "conversation", "previous_response_id",
            "personality");
    private static final Map<String, Set<String>> ITEMS = Map.of(
            "message", Set.of("type", "role", "content", "id", "status"),
            "function_call", Set.of("type", "call_id", "name", "arguments", "id", "status"),
            "function_call_output", Set.of("type", "call_id", "output", "id", "status"),
            "reasoning", Set.of("type", "id", "summary", "encrypted_content", "content", "status"));
    private static final Map<String, Set<String>> PARTS = Map.of(
            "input_text", Set.of("type", "text"),
            "output_text", Set.of("type", "text", "annotations", "logprobs"),
            "refusal", Set.of("type", "refusal"),
            "input_image", Set.of("type", "image_url", "file_id", "detail"),
            "input_file", Set.of("type", "file_data", "file_id", "file_url", "filename"));
    private static final Set<String> FUNCTION_TOOL = Set.of("type", "name", "description", "parameters", "strict");
    private static final Set<String> REASONING = Set.of("effort", "summary", "generate_summary");
    private static final Set<String> TEXT = Set.of("format", "verbosity");

    private final AtomicLong lastCount = new AtomicLong(-1);

    /** The count the fake answered last, -1 before any. */
    public long lastCount() {
        return lastCount.get();
    }

    @Override
    public Reply apply(Recorded r) {
        if (!r.method().equals("POST") || !r.path().equals(PATH)) {
            return Reply.json(404, "{\"error\":{\"message\":\"Invalid URL (" + r.method() + " " + r.path()
                    + ")\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
        }
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            return refuse("We could not parse the JSON body of your request.", Optional.empty(), "invalid_json");
        }
        Optional<String> bad = validate(body);
        if (bad.isPresent()) {
            return refuse("Unknown parameter: '" + bad.get() + "'.", bad, "unknown_parameter");
        }
        long n = count(body);
        lastCount.set(n);
        return Reply.json(200, "{\"object\":\"response.input_tokens\",\"input_tokens\":" + n + "}");
    }

    /** The first field OpenAI would refuse, as its path ({@code input[0].content[1].foo}). */
    static Optional<String> validate(JsonNode body) {
        if (!body.isObject()) {
            return Optional.of("(root)");
        }
        Optional<String> bad = unknown(body, TOP, "");
        if (bad.isPresent()) {
            return bad;
        }
        JsonNode input = body.path("input");
        if (input.isArray()) {
            for (int i = 0; i < input.size(); i++) {
                bad = item(input.get(i), "input[" + i + "]");
                if (bad.isPresent()) {
                    return bad;
                }
            }
        } else if (!input.isMissingNode() && !input.isTextual()) {
            return Optional.of("input");
        }
        JsonNode tools = body.path("tools");
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            if (!t.path("type").asText().equals("function") || !t.path("name").isTextual()) {
                return Optional.of("tools[" + i + "].type");
            }
            bad = unknown(t, FUNCTION_TOOL, "tools[" + i + "].");
            if (bad.isPresent()) {
                return bad;
            }
        }
        bad = body.has("reasoning") ? unknown(body.get("reasoning"), REASONING, "reasoning.") : Optional.empty();
        return bad.or(() -> body.has("text") ? unknown(body.get("text"), TEXT, "text.") : Optional.empty());
    }

    private static Optional<String> item(JsonNode item, String where) {
        String type = item.path("type").asText(item.has("role") ? "message" : "");
        Set<String> allowed = ITEMS.get(type);
        if (allowed == null) {
            return Optional.of(where + ".type");
        }
        Optional<String> bad = unknown(item, allowed, where + ".");
        if (bad.isPresent() || !type.equals("message")) {
            return bad;
        }
        if (!Set.of("user", "assistant", "system", "developer").contains(item.path("role").asText())) {
            return Optional.of(where + ".role");
        }
        JsonNode content = item.path("content");
        if (content.isTextual()) {
            return Optional.empty();
        }
        if (!content.isArray()) {
            return Optional.of(where + ".content");
        }
        for (int i = 0; i < content.size(); i++) {
            String at = where + ".content[" + i + "]";
            Set<String> part = PARTS.get(content.get(i).path("type").asText());
            if (part == null) {
                return Optional.of(at + ".type");
            }
            bad = unknown(content.get(i), part, at + ".");
            if (bad.isPresent()) {
                return bad;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> unknown(JsonNode node, Set<String> allowed, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                return Optional.of(prefix + name);
            }
        }
        return Optional.empty();
    }

    private static long count(JsonNode body) {
        long chars = strings(body.path("instructions")) + strings(body.path("input")) + strings(body.path("tools"));
        return chars / 4 + 4L * Math.max(1, body.path("input").size());
    }

    private static long strings(JsonNode n) {
        if (n.isTextual()) {
            return n.asText().length();
        }
        long sum = 0;
        for (JsonNode c : n) {
            sum += strings(c);
        }
        return sum;
    }

    private static Reply refuse(String message, Optional<String> param, String code) {
        ObjectNode error = JSON.createObjectNode();
        ObjectNode e = error.putObject("error").put("message", message).put("type", "invalid_request_error");
        param.ifPresentOrElse(p -> e.put("param", p), () -> e.putNull("param"));
        e.put("code", code);
        return Reply.json(400, error.toString());
    }
}
