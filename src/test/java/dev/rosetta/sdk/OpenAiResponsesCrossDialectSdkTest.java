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
import com.openai.models.ChatModel;
import com.openai.models.ResponsesModel;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseOutputText;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseUsage;
import dev.rosetta.testing.FakeUpstream.Reply;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The official OpenAI SDK's Responses API client against models served by Anthropic and Gemini. */
class OpenAiResponsesCrossDialectSdkTest extends SdkAgainstGateway<OpenAIClient> {

    OpenAiResponsesCrossDialectSdkTest() {
        super(SdkAgainstGateway::openAi, OpenAIClient::close);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"ANTHROPIC", "GEMINI"})
    void plainTextReadsTextStatusUsageIdAndModel(Upstream up) {
        up.answer(fake, up.textAnswer());

        Response r = client.responses().create(ResponseCreateParams.builder()
                .model(up.model).input("Say hello.").maxOutputTokens(100).build());

        Upstream.TextFacts facts = up.text();
        assertThat(r.id()).isEqualTo(facts.id());
        assertThat(modelName(r.model())).isEqualTo(facts.model());
        assertThat(outputText(r)).isEqualTo("Hello!");
        assertThat(r.status()).contains(ResponseStatus.COMPLETED);
        assertThat(r.incompleteDetails()).isEmpty();
        ResponseUsage usage = r.usage().orElseThrow();
        assertThat(usage.inputTokens()).isEqualTo(facts.promptTokens());
        assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(facts.cachedTokens());
        assertThat(usage.outputTokens()).isEqualTo(facts.outputTokens());
        assertThat(usage.totalTokens()).isEqualTo(facts.promptTokens() + facts.outputTokens());

        JsonNode sent = up.take(fake);
        assertThat(sent.toString()).contains("Say hello.");
        assertThat(OpenAiChatCrossDialectSdkTest.maxTokens(up, sent)).isEqualTo(100);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"ANTHROPIC", "GEMINI"})
    void functionCallAndFunctionCallOutputRoundTrip(Upstream up) {
        up.answer(fake, up.toolCallAnswer());
        EasyInputMessage question = EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
                .content("Weather in Paris?").build();

        Response r = client.responses().create(ResponseCreateParams.builder().model(up.model)
                .inputOfResponse(List.of(ResponseInputItem.ofEasyInputMessage(question)))
                .addTool(weatherTool()).maxOutputTokens(300).build());

        assertThat(r.status()).contains(ResponseStatus.COMPLETED);
        List<ResponseFunctionToolCall> calls = r.output().stream().flatMap(o -> o.functionCall().stream()).toList();
        assertThat(calls).hasSize(1);
        ResponseFunctionToolCall call = calls.get(0);
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(Upstream.readJson(call.arguments())).isEqualTo(Upstream.readJson("{\"city\":\"Paris\"}"));
        up.toolCallId().ifPresentOrElse(id -> assertThat(call.callId()).isEqualTo(id),
                () -> assertThat(call.callId()).isNotBlank());
        JsonNode sent = up.take(fake);
        assertThat(OpenAiChatCrossDialectSdkTest.toolNames(up, sent)).containsExactly("get_weather");

        up.answer(fake, up.textAnswer());
        List<ResponseInputItem> history = new java.util.ArrayList<>();
        history.add(ResponseInputItem.ofEasyInputMessage(question));
        for (ResponseOutputItem item : r.output()) {
            item.functionCall().ifPresent(c -> history.add(ResponseInputItem.ofFunctionCall(c)));
        }
        history.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                .callId(call.callId()).output("{\"temp\":21}").build()));
        Response second = client.responses().create(ResponseCreateParams.builder().model(up.model)
                .inputOfResponse(history).addTool(weatherTool()).maxOutputTokens(300).build());

        assertThat(outputText(second)).isEqualTo("Hello!");
        up.assertToolResult(up.take(fake), call.callId(), "21");
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"ANTHROPIC", "GEMINI"})
    void maxTokensStopIsIncompleteWithMaxOutputTokens(Upstream up) {
        up.answer(fake, up.maxTokensAnswer());

        Response r = client.responses().create(ResponseCreateParams.builder()
                .model(up.model).input("Prove it.").maxOutputTokens(100).build());

        assertThat(r.status()).contains(ResponseStatus.INCOMPLETE);
        assertThat(r.incompleteDetails().orElseThrow().reason())
                .contains(Response.IncompleteDetails.Reason.MAX_OUTPUT_TOKENS);
        assertThat(outputText(r)).isEqualTo("Proof: by induc");
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
        assertThatThrownBy(() -> client.responses().create(ResponseCreateParams.builder()
                .model(up.model).input("Say hello.").build()))
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
    void previousResponseIdIsA400NamingTheField(Upstream up) {
        fake.answer(Reply.json(200, up.textAnswer()));

        assertThatThrownBy(() -> client.responses().create(ResponseCreateParams.builder().model(up.model)
                .input("And then?").previousResponseId("resp_123").build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.param()).contains("$.previous_response_id");
                    assertThat(e.getMessage()).contains("previous_response_id");
                });
        assertThat(fake.pending()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"ANTHROPIC", "GEMINI"})
    void droppedHarmlessFieldsAreListedInTheHeader(Upstream up) {
        up.answer(fake, up.textAnswer());

        HttpResponseFor<Response> raw = client.responses().withRawResponse().create(ResponseCreateParams.builder()
                .model(up.model).input("Say hello.").store(false).build());

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().values("x-rosetta-dropped")).containsExactly("store");
        assertThat(outputText(raw.parse())).isEqualTo("Hello!");
        assertThat(up.take(fake).has("store")).isFalse();

        up.answer(fake, up.textAnswer());
        HttpResponseFor<Response> clean = client.responses().withRawResponse().create(ResponseCreateParams.builder()
                .model(up.model).input("Say hello.").build());
        assertThat(clean.headers().values("x-rosetta-dropped")).isEmpty();
        up.take(fake);
    }

    private static FunctionTool weatherTool() {
        return FunctionTool.builder().name("get_weather").description("Current weather").strict(false)
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .build();
    }

    private static String outputText(Response r) {
        return r.output().stream().flatMap(o -> o.message().stream())
                .flatMap(m -> m.content().stream()).flatMap(c -> c.outputText().stream())
                .map(ResponseOutputText::text).collect(Collectors.joining());
    }

    private static String modelName(ResponsesModel m) {
        return m.string().or(() -> m.chat().map(ChatModel::asString))
                .or(() -> m.only().map(o -> o.asString())).orElseThrow();
    }
}
