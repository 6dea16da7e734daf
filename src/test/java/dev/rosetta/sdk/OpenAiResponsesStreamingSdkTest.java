package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.ChatModel;
import com.openai.models.CustomToolInputFormat;
import com.openai.models.ResponsesModel;
import com.openai.models.responses.CustomTool;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseCustomToolCall;
import com.openai.models.responses.ResponseErrorEvent;
import com.openai.models.responses.ResponseOutputText;
import com.openai.models.responses.ResponseReasoningItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import com.openai.models.responses.Tool;
import dev.rosetta.sdk.StreamGoldens.Call;
import dev.rosetta.sdk.StreamGoldens.Case;
import dev.rosetta.sdk.StreamGoldens.Client;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The official OpenAI SDK's Responses streaming ({@code createStreaming} + {@link ResponseAccumulator})
 * against every provider: Anthropic and Gemini converted live, OpenAI (Responses) relayed. The
 * provider answers with the stream goldens' real wire streams.
 */
class OpenAiResponsesStreamingSdkTest extends SdkAgainstGateway<OpenAIClient> {

    private static final Client CLIENT = Client.OPENAI_RESPONSES;

    OpenAiResponsesStreamingSdkTest() {
        super(SdkAgainstGateway::openAi, OpenAIClient::close);
    }

    @BeforeEach
    void drain() {
        while (fake.pending() > 0) {
            fake.take();
        }
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void plainTextIsAssembledWithStatusUsageIdAndModel(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.PLAIN_TEXT));

        Response r = assemble(hello(up).build());

        assertThat(r.id()).isEqualTo(StreamGoldens.id(CLIENT, up));
        assertThat(modelName(r.model())).isEqualTo(StreamGoldens.model(up));
        assertThat(outputText(r)).isEqualTo("Hello there!");
        assertThat(r.status()).contains(ResponseStatus.COMPLETED);
        assertThat(r.incompleteDetails()).isEmpty();
        assertUsage(r.usage().orElseThrow(), StreamGoldens.tokens(up, Case.PLAIN_TEXT));
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void cachedPromptTokensAreCountedInInputTokens(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.PARALLEL_TOOL_CALLS));

        Response r = assemble(weather(up).build());

        assertUsage(r.usage().orElseThrow(), StreamGoldens.tokens(up, Case.PARALLEL_TOOL_CALLS));
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    static Stream<Arguments> toolCases() {
        return Stream.of(Upstream.values()).flatMap(up ->
                Stream.of(Arguments.of(up, Case.TOOL_CALL), Arguments.of(up, Case.PARALLEL_TOOL_CALLS)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("toolCases")
    void functionCallsAreAssembledWithTheProvidersIdsNamesAndArguments(Upstream up, Case c) {
        fake.answer(StreamGoldens.reply(CLIENT, up, c));

        Response r = assemble(weather(up).build());

        // Responses has no tool-use stop reason: a turn that ends in calls is completed
        assertThat(r.status()).contains(ResponseStatus.COMPLETED);
        assertThat(outputText(r)).isEqualTo(StreamGoldens.text(c));
        List<Call> got = r.output().stream().flatMap(o -> o.functionCall().stream())
                .map(f -> new Call(f.callId(), f.name(), f.arguments())).toList();
        OpenAiChatStreamingSdkTest.assertCalls(got, StreamGoldens.calls(CLIENT, up, c));
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    /**
     * Codex's apply_patch is a freeform (custom) tool: an Anthropic-served model gets a function with one
     * string argument and the grammar in its description, and its call streams back as a custom_tool_call.
     */
    @Test
    void customToolCallFromAnAnthropicModelIsParsedAsACustomToolCall() throws IOException {
        byte[] sse = Files.readAllBytes(Path.of(
                "src/test/resources/golden-stream/openai_responses-from-anthropic/codex_apply_patch/upstream.sse"));
        fake.answer(Reply.stream("text/event-stream", List.of(new FakeUpstream.Step.Write(sse)), true));
        CustomTool applyPatch = CustomTool.builder().name("apply_patch").description("Edit files with a patch.")
                .format(CustomToolInputFormat.ofGrammar(CustomToolInputFormat.Grammar.builder()
                        .syntax(CustomToolInputFormat.Grammar.Syntax.LARK)
                        .definition("start: begin_patch hunk+ end_patch").build()))
                .build();

        Response r = assemble(ResponseCreateParams.builder().model(Upstream.ANTHROPIC.model)
                .input("Add b.py printing hi.").addTool(Tool.ofCustom(applyPatch)).build());

        ResponseCustomToolCall call = r.output().stream().flatMap(o -> o.customToolCall().stream()).findFirst()
                .orElseThrow();
        assertThat(call.name()).isEqualTo("apply_patch");
        assertThat(call.callId()).isEqualTo("toolu_ap2");
        assertThat(call.input()).isEqualTo("*** Begin Patch\n*** Add File: b.py\n+print('hi')\n*** End Patch\n");
        assertThat(outputText(r)).isEqualTo("Adding b.py.");
        JsonNode tool = new ObjectMapper().readTree(fake.take().bodyText()).at("/tools/0");
        assertThat(tool.get("name").asText()).isEqualTo("apply_patch");
        assertThat(tool.at("/input_schema/properties/input/type").asText()).isEqualTo("string");
        assertThat(tool.get("description").asText()).contains("start: begin_patch hunk+ end_patch");
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void thinkingArrivesAsAReasoningItemBeforeTheText(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.THINKING_TEXT));

        Response r = assemble(hello(up).build());

        assertThat(outputText(r)).isEqualTo("Hi!");
        assertThat(r.status()).contains(ResponseStatus.COMPLETED);
        List<ResponseReasoningItem> reasoning = r.output().stream().flatMap(o -> o.reasoning().stream()).toList();
        assertThat(reasoning).isNotEmpty();
        assertThat(reasoning.stream().flatMap(i -> i.summary().stream()).map(ResponseReasoningItem.Summary::text)
                .collect(Collectors.joining())).isEqualTo(StreamGoldens.THINKING);
        assertThat(r.output().get(0).isReasoning()).isTrue();
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void maxTokensStopIsIncompleteWithMaxOutputTokens(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.MAX_TOKENS));

        Response r = assemble(hello(up).build());

        assertThat(outputText(r)).isEqualTo("Once upon a time");
        assertThat(r.status()).contains(ResponseStatus.INCOMPLETE);
        assertThat(r.incompleteDetails().orElseThrow().reason())
                .contains(Response.IncompleteDetails.Reason.MAX_OUTPUT_TOKENS);
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    /*
     * The gateway ends a failed stream with the Responses "error" event carrying the error object
     * nested as the OpenAI API sends it, on which the SDK throws while iterating. A relayed stream's
     * own error event is the provider's: the golden's is the flat documented shape, which the SDK
     * yields as a ResponseErrorEvent, and its accumulator then refuses to make a response of it.
     */

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"ANTHROPIC", "GEMINI"})
    void errorMidStreamRaisesAfterTheTextBeforeIt(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.ERROR_MID_STREAM));
        StringBuilder seen = new StringBuilder();

        assertThatThrownBy(() -> stream(hello(up).build(), seen)).isInstanceOf(SseException.class)
                .hasMessageContaining(StreamGoldens.errorMessage(CLIENT, up));
        assertThat(seen).hasToString("Hello");
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = "OPENAI")
    void relayedErrorMidStreamIsTheProvidersErrorEvent(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.ERROR_MID_STREAM));
        StringBuilder seen = new StringBuilder();

        Streamed s = stream(hello(up).build(), seen);

        assertThat(seen).hasToString("Hello");
        assertThat(s.errors()).singleElement().satisfies(e -> {
            assertThat(e.message()).isEqualTo(StreamGoldens.errorMessage(CLIENT, up));
            assertThat(e.code()).contains("server_error");
        });
        assertThat(s.failure()).isInstanceOf(IllegalStateException.class);
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void cutConnectionRaisesNeverATruncatedSuccess(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.CUT_CONNECTION));
        StringBuilder seen = new StringBuilder();

        // Relayed or converted, the stream ends with the gateway's error event, which the SDK throws on.
        assertThatThrownBy(() -> stream(hello(up).build(), seen))
                .isInstanceOf(SseException.class).hasMessageContaining("closed the connection mid-response");
        assertThat(seen).hasToString("Hello th");
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    /** Relayed (OpenAI) or converted: an error as the first event is no answer yet, so it is the HTTP status. */
    @ParameterizedTest
    @EnumSource(Upstream.class)
    void errorBeforeTheFirstEventIsAnHttpErrorWithItsStatus(Upstream up) {
        fake.answer(StreamGoldens.errorFirst(CLIENT, up));

        assertThatThrownBy(() -> stream(hello(up).build(), new StringBuilder()))
                .isInstanceOfSatisfying(InternalServerException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(StreamGoldens.errorStatus(up));
                    assertThat(e.getMessage()).contains(StreamGoldens.errorMessage(CLIENT, up));
                });
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    static Stream<Arguments> httpErrors() {
        return Stream.concat(Stream.of(Upstream.values()).map(up -> Arguments.of(up, 429)),
                Stream.of(Arguments.of(Upstream.ANTHROPIC, 529)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("httpErrors")
    void httpErrorRaisesTheTypedExceptionWithItsStatus(Upstream up, int status) {
        String message = "upstream says " + status;
        fake.answer(Reply.json(status, up.error(status, message)));

        assertThatThrownBy(() -> stream(hello(up).build(), new StringBuilder()))
                .isInstanceOf(status == 429 ? RateLimitException.class : InternalServerException.class)
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(status);
                    assertThat(e.getMessage()).contains(message);
                });
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void firstDeltaReachesTheSdkBeforeTheProviderSendsMore(Upstream up) throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        fake.answer(StreamGoldens.live(CLIENT, up, gate));
        CountDownLatch firstDelta = new CountDownLatch(1);
        StringBuilder seen = new StringBuilder();
        CompletableFuture<Response> done = CompletableFuture.supplyAsync(() -> {
            ResponseAccumulator acc = ResponseAccumulator.create();
            try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(hello(up).build())) {
                Iterator<ResponseStreamEvent> it = s.stream().iterator();
                while (it.hasNext()) {
                    acc.accumulate(it.next()).outputTextDelta().ifPresent(d -> seen.append(d.delta()));
                    if (seen.toString().contains("Hello")) {
                        firstDelta.countDown();
                    }
                }
            }
            return acc.response();
        });
        try {
            assertThat(firstDelta.await(10, TimeUnit.SECONDS)).as("first delta before the gate opened").isTrue();
            assertThat(done).isNotDone();
        } finally {
            gate.complete(null);
        }
        assertThat(outputText(done.get(10, TimeUnit.SECONDS))).isEqualTo("Hello there!");
    }

    private Response assemble(ResponseCreateParams params) {
        ResponseAccumulator acc = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.response();
    }

    /** The error events a stream yielded, and what its accumulator raised when asked for the response. */
    record Streamed(List<ResponseErrorEvent> errors, Throwable failure) {
    }

    /** Streams and accumulates, collecting the text seen until the stream ends or raises. */
    private Streamed stream(ResponseCreateParams params, StringBuilder seen) {
        ResponseAccumulator acc = ResponseAccumulator.create();
        List<ResponseErrorEvent> errors = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(params)) {
            s.stream().map(acc::accumulate).forEach(e -> {
                e.outputTextDelta().ifPresent(d -> seen.append(d.delta()));
                e.error().ifPresent(errors::add);
            });
        }
        try {
            acc.response();
            return new Streamed(errors, null);
        } catch (RuntimeException e) {
            return new Streamed(errors, e);
        }
    }

    private static void assertUsage(ResponseUsage usage, StreamGoldens.Tokens t) {
        assertThat(usage.inputTokens()).isEqualTo(t.prompt());
        assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(t.cacheRead());
        assertThat(usage.outputTokens()).isEqualTo(t.output());
        assertThat(usage.outputTokensDetails().reasoningTokens()).isEqualTo(t.thoughts());
        assertThat(usage.totalTokens()).isEqualTo(t.total());
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

    private static ResponseCreateParams.Builder hello(Upstream up) {
        return ResponseCreateParams.builder().model(up.model).input("Say hello.").maxOutputTokens(100);
    }

    private static ResponseCreateParams.Builder weather(Upstream up) {
        return ResponseCreateParams.builder().model(up.model).input("Weather and time in Paris?").maxOutputTokens(300)
                .addTool(tool("get_weather", "city")).addTool(tool("get_time", "tz"));
    }

    private static FunctionTool tool(String name, String param) {
        return FunctionTool.builder().name(name).strict(false).parameters(FunctionTool.Parameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of(param, Map.of("type", "string"))))
                .build()).build();
    }
}
