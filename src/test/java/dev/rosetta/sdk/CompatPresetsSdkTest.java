package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.models.responses.ResponseCreateParams;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import dev.rosetta.upstream.compat.CompatBodies;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code compat:} presets on {@code openai} providers: what each OpenAI-compatible server is sent
 * (relayed and converted alike) and how its answers read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompatPresetsSdkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private FakeUpstream fake;
    private TestGateway gateway;
    private AnthropicClient anthropic;
    private OpenAIClient openai;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() {
        fake = new FakeUpstream();
        StringBuilder yaml = new StringBuilder("port: 0\nproviders:\n");
        StringBuilder models = new StringBuilder("models:\n");
        for (String preset : List.of("mistral", "deepseek", "groq", "openrouter", "together", "vllm", "xai")) {
            yaml.append("  - name: ").append(preset).append("\n    type: openai\n    compat: ").append(preset)
                    .append("\n    base_url: ").append(fake.baseUrl()).append("/").append(preset).append("/v1\n    api_key: k-")
                    .append(preset).append("\n");
            models.append("  - name: ").append(preset).append("-m\n    provider: ").append(preset)
                    .append("\n    upstream_model: ").append(preset.equals("xai") ? "grok-4" : preset + "-model").append("\n");
        }
        gateway = TestGateway.start(yaml.toString() + models);
        anthropic = SdkAgainstGateway.anthropic(gateway.url());
        openai = SdkAgainstGateway.openAi(gateway.url());
    }

    @AfterAll
    void stop() {
        anthropic.close();
        openai.close();
        gateway.close();
        fake.close();
    }

    private JsonNode sent() {
        try {
            return JSON.readTree(fake.take().body());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private HttpResponse<String> chat(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An Anthropic conversation with a tool call (and thinking before it) and its result, sent as JSON. */
    private JsonNode messages(String model, boolean thinking) throws Exception {
        String body = """
                {"model":"%s","max_tokens":200,"messages":[
                 {"role":"user","content":"Weather in Paris?"},
                 {"role":"assistant","content":[%s{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"city":"Paris"}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A09q90qw90lq917835lq9","content":"18 degrees"}]}]}"""
                .formatted(model, thinking ? "{\"type\":\"thinking\",\"thinking\":\"I should call get_weather.\",\"signature\":\"sig\"}," : "");
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        return JSON.readTree(resp.body());
    }

    @Test
    void mistralGetsNineCharacterToolCallIdsTheSameWayEachTimeAndMaxTokens() throws Exception {
        fake.answer(Reply.json(200, ProviderAnswers.json(Dialect.OPENAI_CHAT, "It is 18.")));
        JsonNode m = messages("mistral-m", false);
        assertThat(m.path("content").get(0).path("text").asText()).isEqualTo("It is 18.");
        Recorded r = fake.take();
        assertThat(r.path()).isEqualTo("/mistral/v1/chat/completions");
        JsonNode body = JSON.readTree(r.body());
        String id = body.path("messages").get(1).path("tool_calls").get(0).path("id").asText();
        assertThat(id).matches("[a-zA-Z0-9]{9}").isEqualTo(CompatBodies.mistralId("toolu_01A09q90qw90lq917835lq9"));
        assertThat(body.path("messages").get(2).path("tool_call_id").asText()).isEqualTo(id);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(200);
        assertThat(body.has("max_completion_tokens")).isFalse();

        // relayed from a Chat client: the same rules; Mistral's own 9-character ids stay as they are
        assertThat(chat("""
                {"model":"mistral-m","max_completion_tokens":50,"stream":true,"stream_options":{"include_usage":true},"seed":7,
                 "messages":[{"role":"developer","content":"Be brief."},{"role":"user","content":"x"},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_abc","type":"function","function":{"name":"f","arguments":"{}"}},
                                                                  {"id":"D681PevKs","type":"function","function":{"name":"f","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_abc","content":"1"},{"role":"tool","tool_call_id":"D681PevKs","content":"2"}]}""")
                .statusCode()).isEqualTo(200);
        JsonNode relayed = sent();
        assertThat(relayed.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(relayed.path("messages").get(2).path("tool_calls").get(0).path("id").asText())
                .isEqualTo(CompatBodies.mistralId("call_abc"));
        assertThat(relayed.path("messages").get(2).path("tool_calls").get(1).path("id").asText()).isEqualTo("D681PevKs");
        assertThat(relayed.path("messages").get(3).path("tool_call_id").asText()).isEqualTo(CompatBodies.mistralId("call_abc"));
        assertThat(relayed.has("stream_options")).isFalse();
        assertThat(relayed.path("random_seed").asInt()).isEqualTo(7);
        assertThat(relayed.has("seed")).isFalse();
        assertThat(relayed.path("max_tokens").asInt()).isEqualTo(50);
    }

    @Test
    void deepSeekReasoningIsThinkingAndGoesBackOnTheNextTurn() throws Exception {
        fake.answer(Reply.json(200, """
                {"id":"c1","object":"chat.completion","created":1,"model":"deepseek-reasoner","choices":[{"index":0,
                 "finish_reason":"stop","message":{"role":"assistant","content":"It is 18.","reasoning_content":"The tool said 18."}}],
                 "usage":{"prompt_tokens":5,"completion_tokens":9,"total_tokens":14,"completion_tokens_details":{"reasoning_tokens":4}}}"""));
        JsonNode m = messages("deepseek-m", true);
        assertThat(m.path("content").get(0).path("type").asText()).isEqualTo("thinking");
        assertThat(m.path("content").get(0).path("thinking").asText()).isEqualTo("The tool said 18.");
        assertThat(m.path("content").get(1).path("text").asText()).isEqualTo("It is 18.");
        JsonNode body = sent();
        JsonNode assistant = body.path("messages").get(1);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        assertThat(assistant.path("reasoning_content").asText()).isEqualTo("I should call get_weather.");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(200);
    }

    @Test
    void groqIsNotSentTheFieldsItRefuses() throws Exception {
        fake.answer(Reply.json(200, ProviderAnswers.json(Dialect.OPENAI_CHAT, "ok")));
        assertThat(chat("""
                {"model":"groq-m","max_completion_tokens":20,"logprobs":true,"top_logprobs":2,"logit_bias":{"50256":-100},"n":2,
                 "messages":[{"role":"user","name":"alice","content":"x"}]}""").statusCode()).isEqualTo(200);
        JsonNode body = sent();
        assertThat(body.has("logprobs")).isFalse();
        assertThat(body.has("top_logprobs")).isFalse();
        assertThat(body.has("logit_bias")).isFalse();
        assertThat(body.has("n")).isFalse();
        assertThat(body.path("messages").get(0).has("name")).isFalse();
        assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void openRouterCommentLinesInAStreamAreSkipped() {
        fake.answer(Reply.sse(": OPENROUTER PROCESSING\n\n",
                ProviderAnswers.opening(Dialect.OPENAI_CHAT, "Hel").get(0),
                ": OPENROUTER PROCESSING\n\n",
                ProviderAnswers.delta(Dialect.OPENAI_CHAT, "lo"),
                ProviderAnswers.closing(Dialect.OPENAI_CHAT).get(0),
                ProviderAnswers.closing(Dialect.OPENAI_CHAT).get(1)));
        MessageAccumulator acc = MessageAccumulator.create();
        try (var s = anthropic.messages().createStreaming(MessageCreateParams.builder().model("openrouter-m").maxTokens(20)
                .addUserMessage("x").build())) {
            s.stream().forEach(acc::accumulate);
        }
        assertThat(acc.message().content().get(0).asText().text()).isEqualTo("Hello");
        JsonNode body = sent();
        assertThat(body.path("stream").asBoolean()).isTrue();
    }

    @Test
    void aResponsesClientIsConvertedToChatCompletionsAndDeveloperIsSystem() {
        fake.answer(Reply.json(200, ProviderAnswers.json(Dialect.OPENAI_CHAT, "ok")));
        var r = openai.responses().create(ResponseCreateParams.builder().model("together-m").instructions("Be brief.")
                .input("x").maxOutputTokens(30).build());
        assertThat(r.output().get(0).asMessage().content().get(0).asOutputText().text()).isEqualTo("ok");
        Recorded rec = fake.take();
        assertThat(rec.path()).isEqualTo("/together/v1/chat/completions");
        assertThat(rec.headers().get("authorization")).isEqualTo("Bearer k-together");
    }

    @Test
    void grok4IsNotSentThePenaltiesItRefuses() throws Exception {
        fake.answer(Reply.json(200, ProviderAnswers.json(Dialect.OPENAI_CHAT, "ok")));
        assertThat(chat("""
                {"model":"xai-m","presence_penalty":0.5,"frequency_penalty":0.5,"stop":["x"],"reasoning_effort":"high",
                 "messages":[{"role":"user","content":"x"}]}""").statusCode()).isEqualTo(200);
        JsonNode body = sent();
        assertThat(body.path("model").asText()).isEqualTo("grok-4");
        assertThat(body.has("presence_penalty") || body.has("frequency_penalty") || body.has("stop")
                || body.has("reasoning_effort")).isFalse();
    }
}
