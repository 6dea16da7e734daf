package dev.rosetta.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.sse.SseEvent;
import dev.rosetta.sse.SseWriter;
import dev.rosetta.model.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The built-in offline provider's answers, in each dialect's exact wire format. Deterministic: the
 * same request always gets the same bytes (ids are derived from the request, times are fixed), so a
 * newcomer's first request works with no keys and no network, and tests can rely on it. A request for
 * structured output (a JSON schema, or JSON mode) is answered with the simplest JSON it allows
 * ({@link MockSchemas#instance}) instead of the greeting. A user message with the marker
 * {@code [[mock-tool NAME {args}]]} gets a call of that offered tool instead (see {@link MockPrompt#toolCall}),
 * and the tool's result, once it comes back, is quoted in the answer: a client's whole tool round
 * trip can be tested offline.
 */
final class MockAnswers {

    static final long CREATED = 1735689600L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Dialect dialect;
    private final String model;
    private final String text;
    private final List<String> pieces;
    private final long inputTokens;
    private final long outputTokens;
    private final String id;
    private final Optional<MockPrompt.ToolCall> call;

    MockAnswers(Dialect dialect, String model, JsonNode request) {
        this.dialect = dialect;
        this.model = model;
        String said = MockPrompt.lastUserText(dialect, request);
        Optional<String> toolResult = MockPrompt.lastToolResult(dialect, request);
        this.call = MockPrompt.toolCall(dialect, request);
        this.text = MockSchemas.responseSchema(dialect, request)
                .map(schema -> new String(bytes(MockSchemas.instance(schema)), StandardCharsets.UTF_8))
                .orElseGet(() -> "Hello from Rosetta's mock model " + model + "." + toolResult
                        .map(r -> " The tool said: " + quote(r))
                        .orElse(said.isBlank() ? "" : " You said: " + quote(said)));
        this.pieces = split(text);
        this.inputTokens = Math.max(1, MockPrompt.allText(request).length() / 4);
        this.outputTokens = call.isPresent() ? 1 : pieces.size();
        this.id = String.format("%08x", (model + '\n' + said + '\n' + toolResult.orElse("")).hashCode());
    }

    private static String quote(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    Usage usage() {
        return new Usage(inputTokens, 0, 0, outputTokens, 0);
    }

    static long estimateTokens(JsonNode request) {
        return Math.max(1, (MockPrompt.allText(request).length() + 3) / 4);
    }

    /** The whole answer as one JSON body. */
    byte[] complete() {
        if (call.isPresent()) {
            return bytes(toolCallAnswer(call.get()));
        }
        ObjectNode o = switch (dialect) {
            case OPENAI_CHAT -> chatCompletion();
            case OPENAI_RESPONSES -> response("completed", true);
            case ANTHROPIC -> anthropicMessage(true);
            case GEMINI -> geminiChunk(text, true);
        };
        return bytes(o);
    }

    /** The answer as SSE events (or, for Gemini without {@code alt=sse}, JSON-array pieces). */
    List<byte[]> stream(boolean includeUsage, boolean geminiSse) {
        if (call.isPresent()) {
            return toolCallStream(call.get(), includeUsage, geminiSse);
        }
        List<byte[]> out = new ArrayList<>();
        switch (dialect) {
            case OPENAI_CHAT -> {
                ObjectNode first = chunk();
                ObjectNode d0 = choiceDelta(first);
                d0.put("role", "assistant").put("content", "");
                out.add(data(first));
                for (String p : pieces) {
                    ObjectNode c = chunk();
                    choiceDelta(c).put("content", p);
                    out.add(data(c));
                }
                chatEnd(out, "stop", includeUsage);
            }
            case OPENAI_RESPONSES -> {
                int seq = 0;
                out.add(event("response.created", seq++, F.objectNode().set("response", response("in_progress", false))));
                out.add(event("response.in_progress", seq++, F.objectNode().set("response", response("in_progress", false))));
                ObjectNode item = messageItem("in_progress", "");
                out.add(event("response.output_item.added", seq++, F.objectNode().put("output_index", 0).set("item", item)));
                out.add(event("response.content_part.added", seq++, F.objectNode().put("item_id", itemId())
                        .put("output_index", 0).put("content_index", 0).set("part", outputText(""))));
                for (String p : pieces) {
                    ObjectNode d = F.objectNode().put("item_id", itemId()).put("output_index", 0).put("content_index", 0)
                            .put("delta", p);
                    d.putArray("logprobs");
                    out.add(event("response.output_text.delta", seq++, d));
                }
                ObjectNode done = F.objectNode().put("item_id", itemId()).put("output_index", 0).put("content_index", 0)
                        .put("text", text);
                done.putArray("logprobs");
                out.add(event("response.output_text.done", seq++, done));
                out.add(event("response.content_part.done", seq++, F.objectNode().put("item_id", itemId())
                        .put("output_index", 0).put("content_index", 0).set("part", outputText(text))));
                out.add(event("response.output_item.done", seq++, F.objectNode().put("output_index", 0)
                        .set("item", messageItem("completed", text))));
                out.add(event("response.completed", seq, F.objectNode().set("response", response("completed", true))));
            }
            case ANTHROPIC -> {
                out.add(named("message_start", F.objectNode().put("type", "message_start").set("message", anthropicMessage(false))));
                ObjectNode start = F.objectNode().put("type", "content_block_start").put("index", 0);
                start.putObject("content_block").put("type", "text").put("text", "");
                out.add(named("content_block_start", start));
                out.add(named("ping", F.objectNode().put("type", "ping")));
                for (String p : pieces) {
                    ObjectNode d = F.objectNode().put("type", "content_block_delta").put("index", 0);
                    d.putObject("delta").put("type", "text_delta").put("text", p);
                    out.add(named("content_block_delta", d));
                }
                out.add(named("content_block_stop", F.objectNode().put("type", "content_block_stop").put("index", 0)));
                ObjectNode md = F.objectNode().put("type", "message_delta");
                md.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
                md.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", outputTokens);
                out.add(named("message_delta", md));
                out.add(named("message_stop", F.objectNode().put("type", "message_stop")));
            }
            case GEMINI -> {
                for (int i = 0; i < pieces.size(); i++) {
                    byte[] json = bytes(geminiChunk(pieces.get(i), i == pieces.size() - 1));
                    if (geminiSse) {
                        out.add(SseWriter.encode(new SseEvent("", new String(json, StandardCharsets.UTF_8), "")));
                    } else {
                        String prefix = i == 0 ? "[" : ",\r\n";
                        String suffix = i == pieces.size() - 1 ? "]" : "";
                        out.add((prefix + new String(json, StandardCharsets.UTF_8) + suffix).getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return out;
    }

    private String callId() {
        return switch (dialect) {
            case ANTHROPIC -> "toolu_mock" + id;
            default -> "call_mock" + id;
        };
    }

    private String argumentsJson(MockPrompt.ToolCall c) {
        return new String(bytes(c.arguments()), StandardCharsets.UTF_8);
    }

    /** The answer that calls the tool, as one body. */
    private ObjectNode toolCallAnswer(MockPrompt.ToolCall c) {
        return switch (dialect) {
            case OPENAI_CHAT -> {
                ObjectNode o = chatCompletion();
                ObjectNode choice = (ObjectNode) o.path("choices").get(0);
                ObjectNode message = choice.putObject("message").put("role", "assistant").putNull("content");
                message.putNull("refusal");
                message.putArray("tool_calls").add(chatToolCall(c, true));
                choice.put("finish_reason", "tool_calls");
                yield o;
            }
            case OPENAI_RESPONSES -> {
                ObjectNode o = response("completed", true);
                o.putArray("output").add(functionCallItem(c, "completed", argumentsJson(c)));
                yield o;
            }
            case ANTHROPIC -> {
                ObjectNode o = anthropicMessage(true);
                ArrayNode content = o.putArray("content");
                content.addObject().put("type", "tool_use").put("id", callId()).put("name", c.name())
                        .set("input", c.arguments());
                o.put("stop_reason", "tool_use");
                yield o;
            }
            case GEMINI -> geminiCall(c);
        };
    }

    private ObjectNode chatToolCall(MockPrompt.ToolCall c, boolean withArguments) {
        ObjectNode t = F.objectNode();
        if (!withArguments) {
            t.put("index", 0);
        }
        t.put("id", callId()).put("type", "function");
        t.putObject("function").put("name", c.name()).put("arguments", withArguments ? argumentsJson(c) : "");
        return t;
    }

    private ObjectNode functionCallItem(MockPrompt.ToolCall c, String status, String arguments) {
        return F.objectNode().put("type", "function_call").put("id", "fc_mock" + id).put("call_id", callId())
                .put("name", c.name()).put("arguments", arguments).put("status", status);
    }

    private ObjectNode geminiCall(MockPrompt.ToolCall c) {
        ObjectNode o = F.objectNode();
        ObjectNode cand = o.putArray("candidates").addObject();
        ObjectNode content = cand.putObject("content");
        content.putArray("parts").addObject().putObject("functionCall").put("name", c.name())
                .set("args", c.arguments());
        content.put("role", "model");
        cand.put("finishReason", "STOP").put("index", 0);
        o.putObject("usageMetadata").put("promptTokenCount", inputTokens).put("candidatesTokenCount", outputTokens)
                .put("totalTokenCount", inputTokens + outputTokens);
        o.put("modelVersion", model).put("responseId", "mock" + id);
        return o;
    }

    /** The answer that calls the tool, as the dialect streams one: the arguments in one delta. */
    private List<byte[]> toolCallStream(MockPrompt.ToolCall c, boolean includeUsage, boolean geminiSse) {
        List<byte[]> out = new ArrayList<>();
        switch (dialect) {
            case OPENAI_CHAT -> {
                ObjectNode first = chunk();
                ObjectNode d0 = choiceDelta(first).put("role", "assistant");
                d0.putNull("content");
                d0.putArray("tool_calls").add(chatToolCall(c, false));
                out.add(data(first));
                ObjectNode args = chunk();
                choiceDelta(args).putArray("tool_calls").addObject().put("index", 0).putObject("function")
                        .put("arguments", argumentsJson(c));
                out.add(data(args));
                chatEnd(out, "tool_calls", includeUsage);
            }
            case OPENAI_RESPONSES -> {
                int seq = 0;
                out.add(event("response.created", seq++, F.objectNode().set("response", response("in_progress", false))));
                out.add(event("response.in_progress", seq++, F.objectNode().set("response", response("in_progress", false))));
                out.add(event("response.output_item.added", seq++, F.objectNode().put("output_index", 0)
                        .set("item", functionCallItem(c, "in_progress", ""))));
                out.add(event("response.function_call_arguments.delta", seq++, F.objectNode().put("item_id", "fc_mock" + id)
                        .put("output_index", 0).put("delta", argumentsJson(c))));
                out.add(event("response.function_call_arguments.done", seq++, F.objectNode().put("item_id", "fc_mock" + id)
                        .put("output_index", 0).put("name", c.name()).put("arguments", argumentsJson(c))));
                out.add(event("response.output_item.done", seq++, F.objectNode().put("output_index", 0)
                        .set("item", functionCallItem(c, "completed", argumentsJson(c)))));
                out.add(event("response.completed", seq, F.objectNode().set("response", toolCallAnswer(c))));
            }
            case ANTHROPIC -> {
                out.add(named("message_start", F.objectNode().put("type", "message_start").set("message", anthropicMessage(false))));
                ObjectNode start = F.objectNode().put("type", "content_block_start").put("index", 0);
                start.putObject("content_block").put("type", "tool_use").put("id", callId()).put("name", c.name())
                        .putObject("input");
                out.add(named("content_block_start", start));
                ObjectNode d = F.objectNode().put("type", "content_block_delta").put("index", 0);
                d.putObject("delta").put("type", "input_json_delta").put("partial_json", argumentsJson(c));
                out.add(named("content_block_delta", d));
                out.add(named("content_block_stop", F.objectNode().put("type", "content_block_stop").put("index", 0)));
                ObjectNode md = F.objectNode().put("type", "message_delta");
                md.putObject("delta").put("stop_reason", "tool_use").putNull("stop_sequence");
                md.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", outputTokens);
                out.add(named("message_delta", md));
                out.add(named("message_stop", F.objectNode().put("type", "message_stop")));
            }
            case GEMINI -> {
                String json = new String(bytes(geminiCall(c)), StandardCharsets.UTF_8);
                out.add(geminiSse ? SseWriter.encode(new SseEvent("", json, ""))
                        : ("[" + json + "]").getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private ObjectNode chatCompletion() {
        ObjectNode o = F.objectNode().put("id", "chatcmpl-mock" + id).put("object", "chat.completion")
                .put("created", CREATED).put("model", model);
        ObjectNode choice = o.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        o.set("usage", chatUsage());
        return o;
    }

    private ObjectNode chatUsage() {
        return F.objectNode().put("prompt_tokens", inputTokens).put("completion_tokens", outputTokens)
                .put("total_tokens", inputTokens + outputTokens);
    }

    private ObjectNode chunk() {
        return F.objectNode().put("id", "chatcmpl-mock" + id).put("object", "chat.completion.chunk")
                .put("created", CREATED).put("model", model);
    }

    private static ObjectNode choiceDelta(ObjectNode chunk) {
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        choice.putNull("finish_reason");
        return delta;
    }

    private ObjectNode response(String status, boolean withOutput) {
        ObjectNode o = F.objectNode().put("id", "resp_mock" + id).put("object", "response").put("created_at", CREATED)
                .put("status", status).put("model", model);
        o.putNull("error");
        o.putNull("incomplete_details");
        o.putNull("instructions");
        o.putObject("metadata");
        ArrayNode output = o.putArray("output");
        if (withOutput) {
            output.add(messageItem("completed", text));
        }
        o.put("parallel_tool_calls", true).put("temperature", 1.0).put("tool_choice", "auto").put("top_p", 1.0);
        o.putArray("tools");
        if (withOutput) {
            ObjectNode u = o.putObject("usage").put("input_tokens", inputTokens);
            u.putObject("input_tokens_details").put("cached_tokens", 0);
            u.put("output_tokens", outputTokens);
            u.putObject("output_tokens_details").put("reasoning_tokens", 0);
            u.put("total_tokens", inputTokens + outputTokens);
        }
        return o;
    }

    private String itemId() {
        return "msg_mock" + id;
    }

    private ObjectNode messageItem(String status, String content) {
        ObjectNode item = F.objectNode().put("type", "message").put("id", itemId()).put("status", status)
                .put("role", "assistant");
        ArrayNode parts = item.putArray("content");
        if (status.equals("completed")) {
            parts.add(outputText(content));
        }
        return item;
    }

    private static ObjectNode outputText(String t) {
        ObjectNode part = F.objectNode().put("type", "output_text").put("text", t);
        part.putArray("annotations");
        return part;
    }

    private ObjectNode anthropicMessage(boolean complete) {
        ObjectNode o = F.objectNode().put("id", "msg_mock" + id).put("type", "message").put("role", "assistant")
                .put("model", model);
        ArrayNode content = o.putArray("content");
        if (complete) {
            content.addObject().put("type", "text").put("text", text);
            o.put("stop_reason", "end_turn");
        } else {
            o.putNull("stop_reason");
        }
        o.putNull("stop_sequence");
        o.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", complete ? outputTokens : 1);
        return o;
    }

    private ObjectNode geminiChunk(String t, boolean last) {
        ObjectNode o = F.objectNode();
        ObjectNode cand = o.putArray("candidates").addObject();
        ObjectNode content = cand.putObject("content");
        content.putArray("parts").addObject().put("text", t);
        content.put("role", "model");
        if (last) {
            cand.put("finishReason", "STOP");
        }
        cand.put("index", 0);
        ObjectNode u = o.putObject("usageMetadata").put("promptTokenCount", inputTokens);
        if (last) {
            u.put("candidatesTokenCount", outputTokens);
        }
        u.put("totalTokenCount", inputTokens + (last ? outputTokens : 0));
        o.put("modelVersion", model).put("responseId", "mock" + id);
        return o;
    }

    private static byte[] data(ObjectNode o) {
        return SseWriter.encode(new SseEvent("", new String(bytes(o), StandardCharsets.UTF_8), ""));
    }

    private static byte[] named(String name, ObjectNode o) {
        return SseWriter.encode(new SseEvent(name, new String(bytes(o), StandardCharsets.UTF_8), ""));
    }

    private static byte[] event(String type, int seq, ObjectNode body) {
        ObjectNode o = F.objectNode().put("type", type).put("sequence_number", seq);
        o.setAll(body);
        return named(type, o);
    }

    static byte[] bytes(JsonNode o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Words with their leading space, so the pieces concatenate to the text exactly. */
    private static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 1; i < text.length(); i++) {
            if (text.charAt(i) == ' ') {
                out.add(text.substring(start, i));
                start = i;
            }
        }
        out.add(text.substring(start));
        return out;
    }

    /** A Chat stream's last chunk with its finish reason, the usage chunk when asked for, and {@code [DONE]}. */
    private void chatEnd(List<byte[]> out, String finishReason, boolean includeUsage) {
        ObjectNode last = chunk();
        choiceDelta(last);
        ((ObjectNode) last.withArray("choices").get(0)).put("finish_reason", finishReason);
        out.add(data(last));
        if (includeUsage) {
            ObjectNode u = chunk();
            u.putArray("choices");
            u.set("usage", chatUsage());
            out.add(data(u));
        }
        out.add(SseWriter.encode(new SseEvent("", "[DONE]", "")));
    }
}
