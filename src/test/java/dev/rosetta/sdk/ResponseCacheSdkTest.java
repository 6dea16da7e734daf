package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.Content;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.google.genai.types.Part;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseStreamEvent;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The response cache through the official SDKs: an OpenAI Chat client fills an entry (the answer relayed
 * from an OpenAI provider), then Anthropic, Gemini and Responses clients, streaming or not, get it from
 * the cache in their own dialect, with the provider's usage, stop reason and tool calls, and the
 * provider is not called again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponseCacheSdkTest {

    private static final String SYSTEM = "Be brief.";

    private FakeUpstream fake;
    private TestGateway gateway;
    private OpenAIClient openai;
    private AnthropicClient anthropic;
    private Client gemini;

    @BeforeAll
    void start() {
        fake = new FakeUpstream();
        gateway = TestGateway.start("""
                port: 0
                providers:
                  - name: oai
                    type: openai
                    base_url: %s/v1
                    api_key: ${OPENAI_API_KEY}
                models:
                  - name: gpt-test
                    provider: oai
                    upstream_model: gpt-upstream
                cache:
                  ttl: 10m
                """.formatted(fake.baseUrl()));
        openai = SdkAgainstGateway.openAi(gateway.url());
        anthropic = SdkAgainstGateway.anthropic(gateway.url());
        gemini = SdkAgainstGateway.gemini(gateway.url());
    }

    @AfterAll
    void stop() {
        openai.close();
        anthropic.close();
        gateway.close();
        fake.close();
    }

    @Test
    void anAnswerFetchedByChatServesEveryDialectStreamedOrNot() {
        String prompt = "Say hello.";
        fake.answer(Reply.json(200, Upstream.OPENAI.textAnswer()));
        var filled = openai.chat().completions().withRawResponse().create(ChatCompletionCreateParams.builder()
                .model("gpt-test").addSystemMessage(SYSTEM).addUserMessage(prompt).maxCompletionTokens(100).build());
        assertThat(filled.headers().values("x-rosetta-cache")).containsExactly("miss");
        assertThat(filled.parse().choices().get(0).message().content()).contains("Hello!");
        fake.take();

        // Anthropic, not streamed: the hit, with the usage split Anthropic's way
        HttpResponseFor<Message> raw = anthropic.messages().withRawResponse().create(MessageCreateParams.builder()
                .model("gpt-test").system(SYSTEM).addUserMessage(prompt).maxTokens(100).build());
        assertThat(raw.headers().values("x-rosetta-cache")).containsExactly("hit");
        assertThat(raw.headers().values("age")).hasSize(1);
        Message m = raw.parse();
        assertThat(m.content().get(0).text().orElseThrow().text()).isEqualTo("Hello!");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().inputTokens()).isEqualTo(50);
        assertThat(m.usage().cacheReadInputTokens()).contains(300L);
        assertThat(m.usage().outputTokens()).isEqualTo(17);

        // Anthropic, streamed
        MessageAccumulator acc = MessageAccumulator.create();
        try (com.anthropic.core.http.StreamResponse<RawMessageStreamEvent> s = anthropic.messages().createStreaming(MessageCreateParams.builder()
                .model("gpt-test").system(SYSTEM).addUserMessage(prompt).maxTokens(100).build())) {
            s.stream().forEach(acc::accumulate);
        }
        Message streamed = acc.message();
        assertThat(streamed.content().get(0).text().orElseThrow().text()).isEqualTo("Hello!");
        assertThat(streamed.stopReason()).contains(StopReason.END_TURN);
        assertThat(streamed.usage().outputTokens()).isEqualTo(17);
        assertThat(streamed.usage().inputTokens()).isEqualTo(50);

        // Gemini, not streamed and streamed
        GenerateContentConfig config = GenerateContentConfig.builder().maxOutputTokens(100)
                .systemInstruction(Content.fromParts(Part.fromText(SYSTEM))).build();
        GenerateContentResponse g = gemini.models.generateContent("gpt-test", prompt, config);
        assertThat(g.text()).isEqualTo("Hello!");
        assertThat(g.finishReason().toString()).isEqualTo("STOP");
        GenerateContentResponseUsageMetadata gu = g.usageMetadata().orElseThrow();
        assertThat(gu.promptTokenCount()).contains(350);
        assertThat(gu.cachedContentTokenCount()).contains(300);
        assertThat(gu.candidatesTokenCount()).contains(17);
        StringBuilder text = new StringBuilder();
        GenerateContentResponseUsageMetadata[] last = {null};
        try (ResponseStream<GenerateContentResponse> s = gemini.models.generateContentStream("gpt-test", prompt, config)) {
            s.forEach(r -> {
                if (r.text() != null) {
                    text.append(r.text());
                }
                r.usageMetadata().ifPresent(u -> last[0] = u);
            });
        }
        assertThat(text).hasToString("Hello!");
        assertThat(last[0].candidatesTokenCount()).contains(17);
        assertThat(last[0].promptTokenCount()).contains(350);

        // Responses, not streamed and streamed
        ResponseCreateParams responses = ResponseCreateParams.builder().model("gpt-test").instructions(SYSTEM)
                .input(prompt).maxOutputTokens(100).build();
        Response r = openai.responses().create(responses);
        assertThat(outputText(r)).isEqualTo("Hello!");
        assertThat(r.usage().orElseThrow().inputTokens()).isEqualTo(350);
        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(17);
        ResponseAccumulator racc = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> s = openai.responses().createStreaming(responses)) {
            s.stream().forEach(racc::accumulate);
        }
        assertThat(outputText(racc.response())).isEqualTo("Hello!");
        assertThat(racc.response().usage().orElseThrow().outputTokens()).isEqualTo(17);

        // Chat, streamed with usage: the entry written by a JSON answer replays as a stream
        ChatCompletionAccumulator cacc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = openai.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("gpt-test").addSystemMessage(SYSTEM).addUserMessage(prompt)
                        .maxCompletionTokens(100)
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(cacc::accumulate);
        }
        ChatCompletion chat = cacc.chatCompletion();
        assertThat(chat.choices().get(0).message().content()).contains("Hello!");
        assertThat(chat.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(chat.usage().orElseThrow().completionTokens()).isEqualTo(17);
        assertThat(chat.usage().orElseThrow().promptTokens()).isEqualTo(350);

        assertThat(fake.pending()).as("the provider was called once, by the first client").isZero();
    }

    @Test
    void toolCallsComeBackIntactInEveryDialect() {
        String prompt = "Weather in Paris?";
        fake.answer(Reply.json(200, Upstream.OPENAI.toolCallAnswer()));
        ChatCompletion filled = openai.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-test").addUserMessage(prompt).maxCompletionTokens(300)
                .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
                        .description("Current weather").parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", com.openai.core.JsonValue.from("object"))
                                .putAdditionalProperty("properties", com.openai.core.JsonValue.from(
                                        Map.of("city", Map.of("type", "string"))))
                                .putAdditionalProperty("required", com.openai.core.JsonValue.from(List.of("city")))
                                .build()).build()).build())
                .build());
        assertThat(filled.choices().get(0).message().toolCalls().orElseThrow()).hasSize(1);
        fake.take();

        MessageCreateParams params = MessageCreateParams.builder().model("gpt-test").addUserMessage(prompt)
                .maxTokens(300).addTool(Tool.builder().name("get_weather").description("Current weather")
                        .inputSchema(Tool.InputSchema.builder()
                                .properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                .required(List.of("city")).build()).build()).build();
        Message m = anthropic.messages().create(params);
        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        ToolUseBlock use = m.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
        assertThat(use.id()).isEqualTo("call_abc");
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use._input()).isEqualTo(JsonValue.from(Map.of("city", "Paris")));

        MessageAccumulator acc = MessageAccumulator.create();
        try (com.anthropic.core.http.StreamResponse<RawMessageStreamEvent> s = anthropic.messages().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        ToolUseBlock streamed = acc.message().content().stream().flatMap(b -> b.toolUse().stream()).findFirst()
                .orElseThrow();
        assertThat(streamed.id()).isEqualTo("call_abc");
        assertThat(streamed._input()).isEqualTo(JsonValue.from(Map.of("city", "Paris")));
        assertThat(acc.message().stopReason()).contains(StopReason.TOOL_USE);

        ResponseCreateParams responses = ResponseCreateParams.builder().model("gpt-test").input(prompt)
                .maxOutputTokens(300).addTool(FunctionTool.builder().name("get_weather").description("Current weather")
                        .parameters(FunctionTool.Parameters.builder()
                                .putAdditionalProperty("type", com.openai.core.JsonValue.from("object"))
                                .putAdditionalProperty("properties", com.openai.core.JsonValue.from(
                                        Map.of("city", Map.of("type", "string"))))
                                .putAdditionalProperty("required", com.openai.core.JsonValue.from(List.of("city")))
                                .build()).strict(false).build()).build();
        Response r = openai.responses().create(responses);
        ResponseFunctionToolCall call = r.output().stream().flatMap(o -> o.functionCall().stream()).findFirst()
                .orElseThrow();
        assertThat(call.callId()).isEqualTo("call_abc");
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Paris\"}");

        assertThat(fake.pending()).as("the provider was called once").isZero();
    }

    private static String outputText(Response r) {
        return r.output().stream().flatMap(o -> o.message().stream())
                .flatMap(m -> m.content().stream()).flatMap(c -> c.outputText().stream())
                .map(com.openai.models.responses.ResponseOutputText::text).collect(java.util.stream.Collectors.joining());
    }
}
