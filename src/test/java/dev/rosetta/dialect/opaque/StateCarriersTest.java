package dev.rosetta.dialect.opaque;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.StreamDecoder;
import dev.rosetta.dialect.StreamEncoder;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.sse.SseParser;
import dev.rosetta.testing.ProviderStateRules;
import dev.rosetta.testing.ThinkingToolAnswers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 19: a model thinks and calls a tool; the client's next request echoes the answer the way that
 * dialect's clients really do (everything, as the official SDKs; only the Gemini thought signatures; only
 * the thought text; nothing); the provider must get its state back whenever the echoed field survived,
 * and must never be sent a request it refuses for want of state the client could not keep. Every
 * cross-dialect pairing, streamed and not, through the codecs and the sealing as a call runs them.
 */
class StateCarriersTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OpaqueState OPAQUE = new OpaqueState(StateSealer.withSecret("carriers-test-secret-0123456789"));
    private static final ResponseContext CONTEXT = new ResponseContext(1_750_000_000L, "resp_1", 1);
    private static final String THINKING = ThinkingToolAnswers.THINKING;
    private static final String CLAUDE_SIGNATURE = ThinkingToolAnswers.CLAUDE_SIGNATURE;
    private static final String GEMINI_SIGNATURE = ThinkingToolAnswers.GEMINI_SIGNATURE;
    private static final String OPENAI_ENCRYPTED = ThinkingToolAnswers.OPENAI_ENCRYPTED;

    /** How a client sends the assistant turn back. */
    enum Echo {
        /** Every field as received, as the official SDKs do. */
        ALL,
        /** Gemini clients that keep {@code thoughtSignature} but not call ids or thought parts (opencode, LangChain). */
        SIGNATURES_ONLY,
        /** Thought text kept (Gemini thought parts, Responses summaries), signatures and encrypted content dropped. */
        TEXT_THOUGHTS_ONLY,
        /** Nothing but the calls: no thinking, no signatures; Chat clients that rewrite call ids. */
        NOTHING
    }

    static Stream<Arguments> pairings() {
        List<Arguments> out = new ArrayList<>();
        for (Dialect provider : List.of(Dialect.ANTHROPIC, Dialect.GEMINI, Dialect.OPENAI_RESPONSES)) {
            for (Dialect client : Dialect.values()) {
                if (client == provider) {
                    continue;
                }
                for (Echo echo : echoes(client)) {
                    for (boolean streamed : new boolean[] {false, true}) {
                        out.add(Arguments.of(provider, client, echo, streamed));
                    }
                }
            }
        }
        return out.stream();
    }

    private static List<Echo> echoes(Dialect client) {
        return switch (client) {
            case GEMINI -> List.of(Echo.values());
            case OPENAI_RESPONSES -> List.of(Echo.ALL, Echo.TEXT_THOUGHTS_ONLY, Echo.NOTHING);
            case ANTHROPIC, OPENAI_CHAT -> List.of(Echo.ALL, Echo.NOTHING);
        };
    }

    @ParameterizedTest(name = "{1} client on {0}, echoes {2}, streamed {3}")
    @MethodSource("pairings")
    void thinkingToolCallAndFollowUpSucceed(Dialect provider, Dialect client, Echo echo, boolean streamed)
            throws Exception {
        ChatResponse answer = streamed ? streamedAnswer(provider, client) : answer(provider);
        JsonNode shown = MAPPER.readTree(Codec.of(client).encodeResponse(OPAQUE.seal(answer, client)));
        assertThat(shown.toString()).as("the provider's own state is never shown as it is")
                .doesNotContain(CLAUDE_SIGNATURE).doesNotContain(GEMINI_SIGNATURE).doesNotContain(OPENAI_ENCRYPTED);

        byte[] followUp = MAPPER.writeValueAsBytes(followUp(client, shown, echo));
        DropLog dropped = new DropLog();
        JsonNode sent = MAPPER.readTree(Codec.of(provider).encodeRequest(
                OPAQUE.unseal(Codec.of(client).decodeRequest(followUp, dropped)), "upstream-model", dropped));

        assertThat(ThinkingToolAnswers.refusal(provider, sent)).as("what %s answers to %s", provider, sent).isEmpty();
        boolean kept = switch (echo) {
            case ALL -> true;
            case SIGNATURES_ONLY -> client == Dialect.GEMINI;
            case TEXT_THOUGHTS_ONLY, NOTHING -> false;
        };
        assertThat(ThinkingToolAnswers.stateSentBack(provider, sent)).as("state back in %s", sent).isEqualTo(kept);
        if (!kept && provider == Dialect.ANTHROPIC) {
            assertThat(sent.has("thinking") && sent.get("thinking").path("type").asText().equals("enabled"))
                    .as("thinking off for this request").isFalse();
            assertThat(dropped.paths()).contains("thinking");
        }
        if (!kept && provider == Dialect.GEMINI) {
            assertThat(String.join(",", dropped.paths())).contains("thoughtSignature");
        }
        if (echo == Echo.NOTHING) {
            assertThat(dropped.refusable()).as("strict mode does not refuse state the client could not keep")
                    .doesNotContain("thinking", "thoughtSignature");
        }
        assertThat(resultCallId(provider, sent)).as("the result answers the call").isEqualTo(callId(provider, sent));
    }

    /** Issue 19: a Gemini client's text answer after thinking keeps the thinking, on the text part's signature. */
    @ParameterizedTest(name = "{0} client")
    @org.junit.jupiter.params.provider.EnumSource(value = Dialect.class, names = {"GEMINI", "OPENAI_RESPONSES"})
    void thinkingOfAnAnswerWithoutACallRidesToo(Dialect client) throws Exception {
        ChatResponse claude = Codec.of(Dialect.ANTHROPIC).decodeResponse(bytes("""
                {"content": [{"type": "thinking", "thinking": "%s", "signature": "%s"},
                  {"type": "text", "text": "Hi"}], "stop_reason": "end_turn"}""".formatted(THINKING, CLAUDE_SIGNATURE)),
                CONTEXT);
        JsonNode shown = MAPPER.readTree(Codec.of(client).encodeResponse(OPAQUE.seal(claude, client)));
        String followUp = switch (client) {
            case GEMINI -> {
                JsonNode parts = shown.get("candidates").get(0).get("content").get("parts");
                JsonNode text = parts.get(parts.size() - 1);
                assertThat(text.get("text").asText()).isEqualTo("Hi");
                assertThat(text.get("thoughtSignature").asText()).startsWith(OpaqueState.CARRIER_PREFIX);
                assertThat(Base64.getDecoder().decode(text.get("thoughtSignature").asText()))
                        .as("standard base64, as Google's SDKs decode it into bytes").isNotEmpty();
                yield """
                        {"contents": [{"role": "user", "parts": [{"text": "Hello"}]},
                          {"role": "model", "parts": [%s]}, {"role": "user", "parts": [{"text": "And?"}]}]}"""
                        .formatted(text);
            }
            default -> {
                ArrayNode input = MAPPER.createArrayNode();
                input.addObject().put("role", "user").put("content", "Hello");
                shown.get("output").forEach(input::add);
                input.addObject().put("role", "user").put("content", "And?");
                yield "{\"model\": \"m\", \"input\": " + input + "}";
            }
        };
        JsonNode sent = MAPPER.readTree(Codec.of(Dialect.ANTHROPIC).encodeRequest(
                OPAQUE.unseal(Codec.of(client).decodeRequest(bytes(followUp))), "claude"));
        JsonNode assistant = sent.get("messages").get(1).get("content");
        assertThat(assistant.get(0).get("type").asText()).isEqualTo("thinking");
        assertThat(assistant.get(0).get("signature").asText()).isEqualTo(CLAUDE_SIGNATURE);
        assertThat(assistant.get(1).get("text").asText()).isEqualTo("Hi");
    }

    /**
     * Claude often says something before its call ("Let me check."). Gemini clients that keep only the
     * calls' signatures must still get the thinking back, once, whichever parts kept their signature.
     */
    @ParameterizedTest(name = "streamed {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void thinkingBeforeTextAndACallRidesOnTheCallForGeminiClients(boolean streamed) throws Exception {
        String json = """
                {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": [{"type": "thinking", "thinking": "%s", "signature": "%s"},
                   {"type": "text", "text": "Let me check."},
                   {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}}],
                 "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 20}}
                """.formatted(THINKING, CLAUDE_SIGNATURE);
        String sse = ThinkingToolAnswers.sse(Dialect.ANTHROPIC)
                .replace("\"index\":1", "\"index\":2")
                .replace("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2",
                        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me check.\"}}\n\n"
                        + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
                        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2");
        ChatResponse answer = streamed ? streamedAnswer(Dialect.ANTHROPIC, Dialect.GEMINI, sse)
                : Codec.of(Dialect.ANTHROPIC).decodeResponse(bytes(json), CONTEXT);
        assertThat(answer.content()).filteredOn(b -> b instanceof ContentBlock.Text).isNotEmpty();
        JsonNode shown = MAPPER.readTree(Codec.of(Dialect.GEMINI).encodeResponse(streamed ? answer
                : OPAQUE.seal(answer, Dialect.GEMINI)));
        for (Echo echo : List.of(Echo.ALL, Echo.SIGNATURES_ONLY)) {
            ObjectNode body = followUp(Dialect.GEMINI, shown, echo);
            if (echo == Echo.SIGNATURES_ONLY) {
                // Only the call's signature kept, as clients that store signatures per tool call do.
                body.get("contents").get(1).get("parts").forEach(p -> {
                    if (!p.has("functionCall")) {
                        ((ObjectNode) p).remove("thoughtSignature");
                    }
                });
            }
            JsonNode sent = MAPPER.readTree(Codec.of(Dialect.ANTHROPIC).encodeRequest(
                    OPAQUE.unseal(Codec.of(Dialect.GEMINI).decodeRequest(MAPPER.writeValueAsBytes(body))), "claude"));
            JsonNode content = sent.get("messages").get(1).get("content");
            List<String> types = new ArrayList<>();
            content.forEach(b -> types.add(b.get("type").asText()));
            assertThat(types).as("%s: %s", echo, content).containsExactly("thinking", "text", "tool_use");
            assertThat(ThinkingToolAnswers.stateSentBack(Dialect.ANTHROPIC, sent)).isTrue();
        }
    }

    /** Google's Python SDK holds a signature as bytes and sends it back URL-safe and unpadded. */
    @org.junit.jupiter.api.Test
    void aSignatureReEncodedUrlSafeStillOpens() throws Exception {
        JsonNode shown = MAPPER.readTree(Codec.of(Dialect.GEMINI).encodeResponse(
                OPAQUE.seal(answer(Dialect.ANTHROPIC), Dialect.GEMINI)));
        ObjectNode body = followUp(Dialect.GEMINI, shown, Echo.SIGNATURES_ONLY);
        ObjectNode call = (ObjectNode) body.get("contents").get(1).get("parts").get(0);
        String sig = call.get("thoughtSignature").asText();
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(Base64.getDecoder().decode(sig));
        assertThat(urlSafe).isNotEqualTo(sig);
        call.put("thoughtSignature", urlSafe);
        JsonNode sent = MAPPER.readTree(Codec.of(Dialect.ANTHROPIC).encodeRequest(
                OPAQUE.unseal(Codec.of(Dialect.GEMINI).decodeRequest(MAPPER.writeValueAsBytes(body))), "claude"));
        assertThat(ThinkingToolAnswers.stateSentBack(Dialect.ANTHROPIC, sent)).isTrue();
    }

    /** A carrier that does not open (altered, or another key's) is removed, never trusted nor sent on. */
    @org.junit.jupiter.api.Test
    void aCarrierThatDoesNotOpenIsRemoved() throws Exception {
        JsonNode shown = MAPPER.readTree(Codec.of(Dialect.ANTHROPIC).encodeResponse(
                OPAQUE.seal(answer(Dialect.GEMINI), Dialect.ANTHROPIC)));
        ObjectNode carrier = (ObjectNode) find(shown.get("content"), "thinking", "").deepCopy();
        String sig = carrier.get("signature").asText();
        for (String bad : List.of(sig.substring(0, 40) + (sig.charAt(40) == 'A' ? 'B' : 'A') + sig.substring(41),
                new OpaqueState(StateSealer.withSecret("another-secret-0123456789")).seal(answer(Dialect.GEMINI),
                        Dialect.ANTHROPIC).content().stream()
                        .filter(b -> b instanceof ContentBlock.Thinking t && t.signature().isPresent())
                        .map(b -> ((ContentBlock.Thinking) b).signature().get()).findFirst().orElseThrow())) {
            carrier.put("signature", bad);
            ObjectNode body = followUp(Dialect.ANTHROPIC, shown, Echo.NOTHING);
            ((ArrayNode) body.get("messages").get(1).get("content")).insert(0, carrier);
            DropLog dropped = new DropLog();
            JsonNode sent = MAPPER.readTree(Codec.of(Dialect.GEMINI).encodeRequest(
                    OPAQUE.unseal(Codec.of(Dialect.ANTHROPIC).decodeRequest(MAPPER.writeValueAsBytes(body), dropped)),
                    "gemini", dropped));
            assertThat(sent.toString()).doesNotContain(bad).doesNotContain(GEMINI_SIGNATURE);
            assertThat(sent.get("contents").get(1).get("parts").get(0).get("thoughtSignature").asText())
                    .isEqualTo(ProviderStateRules.GEMINI_SKIP);
        }
    }

    private static String callId(Dialect provider, JsonNode sent) {
        return switch (provider) {
            case ANTHROPIC -> find(sent.get("messages").get(1).get("content"), "type", "tool_use").get("id").asText();
            case GEMINI -> sent.get("contents").get(1).get("parts").get(0).get("functionCall").path("id").asText();
            case OPENAI_RESPONSES -> find(sent.get("input"), "type", "function_call").get("call_id").asText();
            case OPENAI_CHAT -> throw new IllegalArgumentException();
        };
    }

    private static String resultCallId(Dialect provider, JsonNode sent) {
        return switch (provider) {
            case ANTHROPIC -> sent.get("messages").get(2).get("content").get(0).get("tool_use_id").asText();
            case GEMINI -> sent.get("contents").get(2).get("parts").get(0).get("functionResponse").path("id").asText();
            case OPENAI_RESPONSES -> find(sent.get("input"), "type", "function_call_output").get("call_id").asText();
            case OPENAI_CHAT -> throw new IllegalArgumentException();
        };
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (n.path(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array);
    }

    // --- turn 1: the provider thinks and calls a tool -------------------------------------------------

    private static ChatResponse answer(Dialect provider) {
        return Codec.of(provider).decodeResponse(bytes(ThinkingToolAnswers.json(provider)), CONTEXT);
    }

    /**
     * The answer as a client accumulates it from the stream Rosetta sends: provider stream → sealing →
     * the client's stream encoder → the client's bytes, read back with the client dialect's own stream
     * decoder and folded into one answer.
     */
    private static ChatResponse streamedAnswer(Dialect provider, Dialect client) {
        return streamedAnswer(provider, client, ThinkingToolAnswers.sse(provider));
    }

    private static ChatResponse streamedAnswer(Dialect provider, Dialect client, String sse) {
        StreamDecoder decoder = StreamDecoder.of(provider, CONTEXT);
        OpaqueState.Stream seal = OPAQUE.forStream(client);
        StreamEncoder encoder = StreamEncoder.of(client, StreamEncoder.Options.DEFAULT);
        List<byte[]> frames = new ArrayList<>();
        SseParser parser = new SseParser(1 << 20, e -> seal.onEvents(decoder.onEvent(e))
                .forEach(ev -> frames.addAll(encoder.onEvent(ev))));
        parser.feed(bytes(sse));
        parser.finish();
        seal.onEvents(decoder.finish()).forEach(ev -> frames.addAll(encoder.onEvent(ev)));
        frames.addAll(encoder.finish());

        StreamDecoder reader = StreamDecoder.of(client, CONTEXT);
        List<StreamEvent> events = new ArrayList<>();
        SseParser clientParser = new SseParser(1 << 20, e -> events.addAll(reader.onEvent(e)));
        frames.forEach(clientParser::feed);
        clientParser.finish();
        events.addAll(reader.finish());
        return fold(events);
    }

    /** Stream events folded into the answer they describe. */
    private static ChatResponse fold(List<StreamEvent> events) {
        Map<Integer, ContentBlock> initial = new TreeMap<>();
        Map<Integer, StringBuilder> text = new TreeMap<>();
        Map<Integer, StringBuilder> signature = new TreeMap<>();
        StopReason stop = StopReason.END_TURN;
        for (StreamEvent e : events) {
            switch (e) {
                case StreamEvent.BlockStart s -> {
                    initial.put(s.index(), s.initial());
                    text.put(s.index(), new StringBuilder(switch (s.initial()) {
                        case ContentBlock.Text t -> t.text();
                        case ContentBlock.Thinking t -> t.text();
                        case ContentBlock.ToolCall c -> c.arguments();
                        default -> "";
                    }));
                    signature.put(s.index(), new StringBuilder(s.initial() instanceof ContentBlock.Thinking t
                            ? t.signature().orElse("") : ""));
                }
                case StreamEvent.TextDelta d -> text.get(d.index()).append(d.text());
                case StreamEvent.ThinkingDelta d -> text.get(d.index()).append(d.text());
                case StreamEvent.ToolArgumentsDelta d -> text.get(d.index()).append(d.fragment());
                case StreamEvent.SignatureDelta d -> signature.get(d.index()).append(d.signature());
                case StreamEvent.Finish f -> stop = f.stopReason();
                default -> {
                }
            }
        }
        List<ContentBlock> content = new ArrayList<>();
        initial.forEach((i, b) -> content.add(switch (b) {
            case ContentBlock.Text t -> ContentBlock.Text.of(text.get(i).toString());
            case ContentBlock.Thinking t -> new ContentBlock.Thinking(text.get(i).toString(),
                    Optional.of(signature.get(i).toString()).filter(s -> !s.isEmpty()));
            case ContentBlock.ToolCall c -> new ContentBlock.ToolCall(c.id(), c.name(), text.get(i).toString(),
                    c.thoughtSignature(), Optional.empty());
            default -> b;
        }));
        return new ChatResponse("resp_1", "m", 0, content, stop, Optional.empty(), Usage.ZERO);
    }

    // --- turn 2: the client echoes the answer its own way and sends the tool's result ------------------

    private static ObjectNode followUp(Dialect client, JsonNode shown, Echo echo) throws Exception {
        return switch (client) {
            case OPENAI_CHAT -> {
                JsonNode message = shown.get("choices").get(0).get("message");
                ArrayNode calls = (ArrayNode) message.get("tool_calls").deepCopy();
                if (echo == Echo.NOTHING) {
                    ((ObjectNode) calls.get(0)).put("id", "call_1");
                }
                ObjectNode body = (ObjectNode) MAPPER.readTree("""
                        {"model": "m", "reasoning_effort": "high", "messages": [{"role": "user", "content": "Weather?"}]}""");
                body.withArray("messages").addObject().put("role", "assistant").putNull("content")
                        .set("tool_calls", calls);
                body.withArray("messages").addObject().put("role", "tool")
                        .put("tool_call_id", calls.get(0).get("id").asText()).put("content", "18C");
                body.set("tools", MAPPER.readTree("""
                        [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]"""));
                yield body;
            }
            case ANTHROPIC -> {
                ArrayNode content = MAPPER.createArrayNode();
                String id = "";
                for (JsonNode b : shown.get("content")) {
                    String type = b.get("type").asText();
                    if (echo == Echo.NOTHING && (type.equals("thinking") || type.equals("redacted_thinking"))) {
                        continue;
                    }
                    if (type.equals("tool_use")) {
                        id = b.get("id").asText();
                    }
                    content.add(b);
                }
                ObjectNode body = (ObjectNode) MAPPER.readTree("""
                        {"model": "m", "max_tokens": 4096, "thinking": {"type": "enabled", "budget_tokens": 2048},
                         "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}],
                         "messages": [{"role": "user", "content": "Weather?"}]}""");
                body.withArray("messages").addObject().put("role", "assistant").set("content", content);
                body.withArray("messages").addObject().put("role", "user").putArray("content").addObject()
                        .put("type", "tool_result").put("tool_use_id", id).put("content", "18C");
                yield body;
            }
            case GEMINI -> {
                ArrayNode parts = MAPPER.createArrayNode();
                String id = "";
                for (JsonNode p : shown.get("candidates").get(0).get("content").get("parts")) {
                    ObjectNode part = p.deepCopy();
                    boolean thought = part.path("thought").asBoolean(false);
                    if (thought && (echo == Echo.SIGNATURES_ONLY || echo == Echo.NOTHING)) {
                        continue;
                    }
                    if (echo != Echo.ALL && part.has("functionCall")) {
                        ((ObjectNode) part.get("functionCall")).remove("id");
                    }
                    if (echo == Echo.TEXT_THOUGHTS_ONLY || echo == Echo.NOTHING) {
                        part.remove("thoughtSignature");
                    }
                    if (part.has("functionCall")) {
                        id = part.get("functionCall").path("id").asText("");
                    }
                    if (part.path("text").asText("x").isEmpty() && !part.has("thoughtSignature")) {
                        continue;
                    }
                    parts.add(part);
                }
                ObjectNode body = (ObjectNode) MAPPER.readTree("""
                        {"contents": [{"role": "user", "parts": [{"text": "Weather?"}]}],
                         "tools": [{"functionDeclarations": [{"name": "get_weather", "parameters": {"type": "object"}}]}],
                         "generationConfig": {"thinkingConfig": {"thinkingBudget": 2048, "includeThoughts": true}}}""");
                body.withArray("contents").addObject().put("role", "model").set("parts", parts);
                ObjectNode response = body.withArray("contents").addObject().put("role", "user").putArray("parts")
                        .addObject().putObject("functionResponse");
                if (!id.isEmpty()) {
                    response.put("id", id);
                }
                response.put("name", "get_weather").putObject("response").put("output", "18C");
                yield body;
            }
            case OPENAI_RESPONSES -> {
                ObjectNode body = (ObjectNode) MAPPER.readTree("""
                        {"model": "m", "reasoning": {"effort": "high"}, "store": false,
                         "include": ["reasoning.encrypted_content"],
                         "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}],
                         "input": [{"role": "user", "content": "Weather?"}]}""");
                String id = "";
                for (JsonNode item : shown.get("output")) {
                    ObjectNode copy = item.deepCopy();
                    String type = item.get("type").asText();
                    if (type.equals("reasoning") && echo == Echo.NOTHING) {
                        continue;
                    }
                    if (type.equals("reasoning") && echo == Echo.TEXT_THOUGHTS_ONLY) {
                        copy.remove("encrypted_content");
                    }
                    if (type.equals("function_call")) {
                        id = item.get("call_id").asText();
                    }
                    body.withArray("input").add(copy);
                }
                body.withArray("input").addObject().put("type", "function_call_output").put("call_id", id)
                        .put("output", "18C");
                yield body;
            }
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
