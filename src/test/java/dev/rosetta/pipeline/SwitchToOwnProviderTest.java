package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.opaque.SealedMarkers;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import dev.rosetta.testing.ThinkingToolAnswers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client that switches models mid-conversation within its own dialect: turn 1 is answered by another
 * provider's model, which thinks and calls a tool, so Rosetta seals that provider's state into the
 * client's answer; turn 2, the tool's result, goes to a model of the client's own provider type. That
 * request is same-dialect, and relayed as is the provider would refuse the sealed values (Anthropic a
 * foreign thinking signature, Gemini a foreign thought signature, the Responses API encrypted content it
 * cannot decrypt, Chat Completions a tool-call id over 40 characters). The fake provider applies those
 * rules, so turn 2 succeeds only if the sealed state was opened and the foreign part left out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwitchToOwnProviderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String QUESTION = "Weather in Paris?";

    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.start("""
            port: 0
            providers:
              - name: oai
                type: openai
                base_url: %1$s/v1
                api_key: sk-test
              - name: ant
                type: anthropic
                base_url: %1$s
                api_key: sk-ant-test
              - name: gem
                type: gemini
                base_url: %1$s
                api_key: AIza-test
            models:
              - name: gpt-responses-test
                provider: oai
                upstream_model: gpt-upstream
                api: responses
              - name: gpt-test
                provider: oai
                upstream_model: gpt-own
              - name: claude-test
                provider: ant
                upstream_model: claude-upstream
              - name: gemini-test
                provider: gem
                upstream_model: gemini-upstream
            """.formatted(upstream.baseUrl()));

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    /** The model of each provider dialect that thinks and calls a tool in turn 1. */
    private static String model(Dialect provider) {
        return switch (provider) {
            case ANTHROPIC -> "claude-test";
            case GEMINI -> "gemini-test";
            case OPENAI_RESPONSES -> "gpt-responses-test";
            case OPENAI_CHAT -> throw new IllegalArgumentException();
        };
    }

    /** The model of the client's own provider type that it switches to: relayed to in its own dialect. */
    private static String own(Dialect client) {
        return switch (client) {
            case ANTHROPIC -> "claude-test";
            case GEMINI -> "gemini-test";
            case OPENAI_RESPONSES, OPENAI_CHAT -> "gpt-test";
        };
    }

    static Stream<Arguments> switches() {
        List<Arguments> out = new ArrayList<>();
        List<Dialect> thinkers = List.of(Dialect.ANTHROPIC, Dialect.GEMINI, Dialect.OPENAI_RESPONSES);
        for (Dialect client : Dialect.values()) {
            for (Dialect first : thinkers) {
                if (first == client) {
                    continue;
                }
                out.add(Arguments.of(client, first, false));
                out.add(Arguments.of(client, first, true));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} client, turn 1 on {1}, turn 2 on its own provider, streamed {2}")
    @MethodSource("switches")
    void theOwnProviderTakesTheFollowUp(Dialect client, Dialect first, boolean streamed) throws Exception {
        upstream.answer(Reply.json(200, ThinkingToolAnswers.json(first)));
        HttpResponse<String> turn1 = post(client, model(first), firstRequest(client, model(first)), false);
        assertThat(turn1.statusCode()).as(turn1.body()).isEqualTo(200);
        upstream.take();
        byte[] echoed = followUp(client, own(client), read(turn1.body()), streamed);
        assertThat(SealedMarkers.presentIn(echoed)).as("turn 1 sealed state the client echoes").isTrue();

        upstream.answer(r -> answerUnlessRefused(client, r, streamed));
        HttpResponse<String> turn2 = post(client, own(client), echoed, streamed);

        assertThat(turn2.statusCode()).as(turn2.body()).isEqualTo(200);
        assertThat(turn2.body()).contains(ThinkingToolAnswers.FOLLOW_UP_TEXT);
        Recorded sent = upstream.take();
        assertThat(SealedMarkers.presentIn(sent.body())).as("nothing sealed reaches the provider").isFalse();
        assertThat(turn2.headers().firstValue("x-rosetta-dropped")).as("the foreign state is named")
                .hasValueSatisfying(h -> assertThat(h.split(",")).containsAnyOf(dropName(client)));
        JsonNode body = read(sent.bodyText());
        switch (client) {
            case OPENAI_CHAT -> {
                // The original id of the call, as the provider of turn 1 gave it, on the call and its result.
                String id = body.get("messages").get(1).get("tool_calls").get(0).get("id").asText();
                assertThat(id).hasSizeLessThanOrEqualTo(40).doesNotStartWith("call_rx");
                assertThat(body.get("messages").get(2).get("tool_call_id").asText()).isEqualTo(id);
            }
            case GEMINI -> assertThat(body.get("contents").get(1).get("parts").get(0).get("thoughtSignature").asText())
                    .isEqualTo("skip_thought_signature_validator");
            case ANTHROPIC -> assertThat(body.has("thinking")).as("thinking left off: its block is foreign").isFalse();
            case OPENAI_RESPONSES -> assertThat(body.get("input").findValues("type")).extracting(JsonNode::asText)
                    .doesNotContain("reasoning");
        }
    }

    /**
     * Claude → GPT → Claude for an Anthropic client: the third request holds GPT's sealed state, so it is
     * converted, and Claude's own signed thinking block of turn 1 goes back to Claude exactly as it came.
     */
    @Test
    void claudesOwnThinkingComesBackAfterAnotherProvidersTurn() throws Exception {
        upstream.answer(Reply.json(200, ThinkingToolAnswers.json(Dialect.ANTHROPIC)));
        ObjectNode request = (ObjectNode) read(new String(firstRequest(Dialect.ANTHROPIC, "claude-test"),
                StandardCharsets.UTF_8));
        HttpResponse<String> turn1 = post(Dialect.ANTHROPIC, "claude-test", bytes(request), false);
        assertThat(turn1.statusCode()).as(turn1.body()).isEqualTo(200);
        upstream.take();
        JsonNode claude = read(turn1.body());
        request = (ObjectNode) read(new String(followUp(Dialect.ANTHROPIC, "gpt-responses-test", claude, false),
                StandardCharsets.UTF_8));

        upstream.answer(Reply.json(200, ThinkingToolAnswers.json(Dialect.OPENAI_RESPONSES)));
        HttpResponse<String> turn2 = post(Dialect.ANTHROPIC, "gpt-responses-test", bytes(request), false);
        assertThat(turn2.statusCode()).as(turn2.body()).isEqualTo(200);
        upstream.take();
        JsonNode gpt = read(turn2.body());
        ArrayNode messages = request.withArray("messages");
        messages.addObject().put("role", "assistant").set("content", gpt.get("content"));
        messages.addObject().put("role", "user").putArray("content").addObject().put("type", "tool_result")
                .put("tool_use_id", toolUseId(gpt)).put("content", "19C");
        request.put("model", "claude-test");
        assertThat(SealedMarkers.presentIn(bytes(request))).isTrue();

        upstream.answer(r -> answerUnlessRefused(Dialect.ANTHROPIC, r, false));
        HttpResponse<String> turn3 = post(Dialect.ANTHROPIC, "claude-test", bytes(request), false);

        assertThat(turn3.statusCode()).as(turn3.body()).isEqualTo(200);
        JsonNode sent = read(upstream.take().bodyText());
        assertThat(sent.get("messages").get(1).get("content")).isEqualTo(claude.get("content"));
        assertThat(sent.get("messages").get(3).get("content").findValues("type")).extracting(JsonNode::asText)
                .containsExactly("tool_use");
    }

    /** A look-alike string in the user's text is not sealed state: the request is relayed byte for byte. */
    @Test
    void aLookAlikeInTheUsersTextIsRelayedAsIs() throws Exception {
        String body = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"ids like call_rx1 or RXs1 and rs_rx are fine here\"}],\"zz_vendor\":{\"keep\":1.50}}";
        upstream.answer(Reply.json(200, ThinkingToolAnswers.followUpJson(Dialect.OPENAI_CHAT)));
        HttpResponse<String> resp = post(Dialect.OPENAI_CHAT, "gpt-test", body.getBytes(StandardCharsets.UTF_8), false);
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(upstream.take().bodyText()).isEqualTo(body.replace("\"gpt-test\"", "\"gpt-own\""));
        assertThat(resp.headers().firstValue("x-rosetta-dropped")).isEmpty();
    }

    /** A string that starts like a sealed id but does not open stays an ordinary value, and the request works. */
    @Test
    void aForgedSealedIdIsAnOrdinaryIdAndTheRequestGoesThrough() throws Exception {
        String body = """
                {"model": "gpt-test", "messages": [{"role": "user", "content": "Weather?"},
                  {"role": "assistant", "content": null, "tool_calls": [{"id": "call_rxFORGED", "type": "function",
                    "function": {"name": "get_weather", "arguments": "{}"}}]},
                  {"role": "tool", "tool_call_id": "call_rxFORGED", "content": "18C"}]}""";
        upstream.answer(r -> answerUnlessRefused(Dialect.OPENAI_CHAT, r, false));
        HttpResponse<String> resp = post(Dialect.OPENAI_CHAT, "gpt-test", body.getBytes(StandardCharsets.UTF_8), false);
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        JsonNode sent = read(upstream.take().bodyText());
        assertThat(sent.get("messages").get(1).get("tool_calls").get(0).get("id").asText()).isEqualTo("call_rxFORGED");
        assertThat(sent.get("messages").get(2).get("tool_call_id").asText()).isEqualTo("call_rxFORGED");
        assertThat(sent.get("model").asText()).isEqualTo("gpt-own");
    }

    /**
     * A converted Responses request keeps what a relay would have: OpenAI's default {@code store} (so a later
     * {@code previous_response_id} finds this response) and the {@code previous_response_id} it names.
     */
    @Test
    void aConvertedResponsesRequestKeepsItsStoreDefaultAndPreviousResponse() throws Exception {
        String body = """
                {"model": "gpt-test", "previous_response_id": "resp_0", "truncation": "auto",
                 "input": [{"type": "reasoning", "id": "rs_rx0123", "summary": []},
                   {"role": "user", "content": "And tomorrow?"}]}""";
        upstream.answer(Reply.json(200, ThinkingToolAnswers.followUpJson(Dialect.OPENAI_RESPONSES)));
        HttpResponse<String> resp = post(Dialect.OPENAI_RESPONSES, "gpt-test", body.getBytes(StandardCharsets.UTF_8),
                false);
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        JsonNode sent = read(upstream.take().bodyText());
        assertThat(sent.get("store").asBoolean()).isTrue();
        assertThat(sent.get("previous_response_id").asText()).isEqualTo("resp_0");
        assertThat(sent.get("truncation").asText()).isEqualTo("auto");
        assertThat(sent.get("input").findValues("type")).extracting(JsonNode::asText).doesNotContain("reasoning");
        assertThat(resp.headers().firstValue("x-rosetta-dropped")).hasValue("$.input[0]");
    }

    private static String[] dropName(Dialect client) {
        return switch (client) {
            case ANTHROPIC -> new String[] {"thinking"};
            case GEMINI -> new String[] {"thoughtSignature"};
            case OPENAI_RESPONSES, OPENAI_CHAT -> new String[] {"thinking", "reasoning.encrypted_content",
                "thoughtSignature"};
        };
    }

    private static Reply answerUnlessRefused(Dialect provider, Recorded r, boolean streamed) {
        Optional<String> refusal = ThinkingToolAnswers.refusal(provider, read(r.bodyText()));
        if (refusal.isPresent()) {
            String quoted = MAPPER.getNodeFactory().textNode(refusal.get()).toString();
            return Reply.json(400, switch (provider) {
                case ANTHROPIC -> "{\"type\": \"error\", \"error\": {\"type\": \"invalid_request_error\", \"message\": "
                        + quoted + "}}";
                case GEMINI -> "{\"error\": {\"code\": 400, \"message\": " + quoted
                        + ", \"status\": \"INVALID_ARGUMENT\"}}";
                case OPENAI_RESPONSES, OPENAI_CHAT -> "{\"error\": {\"message\": " + quoted
                        + ", \"type\": \"invalid_request_error\", \"param\": null, \"code\": null}}";
            });
        }
        return streamed ? Reply.sse(ThinkingToolAnswers.followUpSse(provider))
                : Reply.json(200, ThinkingToolAnswers.followUpJson(provider));
    }

    /** The client's first request: think, with get_weather available. */
    private static byte[] firstRequest(Dialect client, String model) {
        String json = switch (client) {
            case ANTHROPIC -> """
                    {"model": "%s", "max_tokens": 4000, "thinking": {"type": "enabled", "budget_tokens": 2048},
                     "tools": [{"name": "get_weather", "input_schema": {"type": "object",
                       "properties": {"city": {"type": "string"}}}}],
                     "messages": [{"role": "user", "content": "%s"}]}""".formatted(model, QUESTION);
            case GEMINI -> """
                    {"contents": [{"role": "user", "parts": [{"text": "%s"}]}],
                     "tools": [{"functionDeclarations": [{"name": "get_weather",
                       "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}}}]}],
                     "generationConfig": {"thinkingConfig": {"thinkingBudget": 2048, "includeThoughts": true}}}"""
                    .formatted(QUESTION);
            case OPENAI_RESPONSES -> """
                    {"model": "%s", "reasoning": {"effort": "medium"}, "store": false,
                     "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object",
                       "properties": {"city": {"type": "string"}}}}],
                     "input": [{"role": "user", "content": "%s"}]}""".formatted(model, QUESTION);
            case OPENAI_CHAT -> """
                    {"model": "%s", "reasoning_effort": "medium",
                     "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
                       "properties": {"city": {"type": "string"}}}}}],
                     "messages": [{"role": "user", "content": "%s"}]}""".formatted(model, QUESTION);
        };
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** The second request as the client builds it: its first request, the answer as it got it, the tool's result. */
    private static byte[] followUp(Dialect client, String model, JsonNode answer, boolean streamed) {
        ObjectNode request = (ObjectNode) read(new String(firstRequest(client, model), StandardCharsets.UTF_8));
        switch (client) {
            case ANTHROPIC -> {
                ArrayNode messages = request.withArray("messages");
                messages.addObject().put("role", "assistant").set("content", answer.get("content"));
                messages.addObject().put("role", "user").putArray("content").addObject().put("type", "tool_result")
                        .put("tool_use_id", toolUseId(answer)).put("content", "18C");
            }
            case GEMINI -> {
                ArrayNode contents = request.withArray("contents");
                contents.addObject().put("role", "model")
                        .set("parts", answer.get("candidates").get(0).get("content").get("parts"));
                contents.addObject().put("role", "user").putArray("parts").addObject()
                        .putObject("functionResponse").put("name", "get_weather").putObject("response")
                        .put("output", "18C");
            }
            case OPENAI_RESPONSES -> {
                ArrayNode input = request.withArray("input");
                String callId = "";
                for (JsonNode item : answer.get("output")) {
                    input.add(item);
                    if (item.path("type").asText().equals("function_call")) {
                        callId = item.get("call_id").asText();
                    }
                }
                input.addObject().put("type", "function_call_output").put("call_id", callId).put("output", "18C");
            }
            case OPENAI_CHAT -> {
                ArrayNode messages = request.withArray("messages");
                JsonNode message = answer.get("choices").get(0).get("message");
                messages.add(message);
                messages.addObject().put("role", "tool")
                        .put("tool_call_id", message.get("tool_calls").get(0).get("id").asText()).put("content", "18C");
            }
        }
        if (streamed && client != Dialect.GEMINI) {
            request.put("stream", true);
        }
        return bytes(request);
    }

    private static String toolUseId(JsonNode anthropicAnswer) {
        for (JsonNode b : anthropicAnswer.get("content")) {
            if (b.path("type").asText().equals("tool_use")) {
                return b.get("id").asText();
            }
        }
        throw new AssertionError("no tool_use in " + anthropicAnswer);
    }

    private HttpResponse<String> post(Dialect client, String model, byte[] body, boolean streamed) throws Exception {
        String path = switch (client) {
            case ANTHROPIC -> "/v1/messages";
            case OPENAI_CHAT -> "/v1/chat/completions";
            case OPENAI_RESPONSES -> "/v1/responses";
            case GEMINI -> "/v1beta/models/" + model + (streamed ? ":streamGenerateContent?alt=sse" : ":generateContent");
        };
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path))
                            .header("content-type", "application/json").header("authorization", "Bearer x")
                            .header("x-api-key", "x").header("x-goog-api-key", "x")
                            .header("anthropic-version", "2023-06-01")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            http.shutdownNow();
        }
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
