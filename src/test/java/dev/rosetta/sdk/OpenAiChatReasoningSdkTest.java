package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.ReasoningEffort;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The official OpenAI SDK reading a model's reasoning from {@code reasoning_content} through its
 * additional-properties API ({@code _additionalProperties()} on the message and on the chunk delta),
 * streamed and not, from Claude (thinking blocks), Gemini (thought parts) and a model served with the
 * Responses API (reasoning summary); chosen per model ({@code chat_reasoning}) or per request
 * ({@code x-rosetta-chat-reasoning}); and a history that carries {@code reasoning_content} back.
 * The providers answer with the golden files' wire bodies and streams.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiChatReasoningSdkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEADER = "x-rosetta-chat-reasoning";

    private FakeUpstream fake;
    private TestGateway gateway;
    private OpenAIClient client;

    @BeforeAll
    void start() {
        fake = new FakeUpstream();
        gateway = TestGateway.start("""
                providers:
                  - name: oai
                    type: openai
                    base_url: %1$s/v1
                    api_key: ${OPENAI_API_KEY}
                  - name: ant
                    type: anthropic
                    base_url: %1$s
                    api_key: ${ANTHROPIC_API_KEY}
                  - name: gem
                    type: gemini
                    base_url: %1$s
                    api_key: ${GEMINI_API_KEY}
                models:
                  - name: claude-think
                    provider: ant
                    upstream_model: claude-sonnet-4-5
                    chat_reasoning: reasoning_content
                  - name: gemini-plain
                    provider: gem
                    upstream_model: gemini-2.5-flash
                  - name: gpt-resp
                    provider: oai
                    upstream_model: gpt-5
                    api: responses
                    chat_reasoning: reasoning_content
                """.formatted(fake.baseUrl()));
        client = SdkAgainstGateway.openAi(gateway.url());
    }

    @AfterAll
    void stop() {
        client.close();
        gateway.close();
        fake.close();
    }

    @BeforeEach
    void drain() {
        while (fake.pending() > 0) {
            fake.take();
        }
    }

    @Test
    void claudesThinkingIsTheMessagesReasoningContentWhenTheModelSaysSo() throws Exception {
        fake.answer(Reply.json(200, golden("golden/openai_chat-to-anthropic/reasoning_content_tool_call/upstream-response.json")));

        ChatCompletionMessage message = client.chat().completions().create(ask("claude-think").build())
                .choices().get(0).message();

        assertThat(reasoning(message)).contains("The user asks for the weather in Paris. I have a get_weather tool that"
                + " takes a city, so I should call it with city Paris and then report the temperature.");
        assertThat(message.content()).contains("Let me check.");
        assertThat(JSON.readTree(fake.take().body()).at("/thinking/type").asText()).isEqualTo("enabled");
    }

    @Test
    void claudesThinkingStreamsAsDeltaReasoningContent() throws Exception {
        fake.answer(sse("golden-stream/openai_chat-from-anthropic/thinking_text/upstream.sse"));

        Streamed s = stream(ask("claude-think").build());

        assertThat(s.reasoning()).isEqualTo("The user greets me. Answer briefly.");
        assertThat(s.content()).isEqualTo("Hi!");
    }

    @Test
    void geminisThoughtsAreShownWhenTheRequestAsksAndLeftOutWhenNot() throws Exception {
        String answer = golden("golden/openai_chat-to-gemini/reasoning_content/upstream-response.json");
        fake.answer(Reply.json(200, answer));
        HttpResponseFor<ChatCompletion> shown = client.chat().completions().withRawResponse().create(
                ask("gemini-plain").putAdditionalHeader(HEADER, "reasoning_content").build());
        JsonNode sent = JSON.readTree(fake.take().body());

        assertThat(reasoning(shown.parse().choices().get(0).message()))
                .contains("**Checking small factors**\n\n1001 = 7 x 143, and 143 = 11 x 13.");
        assertThat(sent.at("/generationConfig/thinkingConfig/includeThoughts").asBoolean()).isTrue();
        assertThat(shown.headers().values("x-rosetta-dropped")).isEmpty();

        fake.answer(Reply.json(200, answer));
        HttpResponseFor<ChatCompletion> hidden = client.chat().completions().withRawResponse().create(
                ask("gemini-plain").build());
        assertThat(reasoning(hidden.parse().choices().get(0).message())).isEmpty();
        assertThat(JSON.readTree(fake.take().body()).at("/generationConfig/thinkingConfig").has("includeThoughts"))
                .isFalse();
        assertThat(hidden.headers().values("x-rosetta-dropped")).containsExactly("thinking");
    }

    @Test
    void geminisThoughtsStreamAsDeltaReasoningContentWhenTheRequestAsks() throws Exception {
        fake.answer(sse("golden-stream/openai_chat-from-gemini/thinking_text/upstream.sse"));

        Streamed s = stream(ask("gemini-plain").putAdditionalHeader(HEADER, "reasoning_content").build());

        assertThat(s.reasoning()).isEqualTo("The user greets me. Answer briefly.");
        assertThat(s.content()).isEqualTo("Hi!");
        assertThat(fake.take().path()).endsWith(":streamGenerateContent");
    }

    @Test
    void aResponsesModelsReasoningSummaryIsShownStreamedAndNot() throws Exception {
        fake.answer(Reply.json(200, golden("golden/openai_chat-to-openai_responses/reasoning_content_tool_call/upstream-response.json")));
        ChatCompletionMessage message = client.chat().completions().create(ask("gpt-resp").build())
                .choices().get(0).message();
        assertThat(reasoning(message))
                .contains("The user wants the weather in Paris. Call get_weather with the city, then report it.");
        Recorded sent = fake.take();
        assertThat(sent.path()).isEqualTo("/v1/responses");
        assertThat(JSON.readTree(sent.body()).at("/reasoning/summary").asText()).isEqualTo("auto");

        fake.answer(sse("golden-stream/openai_chat-from-openai_responses/reasoning_tool_call/upstream.sse"));
        Streamed s = stream(ask("gpt-resp").build());
        assertThat(s.reasoning()).isEqualTo("The user wants the weather in Paris. Call get_weather with the city, then report it.");
    }

    @Test
    void reasoningContentInTheHistoryIsDroppedByNameNotRefused() throws Exception {
        fake.answer(Reply.json(200, golden("golden/openai_chat-to-anthropic/plain_text/upstream-response.json")));
        ChatCompletionAssistantMessageParam earlier = ChatCompletionAssistantMessageParam.builder()
                .content("4").putAdditionalProperty("reasoning_content", JsonValue.from("2 + 2 is 4.")).build();

        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(
                ask("claude-think").addMessage(earlier).addUserMessage("And 3 + 3?").build());

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().values("x-rosetta-dropped")).containsExactly("$.messages[1].reasoning_content");
        JsonNode sent = JSON.readTree(fake.take().body());
        assertThat(sent.at("/messages/1").toString()).isEqualTo("{\"role\":\"assistant\",\"content\":\"4\"}");
    }

    @Test
    void anUnknownHeaderValueIsRefusedInTheClientsDialect() {
        assertThatThrownBy(() -> client.chat().completions().create(
                ask("gemini-plain").putAdditionalHeader(HEADER, "reasoning").build()))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining(HEADER).hasMessageContaining("reasoning_content or none");
        assertThat(fake.pending()).isZero();
    }

    // ---------------------------------------------------------------- helpers

    private static ChatCompletionCreateParams.Builder ask(String model) {
        return ChatCompletionCreateParams.builder().model(model).reasoningEffort(ReasoningEffort.LOW)
                .addUserMessage("What is 2 + 2?");
    }

    private static Optional<String> reasoning(ChatCompletionMessage message) {
        return Optional.ofNullable(message._additionalProperties().get("reasoning_content"))
                .map(v -> v.convert(String.class));
    }

    private record Streamed(String reasoning, String content) {
    }

    private Streamed stream(ChatCompletionCreateParams params) {
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> chunks = client.chat().completions().createStreaming(params)) {
            chunks.stream().filter(c -> !c.choices().isEmpty()).map(c -> c.choices().get(0).delta()).forEach(d -> {
                JsonValue r = d._additionalProperties().get("reasoning_content");
                if (r != null) {
                    reasoning.append(r.convert(String.class));
                }
                d.content().ifPresent(content::append);
            });
        }
        return new Streamed(reasoning.toString(), content.toString());
    }

    private static String golden(String file) throws IOException {
        return Files.readString(Path.of("src/test/resources", file));
    }

    private static Reply sse(String file) throws IOException {
        return new Reply(200, java.util.Map.of("content-type", "text/event-stream"),
                java.util.List.of(new FakeUpstream.Step.Write(Files.readAllBytes(Path.of("src/test/resources", file)))),
                true);
    }
}
