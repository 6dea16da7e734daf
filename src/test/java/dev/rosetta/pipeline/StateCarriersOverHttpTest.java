package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderStateRules;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 19, the reported case through the running gateway: a Gemini client (shaped as opencode's Google
 * provider and LangChain's {@code ChatGoogleGenerativeAI} echo history: {@code thoughtSignature} kept,
 * call ids and thought parts not) asks Claude to think and call a tool, then sends the tool's result.
 * The fake Anthropic refuses what Anthropic refuses, so the follow-up only succeeds if the thinking
 * block came back, or, when the client kept nothing, if thinking was left off that request and named
 * in {@code x-rosetta-dropped}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StateCarriersOverHttpTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SIGNATURE = "EqQBCkgIARABGAIiQJb3u0Ez2tRZ5mB8k1e9xVYw4iJ7Q2Gv3q0yWm8sT6fH1oVdY2cXv+Z3aG9qR4==";
    private static final String THINKING = "Paris: call get_weather.";

    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.withProviders(upstream);

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @ParameterizedTest(name = "streamed {0}, client keeps signatures {1}")
    @CsvSource({"false, true", "true, true", "false, false", "true, false"})
    void aGeminiClientOnClaudeThinksCallsAToolAndGoesOn(boolean streamed, boolean keepsSignatures) throws Exception {
        upstream.answer(r -> streamed ? Reply.sse(claudeStream()) : Reply.json(200, """
                {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": [{"type": "thinking", "thinking": "%s", "signature": "%s"},
                   {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}}],
                 "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 20}}
                """.formatted(THINKING, SIGNATURE)));
        ObjectNode request = (ObjectNode) MAPPER.readTree("""
                {"contents": [{"role": "user", "parts": [{"text": "Weather in Paris?"}]}],
                 "tools": [{"functionDeclarations": [{"name": "get_weather",
                   "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}}}]}],
                 "generationConfig": {"thinkingConfig": {"thinkingBudget": 2048, "includeThoughts": true}}}""");
        HttpResponse<String> turn1 = post(streamed, request);
        assertThat(turn1.statusCode()).as(turn1.body()).isEqualTo(200);
        upstream.take();
        ArrayNode parts = parts(streamed, turn1.body());

        // What these clients send back: the call with its signature (or without), no id, no thought parts.
        ArrayNode echoed = MAPPER.createArrayNode();
        for (JsonNode p : parts) {
            if (p.has("functionCall")) {
                ObjectNode call = p.deepCopy();
                ((ObjectNode) call.get("functionCall")).remove("id");
                if (!keepsSignatures) {
                    call.remove("thoughtSignature");
                }
                echoed.add(call);
            }
        }
        assertThat(echoed).hasSize(1);
        assertThat(echoed.get(0).has("thoughtSignature")).isEqualTo(keepsSignatures);
        request.withArray("contents").addObject().put("role", "model").set("parts", echoed);
        request.withArray("contents").addObject().put("role", "user").putArray("parts").addObject()
                .putObject("functionResponse").put("name", "get_weather").putObject("response").put("output", "18C");

        upstream.answer(r -> {
            JsonNode sent = read(r.body());
            Optional<String> refusal = ProviderStateRules.anthropic(sent, Set.of(SIGNATURE));
            return refusal.map(m -> Reply.json(400, """
                    {"type": "error", "error": {"type": "invalid_request_error", "message": "%s"}}"""
                    .formatted(m.replace("`", "'")))).orElseGet(() -> streamed ? Reply.sse(textStream())
                    : Reply.json(200, """
                            {"id": "msg_2", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                             "content": [{"type": "text", "text": "18 degrees."}], "stop_reason": "end_turn",
                             "usage": {"input_tokens": 30, "output_tokens": 5}}"""));
        });
        HttpResponse<String> turn2 = post(streamed, request);
        assertThat(turn2.statusCode()).as(turn2.body()).isEqualTo(200);
        assertThat(turn2.body()).contains("18 degrees.");
        JsonNode sent = read(upstream.take().body());
        JsonNode assistant = sent.get("messages").get(1).get("content");
        if (keepsSignatures) {
            assertThat(assistant.get(0).get("type").asText()).isEqualTo("thinking");
            assertThat(assistant.get(0).get("signature").asText()).isEqualTo(SIGNATURE);
            assertThat(assistant.get(1).get("id").asText()).isEqualTo("toolu_01A");
            assertThat(sent.get("thinking").get("type").asText()).isEqualTo("enabled");
        } else {
            assertThat(assistant.get(0).get("type").asText()).isEqualTo("tool_use");
            assertThat(sent.has("thinking")).as("thinking left off this request").isFalse();
            assertThat(turn2.headers().firstValue("x-rosetta-dropped")).hasValueSatisfying(
                    h -> assertThat(h.split(",")).contains("thinking"));
        }
        assertThat(sent.get("messages").get(2).get("content").get(0).get("tool_use_id").asText())
                .isEqualTo(assistant.get(assistant.size() - 1).get("id").asText());
    }

    private static String[] claudeStream() {
        return new String[] {
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":10,"
                    + "\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                    + "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"thinking_delta\",\"thinking\":\"" + THINKING + "\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"signature_delta\",\"signature\":\"" + SIGNATURE + "\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                    + "{\"type\":\"tool_use\",\"id\":\"toolu_01A\",\"name\":\"get_weather\",\"input\":{}}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
                    + "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                    + "\"usage\":{\"output_tokens\":20}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"};
    }

    private static String[] textStream() {
        return new String[] {
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":30,"
                    + "\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                    + "{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"18 degrees.\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                    + "\"usage\":{\"output_tokens\":5}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"};
    }

    /** The model's parts as a client collects them, from one answer or from every chunk of a stream. */
    private static ArrayNode parts(boolean streamed, String body) {
        ArrayNode out = MAPPER.createArrayNode();
        if (!streamed) {
            read(body.getBytes()).get("candidates").get(0).get("content").get("parts").forEach(out::add);
            return out;
        }
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ")) {
                read(line.substring(6).getBytes()).path("candidates").path(0).path("content").path("parts")
                        .forEach(out::add);
            }
        }
        return out;
    }

    private HttpResponse<String> post(boolean streamed, JsonNode body) throws Exception {
        String path = streamed ? ":streamGenerateContent?alt=sse" : ":generateContent";
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1beta/models/claude-test" + path))
                            .header("content-type", "application/json").header("x-goog-api-key", "x")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                            .timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            http.shutdownNow();
        }
    }

    private static JsonNode read(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
