package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.ServiceUnavailableException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.FileImageSource;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.SystemMessageParam;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.UrlPdfSource;
import com.anthropic.models.messages.Usage;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.testing.FakeUpstream.Reply;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The official Anthropic SDK against models served by OpenAI (Chat Completions) and Gemini. */
class AnthropicCrossDialectSdkTest extends SdkAgainstGateway<AnthropicClient> {

    AnthropicCrossDialectSdkTest() {
        super(SdkAgainstGateway::anthropic, AnthropicClient::close);
    }

    /**
     * Claude Code (and the Agent SDK) send a {@code role: "system"} message inside {@code messages}: kept in place
     * for OpenAI, folded into the system instruction for Gemini, which has no such message.
     */
    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "GEMINI"})
    void systemMessageMidConversationIsConverted(Upstream up) {
        up.answer(fake, up.textAnswer());

        Message m = client.messages().create(MessageCreateParams.builder().model(up.model).maxTokens(100)
                .system("You are Claude Code.").addUserMessage("Run the tests.")
                .addMessage(SystemMessageParam.builder().content("Plan mode is off.").build())
                .build());

        assertThat(text(m)).isEqualTo("Hello!");
        JsonNode sent = up.take(fake);
        if (up == Upstream.OPENAI) {
            JsonNode messages = sent.get("messages");
            assertThat(messages.get(0).get("role").asText()).isEqualTo("system");
            assertThat(messages.get(1).get("content").asText()).isEqualTo("Run the tests.");
            assertThat(messages.get(2).get("role").asText()).isEqualTo("system");
            assertThat(messages.get(2).get("content").asText()).isEqualTo("Plan mode is off.");
        } else {
            assertThat(sent.at("/systemInstruction/parts/0/text").asText())
                    .isEqualTo("You are Claude Code.\n\nPlan mode is off.");
            assertThat(sent.get("contents")).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "GEMINI"})
    void plainTextReadsTextStopReasonUsageIdAndModel(Upstream up) {
        up.answer(fake, up.textAnswer());

        Message m = client.messages().create(MessageCreateParams.builder()
                .model(up.model).maxTokens(100).addUserMessage("Say hello.").build());

        Upstream.TextFacts facts = up.text();
        assertThat(m.id()).isEqualTo(facts.id());
        assertThat(m.model().asString()).isEqualTo(facts.model());
        assertThat(text(m)).isEqualTo("Hello!");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        Usage usage = m.usage();
        // Anthropic's input_tokens leaves out the tokens read from the cache
        assertThat(usage.inputTokens()).isEqualTo(facts.uncachedPromptTokens());
        assertThat(usage.cacheReadInputTokens()).contains(facts.cachedTokens());
        assertThat(usage.outputTokens()).isEqualTo(facts.outputTokens());

        JsonNode sent = up.take(fake);
        assertThat(sent.toString()).contains("Say hello.");
        assertThat(OpenAiChatCrossDialectSdkTest.maxTokens(up, sent)).isEqualTo(100);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "GEMINI"})
    void toolUseAndToolResultRoundTrip(Upstream up) {
        up.answer(fake, up.toolCallAnswer());
        MessageCreateParams first = MessageCreateParams.builder().model(up.model).maxTokens(300)
                .addUserMessage("Weather in Paris?").addTool(weatherTool()).build();

        Message m = client.messages().create(first);

        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        List<ToolUseBlock> uses = m.content().stream().flatMap(b -> b.toolUse().stream()).toList();
        assertThat(uses).hasSize(1);
        ToolUseBlock use = uses.get(0);
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use._input()).isEqualTo(JsonValue.from(Map.of("city", "Paris")));
        up.toolCallId().ifPresentOrElse(id -> assertThat(use.id()).isEqualTo(id),
                () -> assertThat(use.id()).isNotBlank());
        JsonNode sent = up.take(fake);
        assertThat(OpenAiChatCrossDialectSdkTest.toolNames(up, sent)).containsExactly("get_weather");

        up.answer(fake, up.textAnswer());
        Message second = client.messages().create(first.toBuilder()
                .addMessage(m)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(
                        ToolResultBlockParam.builder().toolUseId(use.id()).content("{\"temp\":21}").build())))
                .build());

        assertThat(text(second)).isEqualTo("Hello!");
        up.assertToolResult(up.take(fake), use.id(), "21");
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "GEMINI"})
    void maxTokensStopIsMaxTokens(Upstream up) {
        up.answer(fake, up.maxTokensAnswer());

        Message m = client.messages().create(MessageCreateParams.builder()
                .model(up.model).maxTokens(100).addUserMessage("Prove it.").build());

        assertThat(m.stopReason()).contains(StopReason.MAX_TOKENS);
        assertThat(text(m)).isEqualTo("Proof: by induc");
        up.take(fake);
    }

    static Stream<Arguments> upstreamErrors() {
        return Stream.of(Upstream.OPENAI, Upstream.GEMINI).flatMap(up ->
                Stream.of(400, 401, 429, 500, 503).map(s -> Arguments.of(up, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("upstreamErrors")
    void upstreamErrorRaisesTheSdksTypedException(Upstream up, int status) {
        String message = "upstream says " + status;
        fake.answer(Reply.json(status, up.error(status, message), status == 429 ? Map.of("retry-after", "7") : Map.of()));

        Class<? extends AnthropicServiceException> expected = switch (status) {
            case 400 -> BadRequestException.class;
            case 401 -> UnauthorizedException.class;
            case 429 -> RateLimitException.class;
            case 503 -> ServiceUnavailableException.class;
            case 529 -> OverloadedException.class;
            default -> InternalServerException.class;
        };
        assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder()
                .model(up.model).maxTokens(100).addUserMessage("Say hello.").build()))
                .isInstanceOfSatisfying(expected, e -> {
                    assertThat(e.statusCode()).isEqualTo(status);
                    assertThat(e.apiMessage()).contains(message);
                    if (status == 429) {
                        assertThat(e.headers().values("retry-after")).containsExactly("7");
                    }
                });
        up.take(fake);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "GEMINI"})
    void contentTheProviderCannotExpressIsA400NamingTheField(Upstream up) {
        fake.answer(Reply.json(200, up.textAnswer()));
        ContentBlockParam block = up == Upstream.OPENAI
                ? ContentBlockParam.ofDocument(UrlPdfSource.builder().url("http://127.0.0.1:9/a.pdf").build())
                : ContentBlockParam.ofImage(FileImageSource.builder().fileId("file_abc").build());
        String says = up == Upstream.OPENAI ? "internal addresses are not fetched" : "file ids";

        assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model(up.model).maxTokens(100)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofText("Summarize."), block)).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.apiMessage().orElseThrow()).contains(says);
                });
        assertThat(fake.pending()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "GEMINI"})
    void contentTheProviderCannotExpressIsNamedByItsPathInTheClientRequest(Upstream up) {
        fake.answer(Reply.json(200, up.textAnswer()));
        ContentBlockParam block = up == Upstream.OPENAI
                ? ContentBlockParam.ofDocument(UrlPdfSource.builder().url("http://127.0.0.1:9/a.pdf").build())
                : ContentBlockParam.ofImage(FileImageSource.builder().fileId("file_abc").build());
        String says = up == Upstream.OPENAI ? "internal addresses are not fetched" : "file ids";

        assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model(up.model).maxTokens(100)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofText("Summarize."), block)).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.apiMessage().orElseThrow()).contains(says).contains("$.messages[0].content[1]");
                });
        assertThat(fake.pending()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "GEMINI"})
    void droppedHarmlessFieldsAreListedInTheHeader(Upstream up) {
        up.answer(fake, up.textAnswer());

        HttpResponseFor<Message> raw = client.messages().withRawResponse().create(MessageCreateParams.builder()
                .model(up.model).maxTokens(100).addUserMessage("Say hello.")
                .systemOfTextBlockParams(List.of(TextBlockParam.builder().text("Be brief.")
                        .cacheControl(CacheControlEphemeral.builder().build()).build()))
                .build());

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().values("x-rosetta-dropped")).containsExactly("system.cache_control");
        assertThat(text(raw.parse())).isEqualTo("Hello!");
        JsonNode sent = up.take(fake);
        assertThat(sent.toString()).contains("Be brief.").doesNotContain("cache_control").doesNotContain("ephemeral");

        up.answer(fake, up.textAnswer());
        HttpResponseFor<Message> clean = client.messages().withRawResponse().create(MessageCreateParams.builder()
                .model(up.model).maxTokens(100).addUserMessage("Say hello.").build());
        assertThat(clean.headers().values("x-rosetta-dropped")).isEmpty();
        up.take(fake);
    }

    private static Tool weatherTool() {
        return Tool.builder().name("get_weather").description("Current weather")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(Tool.InputSchema.Properties.builder()
                                .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string"))).build())
                        .addRequired("city").build())
                .build();
    }

    private static String text(Message m) {
        return m.content().stream().flatMap(b -> b.text().stream()).map(t -> t.text()).collect(Collectors.joining());
    }
}
