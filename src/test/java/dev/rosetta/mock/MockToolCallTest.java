package dev.rosetta.mock;

import static dev.rosetta.dialect.Dialect.ANTHROPIC;
import static dev.rosetta.dialect.Dialect.GEMINI;
import static dev.rosetta.dialect.Dialect.OPENAI_CHAT;
import static dev.rosetta.dialect.Dialect.OPENAI_RESPONSES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.config.DefaultConfig;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The mock's tool round trip: {@code [[mock-tool NAME {args}]]} in the user's message makes it call
 * the offered tool, in each dialect's own shape, streamed and not; the tool's result coming back is
 * quoted in the text answer. The agents harness (bench/agents.sh) relies on it.
 */
@TestInstance(PER_CLASS)
class MockToolCallTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASK = "[[mock-tool read_note {\\\"name\\\":\\\"todo\\\",\\\"lines\\\":2}]] Read my note.";
    private static final String ARGS = "{\"name\":\"todo\",\"lines\":2}";

    private TestGateway gateway;
    private DialectClient client;

    @BeforeAll
    void start() {
        gateway = TestGateway.start(DefaultConfig.create(Map.<String, String>of()::get));
        client = new DialectClient(gateway.url());
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    private static String request(Dialect d, boolean stream, String tools, String turns) {
        return switch (d) {
            case OPENAI_CHAT -> "{\"model\":\"mock-gpt\",\"stream\":" + stream + ",\"tools\":" + tools
                    + ",\"messages\":[" + turns + "]}";
            case OPENAI_RESPONSES -> "{\"model\":\"mock-gpt\",\"stream\":" + stream + ",\"tools\":" + tools
                    + ",\"input\":[" + turns + "]}";
            case ANTHROPIC -> "{\"model\":\"mock-claude\",\"max_tokens\":64,\"stream\":" + stream + ",\"tools\":" + tools
                    + ",\"messages\":[" + turns + "]}";
            case GEMINI -> "{\"tools\":" + tools + ",\"contents\":[" + turns + "]}";
        };
    }

    private static String tools(Dialect d, String name) {
        return switch (d) {
            case OPENAI_CHAT -> "[{\"type\":\"function\",\"function\":{\"name\":\"" + name
                    + "\",\"parameters\":{\"type\":\"object\"}}}]";
            case OPENAI_RESPONSES -> "[{\"type\":\"function\",\"name\":\"" + name + "\",\"parameters\":{\"type\":\"object\"}}]";
            case ANTHROPIC -> "[{\"name\":\"" + name + "\",\"input_schema\":{\"type\":\"object\"}}]";
            case GEMINI -> "[{\"functionDeclarations\":[{\"name\":\"" + name + "\"}]}]";
        };
    }

    private static String ask(Dialect d) {
        return d == GEMINI ? "{\"role\":\"user\",\"parts\":[{\"text\":\"" + ASK + "\"}]}"
                : "{\"role\":\"user\",\"content\":\"" + ASK + "\"}";
    }

    /** The user's ask, the model's call and the tool's result, in the dialect's shape. */
    private static String roundTrip(Dialect d, String callId) {
        return switch (d) {
            case OPENAI_CHAT -> ask(d) + ",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"" + callId
                    + "\",\"type\":\"function\",\"function\":{\"name\":\"read_note\",\"arguments\":\"{}\"}}]},"
                    + "{\"role\":\"tool\",\"tool_call_id\":\"" + callId + "\",\"content\":\"buy milk\"}";
            case OPENAI_RESPONSES -> ask(d) + ",{\"type\":\"function_call\",\"call_id\":\"" + callId
                    + "\",\"name\":\"read_note\",\"arguments\":\"{}\"},"
                    + "{\"type\":\"function_call_output\",\"call_id\":\"" + callId + "\",\"output\":\"buy milk\"}";
            case ANTHROPIC -> ask(d) + ",{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"" + callId
                    + "\",\"name\":\"read_note\",\"input\":{}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                    + "\"tool_use_id\":\"" + callId + "\",\"content\":[{\"type\":\"text\",\"text\":\"buy milk\"}]}]}";
            case GEMINI -> ask(d) + ",{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"read_note\",\"args\":{}}}]},"
                    + "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"read_note\","
                    + "\"response\":{\"content\":\"buy milk\"}}}]}";
        };
    }

    private DialectClient.Result send(Dialect d, boolean stream, String body) {
        String model = d == ANTHROPIC ? "mock-claude" : d == GEMINI ? "mock-gemini" : "mock-gpt";
        return client.send(d, DialectClient.path(d, model, stream), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theMarkerMakesTheMockCallTheOfferedToolInEachDialect() throws Exception {
        JsonNode chat = send(OPENAI_CHAT, false, request(OPENAI_CHAT, false, tools(OPENAI_CHAT, "read_note"),
                ask(OPENAI_CHAT))).json();
        JsonNode responses = send(OPENAI_RESPONSES, false, request(OPENAI_RESPONSES, false,
                tools(OPENAI_RESPONSES, "read_note"), ask(OPENAI_RESPONSES))).json();
        JsonNode anthropic = send(ANTHROPIC, false, request(ANTHROPIC, false, tools(ANTHROPIC, "read_note"),
                ask(ANTHROPIC))).json();
        JsonNode gemini = send(GEMINI, false, request(GEMINI, false, tools(GEMINI, "read_note"), ask(GEMINI))).json();

        JsonNode chatCall = chat.path("choices").get(0).path("message").path("tool_calls").get(0);
        assertThat(chat.path("choices").get(0).path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(chatCall.path("id").asText()).startsWith("call_mock");
        assertThat(chatCall.path("function").path("name").asText()).isEqualTo("read_note");
        assertThat(JSON.readTree(chatCall.path("function").path("arguments").asText())).isEqualTo(JSON.readTree(ARGS));

        JsonNode item = responses.path("output").get(0);
        assertThat(responses.path("output")).hasSize(1);
        assertThat(item.path("type").asText()).isEqualTo("function_call");
        assertThat(item.path("call_id").asText()).startsWith("call_mock");
        assertThat(item.path("name").asText()).isEqualTo("read_note");
        assertThat(JSON.readTree(item.path("arguments").asText())).isEqualTo(JSON.readTree(ARGS));

        assertThat(anthropic.path("stop_reason").asText()).isEqualTo("tool_use");
        JsonNode use = anthropic.path("content").get(0);
        assertThat(anthropic.path("content")).hasSize(1);
        assertThat(use.path("type").asText()).isEqualTo("tool_use");
        assertThat(use.path("id").asText()).startsWith("toolu_mock");
        assertThat(use.path("input")).isEqualTo(JSON.readTree(ARGS));

        JsonNode fc = gemini.path("candidates").get(0).path("content").path("parts").get(0).path("functionCall");
        assertThat(fc.path("name").asText()).isEqualTo("read_note");
        assertThat(fc.path("args")).isEqualTo(JSON.readTree(ARGS));
    }

    @Test
    void theMarkerIsFoundInAnyUserMessageSinceTheModelLastSpoke() {
        // Codex sends its environment as a second user message after the prompt.
        JsonNode responses = send(OPENAI_RESPONSES, false, request(OPENAI_RESPONSES, false,
                tools(OPENAI_RESPONSES, "read_note"), ask(OPENAI_RESPONSES)
                        + ",{\"role\":\"user\",\"content\":\"<environment_context/>\"}")).json();
        // An earlier turn's marker, answered already, is not acted on again.
        JsonNode chat = send(OPENAI_CHAT, false, request(OPENAI_CHAT, false, tools(OPENAI_CHAT, "read_note"),
                ask(OPENAI_CHAT) + ",{\"role\":\"assistant\",\"content\":\"Done.\"},"
                        + "{\"role\":\"user\",\"content\":\"Thanks\"}")).json();

        assertThat(responses.path("output").get(0).path("type").asText()).isEqualTo("function_call");
        assertThat(chat.path("choices").get(0).path("message").path("content").asText())
                .isEqualTo("Hello from Rosetta's mock model mock-gpt. You said: Thanks");
    }

    @Test
    void withoutThatToolOfferedTheMockAnswersInText() {
        JsonNode chat = send(OPENAI_CHAT, false, request(OPENAI_CHAT, false, tools(OPENAI_CHAT, "other"),
                ask(OPENAI_CHAT))).json();

        assertThat(chat.path("choices").get(0).path("message").path("content").asText())
                .startsWith("Hello from Rosetta's mock model mock-gpt. You said: [[mock-tool");
        assertThat(chat.path("choices").get(0).path("message").has("tool_calls")).isFalse();
    }

    @Test
    void theToolsResultComingBackIsQuotedInTheTextAnswer() {
        for (Dialect d : Dialect.values()) {
            DialectClient.Result r = send(d, false, request(d, false, tools(d, "read_note"), roundTrip(d, "call_1")));
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(r.body()).as("%s", d).contains("The tool said: ").contains("buy milk")
                    .doesNotContain("functionCall").doesNotContain("tool_use\"").doesNotContain("function_call\"");
        }
    }

    @Test
    void aStreamedCallCarriesTheNameAndArgumentsInEachDialect() throws Exception {
        List<String> chatArgs = new ArrayList<>();
        String chat = send(OPENAI_CHAT, true, request(OPENAI_CHAT, true, tools(OPENAI_CHAT, "read_note"),
                ask(OPENAI_CHAT))).body();
        for (String line : chat.lines().filter(l -> l.startsWith("data: {")).toList()) {
            JsonNode tc = JSON.readTree(line.substring(6)).path("choices").path(0).path("delta").path("tool_calls").path(0);
            chatArgs.add(tc.path("function").path("arguments").asText(""));
        }
        assertThat(chat).contains("\"name\":\"read_note\"").contains("\"finish_reason\":\"tool_calls\"")
                .endsWith("data: [DONE]\n\n");
        assertThat(JSON.readTree(String.join("", chatArgs))).isEqualTo(JSON.readTree(ARGS));

        String responses = send(OPENAI_RESPONSES, true, request(OPENAI_RESPONSES, true,
                tools(OPENAI_RESPONSES, "read_note"), ask(OPENAI_RESPONSES))).body();
        assertThat(responses).contains("event: response.function_call_arguments.delta")
                .contains("event: response.output_item.done").contains("event: response.completed")
                .contains("\"type\":\"function_call\"");

        String anthropic = send(ANTHROPIC, true, request(ANTHROPIC, true, tools(ANTHROPIC, "read_note"),
                ask(ANTHROPIC))).body();
        assertThat(anthropic).contains("\"type\":\"tool_use\"").contains("\"type\":\"input_json_delta\"")
                .contains("\"stop_reason\":\"tool_use\"").contains("event: message_stop");

        String gemini = send(GEMINI, true, request(GEMINI, true, tools(GEMINI, "read_note"), ask(GEMINI))).body();
        JsonNode chunk = JSON.readTree(gemini.lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow()
                .substring(6));
        assertThat(chunk.path("candidates").get(0).path("content").path("parts").get(0).path("functionCall").path("args"))
                .isEqualTo(JSON.readTree(ARGS));
    }
}
