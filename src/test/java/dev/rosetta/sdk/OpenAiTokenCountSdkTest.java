package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageTokensCount;
import com.anthropic.models.messages.Tool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.genai.Client;
import com.google.genai.types.Content;
import com.google.genai.types.CountTokensResponse;
import com.google.genai.types.Part;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.StrictInputTokens;
import dev.rosetta.testing.TestGateway;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The official Anthropic and Gemini SDKs counting tokens for models served by OpenAI, through the
 * gateway, against a fake that plays OpenAI's {@code /v1/responses/input_tokens} strictly: exact counts
 * for a Chat-served and a Responses-served model, the flagged estimate for a server without a counter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiTokenCountSdkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StrictInputTokens openAi = new StrictInputTokens();
    private FakeUpstream fake;
    private TestGateway gateway;
    private AnthropicClient anthropic;
    private Client gemini;

    @BeforeAll
    void start() {
        fake = new FakeUpstream();
        fake.answer(r -> r.path().startsWith("/compat/")
                ? Reply.json(404, "{\"detail\":\"Not Found\"}")
                : openAi.apply(r));
        gateway = TestGateway.start("""
                providers:
                  - name: oai
                    type: openai
                    base_url: %1$s/v1
                    api_key: ${OPENAI_API_KEY}
                  - name: compat
                    type: openai
                    base_url: %1$s/compat/v1
                    api_key: ${OPENAI_API_KEY}
                models:
                  - name: gpt-chat
                    provider: oai
                    upstream_model: gpt-upstream
                    api: chat
                  - name: gpt-resp
                    provider: oai
                    upstream_model: gpt-resp-upstream
                    api: responses
                  - name: local
                    provider: compat
                """.formatted(fake.baseUrl()));
        anthropic = SdkAgainstGateway.anthropic(gateway.url());
        gemini = SdkAgainstGateway.gemini(gateway.url());
    }

    @AfterAll
    void stop() {
        anthropic.close();
        gemini.close();
        gateway.close();
        fake.close();
    }

    @Test
    void anthropicSdkGetsOpenAisExactCountForAChatServedModel() throws Exception {
        HttpResponseFor<MessageTokensCount> raw = anthropic.messages().withRawResponse().countTokens(
                MessageCountTokensParams.builder()
                        .model("gpt-chat")
                        .system("You are Claude Code.")
                        .addTool(Tool.builder().name("read_file").description("Read a file")
                                .inputSchema(Tool.InputSchema.builder()
                                        .properties(JsonValue.from(Map.of("path", Map.of("type", "string"))))
                                        .build())
                                .build())
                        .addUserMessage("Read README.md and summarise it.")
                        .build());
        Recorded got = fake.take();

        assertThat(raw.parse().inputTokens()).isEqualTo(openAi.lastCount()).isPositive();
        assertThat(raw.headers().values("x-rosetta-token-count")).isEmpty();
        assertThat(got.path()).isEqualTo(StrictInputTokens.PATH);
        JsonNode sent = JSON.readTree(got.body());
        assertThat(sent.path("model").asText()).isEqualTo("gpt-upstream");
        assertThat(sent.at("/tools/0/name").asText()).isEqualTo("read_file");
    }

    @Test
    void geminiSdkGetsOpenAisExactCountForAResponsesServedModel() throws Exception {
        CountTokensResponse count = gemini.models.countTokens("gpt-resp", List.of(
                Content.builder().role("user").parts(Part.fromText("What is two plus two?")).build(),
                Content.builder().role("model").parts(Part.fromText("Four.")).build(),
                Content.builder().role("user").parts(Part.fromText("And times three?")).build()), null);
        Recorded got = fake.take();

        assertThat(count.totalTokens()).contains((int) openAi.lastCount());
        JsonNode sent = JSON.readTree(got.body());
        assertThat(sent.path("model").asText()).isEqualTo("gpt-resp-upstream");
        assertThat(sent.at("/input/1/content/0/type").asText()).isEqualTo("output_text");
    }

    @Test
    void aServerWithoutACounterGivesTheFlaggedEstimateToBothSdks() {
        HttpResponseFor<MessageTokensCount> first = anthropic.messages().withRawResponse().countTokens(
                MessageCountTokensParams.builder().model("local").addUserMessage("word ".repeat(50)).build());
        assertThat(first.headers().values("x-rosetta-token-count")).containsExactly("estimated");
        assertThat(first.parse().inputTokens()).isBetween(50L, 120L);
        assertThat(fake.take().path()).isEqualTo("/compat/v1/responses/input_tokens");

        CountTokensResponse second = gemini.models.countTokens("local", "word ".repeat(50), null);
        assertThat(second.totalTokens()).hasValueSatisfying(n -> assertThat(n).isBetween(50, 120));
        assertThat(fake.pending()).isZero();
    }
}
