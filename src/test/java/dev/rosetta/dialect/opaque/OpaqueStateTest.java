package dev.rosetta.dialect.opaque;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two turns through the codecs as a cross-dialect call runs them: the provider's answer is sealed for
 * the client, the client echoes what it got, and the provider must receive its own state back exactly.
 * State riding in call ids is what Chat clients get, and what every dialect still reads (conversations
 * begun before the other carriers); {@link StateCarriersTest} covers the carriers of the other dialects.
 */
class OpaqueStateTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OpaqueState OPAQUE = new OpaqueState(StateSealer.withSecret("unit-test-secret-0123456789"));
    private static final ResponseContext CONTEXT = new ResponseContext(1_750_000_000L, "resp_1", 1);
    /** Gemini 3 and Claude signatures run to a kilobyte or two of base64. */
    private static final String GEMINI_SIGNATURE = base64(1200, 1);
    private static final String CLAUDE_SIGNATURE = base64(700, 2);
    private static final String REDACTED = base64(400, 3);
    /** OpenAI's encrypted content is a Fernet token: URL-safe base64, padded. */
    private static final String OPENAI_ENCRYPTED = base64(900, 4).replace('+', '-').replace('/', '_');
    private static final String THINKING = "The user wants the weather in Paris and in Rome. I will call get_weather "
            + "for each city, then compare the two temperatures and answer in one sentence.";

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"OPENAI_CHAT"})
    void geminiSignatureComesBackOnTheFunctionCall(Dialect client) throws Exception {
        String answer = """
                {"candidates": [{"content": {"role": "model", "parts": [
                  {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "%s"},
                  {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}}}]},
                 "finishReason": "STOP"}], "responseId": "r1", "modelVersion": "gemini-3-pro"}
                """.formatted(GEMINI_SIGNATURE);
        List<String> ids = clientCallIds(client, turn1(Dialect.GEMINI, client, answer));
        assertThat(ids).hasSize(2).allSatisfy(id -> assertThat(id).matches("^[a-zA-Z0-9_-]+$"));
        assertThat(ids.get(0)).startsWith(OpaqueState.ID_PREFIX)
                .hasSizeLessThan(GEMINI_SIGNATURE.length() + 80);
        assertThat(ids.get(1)).as("a call with nothing to carry keeps its id").doesNotStartWith(OpaqueState.ID_PREFIX);

        JsonNode upstream = turn2(client, Dialect.GEMINI, ids, OPAQUE);
        JsonNode model = upstream.get("contents").get(1);
        assertThat(model.get("role").asText()).isEqualTo("model");
        assertThat(model.get("parts").get(0).get("thoughtSignature").asText()).isEqualTo(GEMINI_SIGNATURE);
        assertThat(model.get("parts").get(0).get("functionCall").has("id")).as("synthesized ids stay out").isFalse();
        assertThat(model.get("parts").get(1).has("thoughtSignature")).isFalse();
        JsonNode results = upstream.get("contents").get(2).get("parts");
        assertThat(results).hasSize(2);
        assertThat(results.get(0).get("functionResponse").get("response").get("output").asText()).isEqualTo("r0");
    }

    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"OPENAI_CHAT"})
    void anthropicThinkingComesBackBeforeTheToolUse(Dialect client) throws Exception {
        String answer = """
                {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": [{"type": "thinking", "thinking": "%s", "signature": "%s"},
                   {"type": "redacted_thinking", "data": "%s"},
                   {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}},
                   {"type": "tool_use", "id": "toolu_01B", "name": "get_weather", "input": {"city": "Rome"}}],
                 "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 20}}
                """.formatted(THINKING, CLAUDE_SIGNATURE, REDACTED);
        List<String> ids = clientCallIds(client, turn1(Dialect.ANTHROPIC, client, answer));
        assertThat(ids.get(0)).startsWith(OpaqueState.ID_PREFIX).matches("^[a-zA-Z0-9_-]+$");
        assertThat(ids.get(1)).isEqualTo("toolu_01B");

        JsonNode upstream = turn2(client, Dialect.ANTHROPIC, ids, OPAQUE);
        JsonNode assistant = upstream.get("messages").get(1);
        assertThat(assistant.get("role").asText()).isEqualTo("assistant");
        JsonNode content = assistant.get("content");
        List<String> types = new ArrayList<>();
        content.forEach(b -> types.add(b.get("type").asText()));
        assertThat(types).containsExactly("thinking", "redacted_thinking", "tool_use", "tool_use");
        assertThat(content.get(0).get("thinking").asText()).isEqualTo(THINKING);
        assertThat(content.get(0).get("signature").asText()).isEqualTo(CLAUDE_SIGNATURE);
        assertThat(content.get(1).get("data").asText()).isEqualTo(REDACTED);
        assertThat(content.get(2).get("id").asText()).isEqualTo("toolu_01A");
        JsonNode results = upstream.get("messages").get(2).get("content");
        assertThat(results.get(0).get("tool_use_id").asText()).isEqualTo("toolu_01A");
        assertThat(results.get(1).get("tool_use_id").asText()).isEqualTo("toolu_01B");
    }

    /** Issue 3: stateless Responses calls need their reasoning items back, before the function calls. */
    @ParameterizedTest
    @EnumSource(value = Dialect.class, names = {"OPENAI_CHAT"})
    void responsesReasoningItemComesBackBeforeTheFunctionCalls(Dialect client) throws Exception {
        String answer = """
                {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-5",
                 "output": [{"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "%s"}],
                   "encrypted_content": "%s"},
                   {"type": "function_call", "id": "fc_1", "call_id": "call_A", "name": "get_weather", "arguments": "{}"},
                   {"type": "function_call", "id": "fc_2", "call_id": "call_B", "name": "get_weather", "arguments": "{}"}],
                 "usage": {"input_tokens": 10, "output_tokens": 20}}
                """.formatted(THINKING, OPENAI_ENCRYPTED);
        List<String> ids = clientCallIds(client, turn1(Dialect.OPENAI_RESPONSES, client, answer));
        // The encrypted content is stored decoded, so it costs no more than its own base64.
        assertThat(ids.get(0)).startsWith(OpaqueState.ID_PREFIX).matches("^[a-zA-Z0-9_-]+$")
                .hasSizeLessThan(OPENAI_ENCRYPTED.length() + THINKING.length() * 4 / 3 + 80);
        assertThat(ids.get(1)).isEqualTo("call_B");

        JsonNode upstream = turn2(client, Dialect.OPENAI_RESPONSES, ids, OPAQUE);
        List<String> types = new ArrayList<>();
        upstream.get("input").forEach(i -> types.add(i.path("type").asText()));
        assertThat(types).containsExactly("message", "reasoning", "function_call", "function_call",
                "function_call_output", "function_call_output");
        assertThat(upstream.get("input").get(1)).isEqualTo(MAPPER.readTree("""
                {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "%s"}],
                 "encrypted_content": "%s"}""".formatted(THINKING, OPENAI_ENCRYPTED)));
        assertThat(upstream.get("input").get(2).get("call_id").asText()).isEqualTo("call_A");
        assertThat(upstream.get("input").get(4).get("call_id").asText()).isEqualTo("call_A");
        assertThat(upstream.get("store").asBoolean()).isFalse();
        assertThat(upstream.get("include")).containsExactly(MAPPER.getNodeFactory().textNode("reasoning.encrypted_content"));
    }

    @Test
    void aResponsesClientGetsItsReasoningItemAsItIs() throws Exception {
        ChatResponse answer = Codec.of(Dialect.OPENAI_RESPONSES).decodeResponse(bytes("""
                {"id": "resp_1", "output": [{"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "ZW5j"},
                  {"type": "function_call", "call_id": "call_A", "name": "f", "arguments": "{}"}]}"""), CONTEXT);
        assertThat(OPAQUE.seal(answer, Dialect.OPENAI_RESPONSES)).isEqualTo(answer);
        JsonNode out = MAPPER.readTree(Codec.of(Dialect.OPENAI_RESPONSES).encodeResponse(answer));
        assertThat(out.get("output").get(0)).isEqualTo(MAPPER.readTree("""
                {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "ZW5j"}"""));
        assertThat(out.get("output")).hasSize(2);
    }

    @Test
    void noEncryptedReasoningIsAskedOfARequestThatDoesNotReason() throws Exception {
        JsonNode upstream = MAPPER.readTree(Codec.of(Dialect.OPENAI_RESPONSES).encodeRequest(
                Codec.of(Dialect.OPENAI_CHAT).decodeRequest(bytes("""
                        {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}""")), "gpt-4.1"));
        assertThat(upstream.has("include")).as("non-reasoning models refuse it").isFalse();
        assertThat(upstream.get("store").asBoolean()).isFalse();
    }

    @Test
    void aClientThatCarriesTheStateItselfGetsNoSealedIds() {
        ChatResponse answer = Codec.of(Dialect.GEMINI).decodeResponse(bytes("""
                {"candidates": [{"content": {"role": "model", "parts": [
                  {"functionCall": {"name": "f", "args": {}}, "thoughtSignature": "c2ln"}]}}]}"""), CONTEXT);
        ChatResponse sealed = OPAQUE.seal(answer, Dialect.GEMINI);
        assertThat(sealed).isEqualTo(answer);
        ChatResponse claude = Codec.of(Dialect.ANTHROPIC).decodeResponse(bytes("""
                {"content": [{"type": "thinking", "thinking": "t", "signature": "c2ln"},
                  {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}]}"""), CONTEXT);
        assertThat(OPAQUE.seal(claude, Dialect.ANTHROPIC)).isEqualTo(claude);
    }

    @Test
    void thinkingOfAnAnswerWithoutToolCallsHasNowhereToGoAndIsDropped() throws Exception {
        ChatResponse claude = Codec.of(Dialect.ANTHROPIC).decodeResponse(bytes("""
                {"content": [{"type": "thinking", "thinking": "t", "signature": "c2ln"},
                  {"type": "redacted_thinking", "data": "cmVk"}, {"type": "text", "text": "Hi"}]}"""), CONTEXT);
        assertThat(OPAQUE.seal(claude, Dialect.OPENAI_CHAT)).isEqualTo(claude);
        DropLog dropped = new DropLog();
        JsonNode out = MAPPER.readTree(Codec.of(Dialect.OPENAI_CHAT).encodeResponse(OPAQUE.seal(claude,
                Dialect.OPENAI_CHAT), dropped));
        assertThat(dropped.paths()).contains("thinking", "redacted_thinking");
        assertThat(out.get("choices").get(0).get("message").get("content").asText()).isEqualTo("Hi");
        assertThat(out.toString()).doesNotContain("c2ln").doesNotContain(OpaqueState.ID_PREFIX);
    }

    @Test
    void anIdSealedUnderAnotherKeyIsAnOrdinaryId() throws Exception {
        String answer = """
                {"candidates": [{"content": {"role": "model", "parts": [
                  {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "%s"},
                  {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}}}]}}]}
                """.formatted(GEMINI_SIGNATURE);
        List<String> ids = clientCallIds(Dialect.OPENAI_CHAT, turn1(Dialect.GEMINI, Dialect.OPENAI_CHAT, answer));
        OpaqueState other = new OpaqueState(StateSealer.withSecret("some-other-replica-secret-42"));
        JsonNode upstream = turn2(Dialect.OPENAI_CHAT, Dialect.GEMINI, ids, other);
        JsonNode part = upstream.get("contents").get(1).get("parts").get(0);
        assertThat(part.get("functionCall").get("id").asText()).isEqualTo(ids.get(0));
        assertThat(part.get("thoughtSignature").asText()).isNotEqualTo(GEMINI_SIGNATURE);
    }

    @Test
    void aSealedIdIsAboutAsLongAsTheSignatureItCarries() {
        String id = OpaqueState.ID_PREFIX + StateSealer.withSecret("unit-test-secret-0123456789")
                .seal(new Carried("call_rg0123456789abcdef0123", java.util.Optional.of(GEMINI_SIGNATURE), List.of(),
                        List.of()).toBytes());
        // Stored decoded, the signature costs no more than its own base64; the rest is the original id, MAC and framing.
        assertThat(id.length()).isBetween(GEMINI_SIGNATURE.length(), GEMINI_SIGNATURE.length() + 80);
    }

    /** The provider's answer, sealed and encoded for the client. */
    private static JsonNode turn1(Dialect provider, Dialect client, String answer) throws Exception {
        ChatResponse decoded = Codec.of(provider).decodeResponse(bytes(answer), CONTEXT);
        return MAPPER.readTree(Codec.of(client).encodeResponse(OPAQUE.seal(decoded, client)));
    }

    private static List<String> clientCallIds(Dialect client, JsonNode body) {
        List<String> ids = new ArrayList<>();
        switch (client) {
            case OPENAI_CHAT -> body.get("choices").get(0).get("message").get("tool_calls")
                    .forEach(c -> ids.add(c.get("id").asText()));
            case OPENAI_RESPONSES -> body.get("output").forEach(i -> {
                if (i.get("type").asText().equals("function_call")) {
                    ids.add(i.get("call_id").asText());
                }
            });
            case ANTHROPIC -> body.get("content").forEach(b -> {
                if (b.get("type").asText().equals("tool_use")) {
                    ids.add(b.get("id").asText());
                }
            });
            case GEMINI -> body.get("candidates").get(0).get("content").get("parts").forEach(p -> {
                if (p.has("functionCall")) {
                    ids.add(p.get("functionCall").get("id").asText());
                }
            });
        }
        return ids;
    }

    /** The client's next request echoing both calls and answering them, as the provider receives it. */
    private static JsonNode turn2(Dialect client, Dialect provider, List<String> ids, OpaqueState opaque)
            throws Exception {
        String a = ids.get(0);
        String b = ids.get(1);
        String body = switch (client) {
            case OPENAI_CHAT -> """
                    {"model": "m", "reasoning_effort": "low", "messages": [{"role": "user", "content": "Weather?"},
                     {"role": "assistant", "content": null, "tool_calls": [
                       {"id": "%1$s", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"}},
                       {"id": "%2$s", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Rome\\"}"}}]},
                     {"role": "tool", "tool_call_id": "%1$s", "content": "r0"},
                     {"role": "tool", "tool_call_id": "%2$s", "content": "r1"}]}""".formatted(a, b);
            case OPENAI_RESPONSES -> """
                    {"model": "m", "reasoning": {"effort": "low"}, "input": [{"role": "user", "content": "Weather?"},
                     {"type": "function_call", "call_id": "%1$s", "name": "get_weather", "arguments": "{}"},
                     {"type": "function_call", "call_id": "%2$s", "name": "get_weather", "arguments": "{}"},
                     {"type": "function_call_output", "call_id": "%1$s", "output": "r0"},
                     {"type": "function_call_output", "call_id": "%2$s", "output": "r1"}]}""".formatted(a, b);
            case ANTHROPIC -> """
                    {"model": "m", "max_tokens": 100, "messages": [{"role": "user", "content": "Weather?"},
                     {"role": "assistant", "content": [
                       {"type": "tool_use", "id": "%1$s", "name": "get_weather", "input": {"city": "Paris"}},
                       {"type": "tool_use", "id": "%2$s", "name": "get_weather", "input": {"city": "Rome"}}]},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "%1$s", "content": "r0"},
                       {"type": "tool_result", "tool_use_id": "%2$s", "content": "r1"}]}]}""".formatted(a, b);
            case GEMINI -> """
                    {"contents": [{"role": "user", "parts": [{"text": "Weather?"}]},
                     {"role": "model", "parts": [
                       {"functionCall": {"id": "%1$s", "name": "get_weather", "args": {"city": "Paris"}}},
                       {"functionCall": {"id": "%2$s", "name": "get_weather", "args": {"city": "Rome"}}}]},
                     {"role": "user", "parts": [
                       {"functionResponse": {"id": "%1$s", "name": "get_weather", "response": {"output": "r0"}}},
                       {"functionResponse": {"id": "%2$s", "name": "get_weather", "response": {"output": "r1"}}}]}],
                     "generationConfig": {"thinkingConfig": {"thinkingBudget": 2048}}}""".formatted(a, b);
        };
        ChatRequest request = opaque.unseal(Codec.of(client).decodeRequest(bytes(body)));
        return MAPPER.readTree(Codec.of(provider).encodeRequest(request, "upstream-model"));
    }

    private static String base64(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
