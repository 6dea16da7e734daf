package dev.rosetta.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.FinishReason;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStatus;
import dev.rosetta.config.DefaultConfig;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.config.ModelConfig;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The no-config default: with no keys set it serves only the offline mock, and every official SDK
 * gets a well-formed, deterministic answer from it, streamed and not.
 */
@TestInstance(PER_CLASS)
class DefaultConfigMockTest {

    private static final String QUESTION = "What is Rosetta?";

    private TestGateway gateway;
    private OpenAIClient openai;
    private AnthropicClient anthropic;
    private Client gemini;

    @BeforeAll
    void start() {
        gateway = TestGateway.start(DefaultConfig.create(Map.<String, String>of()::get));
        openai = OpenAIOkHttpClient.builder().baseUrl(gateway.url() + "/v1").apiKey("any").maxRetries(0).build();
        anthropic = AnthropicOkHttpClient.builder().baseUrl(gateway.url()).apiKey("any").maxRetries(0).build();
        gemini = Client.builder().apiKey("any").httpOptions(HttpOptions.builder().baseUrl(gateway.url())
                .apiVersion("v1beta").retryOptions(HttpRetryOptions.builder().attempts(1).build()).build()).build();
    }

    @AfterAll
    void stop() {
        openai.close();
        anthropic.close();
        gemini.close();
        gateway.close();
    }

    @Test
    void withoutKeysOnlyTheMockIsConfigured() {
        GatewayConfig config = DefaultConfig.create(Map.<String, String>of()::get);

        assertThat(config.providers()).extracting(ProviderConfig::name, ProviderConfig::type)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("mock", ProviderType.MOCK));
        assertThat(config.models()).extracting(ModelConfig::name)
                .containsExactly("mock-gpt", "mock-claude", "mock-gemini");
        assertThat(config.models()).allMatch(m -> m.provider().equals("mock"));
    }

    @Test
    void eachKeySetAddsItsProviderWithTheOfficialBaseUrl() {
        GatewayConfig config = DefaultConfig.create(Map.of("OPENAI_API_KEY", "sk-1", "ANTHROPIC_API_KEY", "sk-ant-2",
                "GEMINI_API_KEY", "AIza3")::get);

        Map<String, ProviderConfig> byName = config.providers().stream()
                .collect(Collectors.toMap(ProviderConfig::name, p -> p));
        assertThat(byName).containsOnlyKeys("openai", "anthropic", "gemini", "mock");
        assertThat(byName.get("openai").baseUrl()).isEqualTo("https://api.openai.com/v1");
        assertThat(byName.get("openai").apiKey().value()).isEqualTo("sk-1");
        assertThat(byName.get("anthropic").baseUrl()).isEqualTo("https://api.anthropic.com");
        assertThat(byName.get("anthropic").apiKey().value()).isEqualTo("sk-ant-2");
        assertThat(byName.get("gemini").baseUrl()).isEqualTo("https://generativelanguage.googleapis.com");
        assertThat(byName.get("gemini").apiKey().value()).isEqualTo("AIza3");
        assertThat(config.models()).extracting(ModelConfig::name)
                .contains("gpt-4o", "claude-sonnet-4-5", "gemini-2.5-flash", "mock-gpt", "mock-claude", "mock-gemini");

        GatewayConfig onlyGemini = DefaultConfig.create(Map.of("GEMINI_API_KEY", "AIza3")::get);
        assertThat(onlyGemini.providers()).extracting(ProviderConfig::name).containsExactly("gemini", "mock");
    }

    @Test
    void chatCompletionsAnswerIsWellFormedAndDeterministic() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("mock-gpt")
                .addUserMessage(QUESTION).build();

        ChatCompletion first = openai.chat().completions().create(params);
        ChatCompletion second = openai.chat().completions().create(params);

        String text = first.choices().get(0).message().content().orElseThrow();
        assertThat(text).contains("mock-gpt").contains(QUESTION);
        assertThat(first.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(first.usage().orElseThrow().completionTokens()).isPositive();
        assertThat(first.usage().orElseThrow().promptTokens()).isPositive();
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.choices().get(0).message().content()).contains(text);
    }

    @Test
    void chatCompletionsStreamAssemblesToTheSameAnswer() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("mock-gpt")
                .addUserMessage(QUESTION).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        String whole = openai.chat().completions().create(ChatCompletionCreateParams.builder().model("mock-gpt")
                .addUserMessage(QUESTION).build()).choices().get(0).message().content().orElseThrow();

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (var stream = openai.chat().completions().createStreaming(params)) {
            stream.stream().forEach(acc::accumulate);
        }

        ChatCompletion streamed = acc.chatCompletion();
        assertThat(streamed.choices().get(0).message().content()).contains(whole);
        assertThat(streamed.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(streamed.usage().orElseThrow().completionTokens()).isPositive();
    }

    @Test
    void responsesAnswerIsWellFormedAndDeterministic() {
        ResponseCreateParams params = ResponseCreateParams.builder().model("mock-gpt").input(QUESTION).build();

        Response first = openai.responses().create(params);
        Response second = openai.responses().create(params);

        assertThat(outputText(first)).contains("mock-gpt").contains(QUESTION);
        assertThat(first.status()).contains(ResponseStatus.COMPLETED);
        assertThat(first.usage().orElseThrow().outputTokens()).isPositive();
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(outputText(second)).isEqualTo(outputText(first));
    }

    @Test
    void responsesStreamAssemblesToTheSameAnswer() {
        ResponseCreateParams params = ResponseCreateParams.builder().model("mock-gpt").input(QUESTION).build();
        String whole = outputText(openai.responses().create(params));

        ResponseAccumulator acc = ResponseAccumulator.create();
        StringBuilder deltas = new StringBuilder();
        try (var stream = openai.responses().createStreaming(params)) {
            stream.stream().forEach(e -> {
                acc.accumulate(e);
                e.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
            });
        }

        assertThat(deltas.toString()).isEqualTo(whole);
        Response streamed = acc.response();
        assertThat(outputText(streamed)).isEqualTo(whole);
        assertThat(streamed.status()).contains(ResponseStatus.COMPLETED);
        assertThat(streamed.usage().orElseThrow().outputTokens()).isPositive();
    }

    @Test
    void messagesAnswerIsWellFormedAndDeterministic() {
        MessageCreateParams params = MessageCreateParams.builder().model("mock-claude").maxTokens(256)
                .addUserMessage(QUESTION).build();

        Message first = anthropic.messages().create(params);
        Message second = anthropic.messages().create(params);

        assertThat(text(first)).contains("mock-claude").contains(QUESTION);
        assertThat(first.stopReason()).contains(StopReason.END_TURN);
        assertThat(first.usage().outputTokens()).isPositive();
        assertThat(first.usage().inputTokens()).isPositive();
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(text(second)).isEqualTo(text(first));
    }

    @Test
    void messagesStreamAssemblesToTheSameAnswer() {
        MessageCreateParams params = MessageCreateParams.builder().model("mock-claude").maxTokens(256)
                .addUserMessage(QUESTION).build();
        String whole = text(anthropic.messages().create(params));

        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = anthropic.messages().createStreaming(params)) {
            stream.stream().forEach(acc::accumulate);
        }

        Message streamed = acc.message();
        assertThat(text(streamed)).isEqualTo(whole);
        assertThat(streamed.stopReason()).contains(StopReason.END_TURN);
        assertThat(streamed.usage().outputTokens()).isPositive();
    }

    @Test
    void generateContentAnswerIsWellFormedAndDeterministic() {
        GenerateContentResponse first = gemini.models.generateContent("mock-gemini", QUESTION, null);
        GenerateContentResponse second = gemini.models.generateContent("mock-gemini", QUESTION, null);

        assertThat(first.text()).contains("mock-gemini").contains(QUESTION);
        assertThat(first.finishReason().knownEnum()).isEqualTo(FinishReason.Known.STOP);
        assertThat(first.usageMetadata().orElseThrow().candidatesTokenCount().orElseThrow()).isPositive();
        assertThat(first.usageMetadata().orElseThrow().totalTokenCount().orElseThrow()).isPositive();
        assertThat(second.responseId()).isEqualTo(first.responseId());
        assertThat(second.text()).isEqualTo(first.text());
    }

    @Test
    void generateContentStreamAssemblesToTheSameAnswer() {
        String whole = gemini.models.generateContent("mock-gemini", QUESTION, null).text();

        StringBuilder text = new StringBuilder();
        GenerateContentResponse last = null;
        try (ResponseStream<GenerateContentResponse> stream =
                     gemini.models.generateContentStream("mock-gemini", QUESTION, null)) {
            for (GenerateContentResponse chunk : stream) {
                text.append(chunk.text());
                last = chunk;
            }
        }

        assertThat(text.toString()).isEqualTo(whole);
        assertThat(last.finishReason().knownEnum()).isEqualTo(FinishReason.Known.STOP);
        assertThat(last.usageMetadata().orElseThrow().candidatesTokenCount().orElseThrow()).isPositive();
    }

    @Test
    void geminiJsonArrayStreamIsOneWellFormedArrayOfChunks() throws Exception {
        String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + QUESTION + "\"}]}]}";
        String whole = gemini.models.generateContent("mock-gemini", QUESTION, null).text();

        HttpResponse<String> first = rawPost("/v1beta/models/mock-gemini:streamGenerateContent", body);
        HttpResponse<String> second = rawPost("/v1beta/models/mock-gemini:streamGenerateContent", body);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("content-type").orElseThrow()).startsWith("application/json");
        assertThat(second.body()).isEqualTo(first.body());
        JsonNode chunks = new ObjectMapper().readTree(first.body());
        assertThat(chunks.isArray()).isTrue();
        assertThat(chunks.size()).isGreaterThan(1);
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.at("/candidates/0/content/parts/0/text").asText()));
        assertThat(text.toString()).isEqualTo(whole);
        JsonNode last = chunks.get(chunks.size() - 1);
        assertThat(last.at("/candidates/0/finishReason").asText()).isEqualTo("STOP");
        assertThat(last.at("/usageMetadata/candidatesTokenCount").asInt()).isPositive();
    }

    private HttpResponse<String> rawPost(String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway.url() + path))
                        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String outputText(Response r) {
        return r.output().stream().flatMap(item -> item.message().stream())
                .flatMap(m -> m.content().stream()).flatMap(c -> c.outputText().stream())
                .map(t -> t.text()).collect(Collectors.joining());
    }

    private static String text(Message m) {
        return m.content().stream().flatMap(b -> b.text().stream()).map(t -> t.text()).collect(Collectors.joining());
    }
}
