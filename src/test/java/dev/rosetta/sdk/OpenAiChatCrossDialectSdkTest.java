package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletion.Choice.FinishReason;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.ChatCompletionUserMessageParam;
import com.openai.models.completions.CompletionUsage;
import dev.rosetta.testing.FakeUpstream.Reply;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The official OpenAI SDK's Chat Completions client against models served by Anthropic and Gemini. */
class OpenAiChatCrossDialectSdkTest extends SdkAgainstGateway<OpenAIClient> {

    OpenAiChatCrossDialectSdkTest() {
        super(SdkAgainstGateway::openAi, OpenAIClient::close);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"ANTHROPIC", "GEMINI"})
    void plainTextReadsTextStopReasonUsageIdAndModel(Upstream up) {
        up.answer(fake, up.textAnswer());

        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(up.model).addUserMessage("Say hello.").maxCompletionTokens(100).build());

        Upstream.TextFacts facts = up.text();
        assertThat(c.id()).isEqualTo(facts.id());
        assertThat(c.model()).isEqualTo(facts.model());
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).message().content()).contains("Hello!");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(FinishReason.STOP);
        CompletionUsage usage = c.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(facts.promptTokens());
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(facts.cachedTokens());
        assertThat(usage.completionTokens()).isEqualTo(facts.outputTokens());
        assertThat(usage.totalTokens()).isEqualTo(facts.promptTokens() + facts.outputTokens());

        JsonNode sent = up.take(fake);
        assertThat(sent.toString()).contains("Say hello.");
        assertThat(maxTokens(up, sent)).isEqualTo(100);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"ANTHROPIC", "GEMINI"})
    void toolCallAndToolResultRoundTrip(Upstream up) {
        up.answer(fake, up.toolCallAnswer());
        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder().model(up.model)
                .addUserMessage("Weather in Paris?").addFunctionTool(weatherTool()).maxCompletionTokens(300).build();

        ChatCompletion c = client.chat().completions().create(first);

        ChatCompletion.Choice choice = c.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(Upstream.readJson(call.function().arguments())).isEqualTo(Upstream.readJson("{\"city\":\"Paris\"}"));
        up.toolCallId().ifPresentOrElse(id -> assertThat(call.id()).isEqualTo(id),
                () -> assertThat(call.id()).isNotBlank());
        JsonNode sent = up.take(fake);
        assertThat(toolNames(up, sent)).containsExactly("get_weather");

        up.answer(fake, up.textAnswer());
        ChatCompletion second = client.chat().completions().create(first.toBuilder()
                .addMessage(choice.message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("{\"temp\":21}").build())
                .build());

        assertThat(second.choices().get(0).message().content()).contains("Hello!");
        up.assertToolResult(up.take(fake), call.id(), "21");
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"ANTHROPIC", "GEMINI"})
    void maxTokensStopIsLength(Upstream up) {
        up.answer(fake, up.maxTokensAnswer());

        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(up.model).addUserMessage("Prove it.").maxCompletionTokens(100).build());

        assertThat(c.choices().get(0).finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(c.choices().get(0).message().content()).contains("Proof: by induc");
        up.take(fake);
    }

    static Stream<Arguments> upstreamErrors() {
        return Stream.of(Upstream.ANTHROPIC, Upstream.GEMINI).flatMap(up -> Stream.concat(
                Stream.of(400, 401, 429, 500, 503).map(s -> Arguments.of(up, s)),
                up == Upstream.ANTHROPIC ? Stream.of(Arguments.of(up, 529)) : Stream.empty()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("upstreamErrors")
    void upstreamErrorRaisesTheSdksTypedException(Upstream up, int status) {
        String message = "upstream says " + status;
        fake.answer(Reply.json(status, up.error(status, message), status == 429 ? Map.of("retry-after", "7") : Map.of()));

        Class<? extends OpenAIServiceException> expected = switch (status) {
            case 400 -> BadRequestException.class;
            case 401 -> UnauthorizedException.class;
            case 429 -> RateLimitException.class;
            default -> InternalServerException.class;
        };
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(up.model).addUserMessage("Say hello.").build()))
                .isInstanceOfSatisfying(expected, e -> {
                    assertThat(e.statusCode()).isEqualTo(status);
                    assertThat(e.getMessage()).contains(message);
                    if (status == 429) {
                        assertThat(e.headers().values("retry-after")).containsExactly("7");
                    }
                });
        up.take(fake);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"ANTHROPIC", "GEMINI"})
    void requestTheProviderCannotExpressIsA400NamingTheField(Upstream up) {
        fake.answer(Reply.json(200, up.textAnswer()));
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model(up.model);
        String field;
        String says;
        if (up == Upstream.ANTHROPIC) {
            params.addUserMessage("Say hello.").n(2);
            field = "$.n";
            says = "n must be 1";
        } else {
            params.addMessage(ChatCompletionUserMessageParam.builder().contentOfArrayOfContentParts(List.of(
                    ChatCompletionContentPart.ofFile(ChatCompletionContentPart.File.builder()
                            .file(ChatCompletionContentPart.File.FileObject.builder().fileId("file-abc").build())
                            .build()))).build());
            field = "$.messages[0].content[0]";
            says = "file ids";
        }

        assertThatThrownBy(() -> client.chat().completions().create(params.build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains(says);
                    assertThat(e.param()).isPresent();
                    if (up == Upstream.ANTHROPIC) {
                        assertThat(e.param()).contains(field);
                    }
                });
        assertThat(fake.pending()).isZero();
    }

    @Test
    void contentTheProviderCannotExpressIsNamedByItsPathInTheClientRequest() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(Upstream.GEMINI.model).addMessage(ChatCompletionUserMessageParam.builder()
                        .contentOfArrayOfContentParts(List.of(ChatCompletionContentPart.ofFile(
                                ChatCompletionContentPart.File.builder().file(ChatCompletionContentPart.File.FileObject
                                        .builder().fileId("file-abc").build()).build()))).build()).build()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.param()).contains("$.messages[0].content[0]"));
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"ANTHROPIC", "GEMINI"})
    void droppedHarmlessFieldsAreListedInTheHeader(Upstream up) {
        up.answer(fake, up.textAnswer());
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder().model(up.model)
                .addUserMessage("Say hello.");
        String field = up == Upstream.ANTHROPIC ? "seed" : "user";
        if (up == Upstream.ANTHROPIC) {
            params.seed(42);
        } else {
            params.user("user-1");
        }

        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(params.build());

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().values("x-rosetta-dropped")).containsExactly(field);
        assertThat(raw.parse().choices().get(0).message().content()).contains("Hello!");
        assertThat(up.take(fake).toString()).doesNotContain("user-1").doesNotContain("\"seed\"");

        up.answer(fake, up.textAnswer());
        HttpResponseFor<ChatCompletion> clean = client.chat().completions().withRawResponse().create(
                ChatCompletionCreateParams.builder().model(up.model).addUserMessage("Say hello.").build());
        assertThat(clean.headers().values("x-rosetta-dropped")).isEmpty();
        up.take(fake);
    }

    private static FunctionDefinition weatherTool() {
        return FunctionDefinition.builder().name("get_weather").description("Current weather")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .build();
    }

    static int maxTokens(Upstream up, JsonNode sent) {
        return switch (up) {
            case OPENAI -> sent.path("max_completion_tokens").asInt(sent.path("max_tokens").asInt());
            case ANTHROPIC -> sent.get("max_tokens").asInt();
            case GEMINI -> sent.get("generationConfig").get("maxOutputTokens").asInt();
        };
    }

    static List<String> toolNames(Upstream up, JsonNode sent) {
        List<String> names = new java.util.ArrayList<>();
        switch (up) {
            case OPENAI -> sent.get("tools").forEach(t -> names.add(t.get("function").get("name").asText()));
            case ANTHROPIC -> sent.get("tools").forEach(t -> {
                assertThat(t.get("input_schema").get("type").asText()).isEqualTo("object");
                names.add(t.get("name").asText());
            });
            case GEMINI -> sent.get("tools").get(0).get("functionDeclarations")
                    .forEach(t -> names.add(t.get("name").asText()));
        }
        return names;
    }
}
