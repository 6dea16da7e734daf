package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletion.Choice.FinishReason;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.rosetta.sdk.StreamGoldens.Call;
import dev.rosetta.sdk.StreamGoldens.Case;
import dev.rosetta.sdk.StreamGoldens.Client;
import dev.rosetta.testing.FakeUpstream.Reply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The official OpenAI SDK's Chat Completions streaming ({@code createStreaming} +
 * {@link ChatCompletionAccumulator}) against every provider: Anthropic and Gemini converted live, OpenAI
 * relayed. The provider answers with the stream goldens' real wire streams.
 */
class OpenAiChatStreamingSdkTest extends SdkAgainstGateway<OpenAIClient> {

    private static final Client CLIENT = Client.OPENAI_CHAT;

    OpenAiChatStreamingSdkTest() {
        super(SdkAgainstGateway::openAi, OpenAIClient::close);
    }

    @BeforeEach
    void drain() {
        while (fake.pending() > 0) {
            fake.take();
        }
    }

    static Stream<Arguments> withAndWithoutUsage() {
        return Stream.of(Upstream.values()).flatMap(up -> Stream.of(Arguments.of(up, true), Arguments.of(up, false)));
    }

    @ParameterizedTest(name = "{0} include_usage={1}")
    @MethodSource("withAndWithoutUsage")
    void plainTextIsAssembledWithStopReasonUsageIdAndModel(Upstream up, boolean includeUsage) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.PLAIN_TEXT));
        ChatCompletionCreateParams.Builder params = hello(up);
        if (includeUsage) {
            params.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        }

        ChatCompletion c = assemble(params.build());

        assertThat(c.id()).isEqualTo(StreamGoldens.id(CLIENT, up));
        assertThat(c.model()).isEqualTo(StreamGoldens.model(up));
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).message().content()).contains("Hello there!");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(FinishReason.STOP);
        JsonNode sent = StreamGoldens.takeStreamRequest(fake, CLIENT, up);
        if (includeUsage) {
            assertUsage(c.usage().orElseThrow(), StreamGoldens.tokens(up, Case.PLAIN_TEXT));
        } else if (up != Upstream.OPENAI) {
            // a relay passes on whatever the provider sends; a conversion honours the request
            assertThat(c.usage()).isEmpty();
        } else {
            assertThat(sent.has("stream_options")).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void cachedPromptTokensAreCountedInPromptTokens(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.PARALLEL_TOOL_CALLS));

        ChatCompletion c = assemble(weather(up).streamOptions(ChatCompletionStreamOptions.builder()
                .includeUsage(true).build()).build());

        assertUsage(c.usage().orElseThrow(), StreamGoldens.tokens(up, Case.PARALLEL_TOOL_CALLS));
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    static Stream<Arguments> toolCases() {
        return Stream.of(Upstream.values()).flatMap(up ->
                Stream.of(Arguments.of(up, Case.TOOL_CALL), Arguments.of(up, Case.PARALLEL_TOOL_CALLS)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("toolCases")
    void toolCallsAreAssembledWithTheProvidersIdsNamesAndArguments(Upstream up, Case c) {
        fake.answer(StreamGoldens.reply(CLIENT, up, c));

        ChatCompletion completion = assemble(weather(up).build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(choice.message().content().orElse("")).isEqualTo(StreamGoldens.text(c));
        List<Call> got = new ArrayList<>();
        for (var tc : choice.message().toolCalls().orElseThrow()) {
            ChatCompletionMessageFunctionToolCall f = tc.asFunction();
            got.add(new Call(f.id(), f.function().name(), f.function().arguments()));
        }
        assertCalls(got, StreamGoldens.calls(CLIENT, up, c));
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void thinkingThenTextLeavesTheTextRight(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.THINKING_TEXT));

        ChatCompletion c = assemble(hello(up).build());

        assertThat(c.choices().get(0).message().content()).contains("Hi!");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(FinishReason.STOP);
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void maxTokensStopIsLength(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.MAX_TOKENS));

        ChatCompletion c = assemble(hello(up).build());

        assertThat(c.choices().get(0).message().content()).contains("Once upon a time");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(FinishReason.LENGTH);
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void errorMidStreamRaisesAfterTheTextBeforeIt(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.ERROR_MID_STREAM));
        StringBuilder seen = new StringBuilder();

        assertThatThrownBy(() -> stream(hello(up).build(), seen))
                .isInstanceOf(SseException.class)
                .hasMessageContaining(StreamGoldens.errorMessage(CLIENT, up));
        assertThat(seen).hasToString("Hello");
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void cutConnectionRaisesNeverATruncatedSuccess(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.CUT_CONNECTION));
        StringBuilder seen = new StringBuilder();

        // Relayed or converted, the client never gets half an event: the stream ends with the
        // gateway's error event, which the SDK raises with its message.
        assertThatThrownBy(() -> stream(hello(up).build(), seen)).isInstanceOf(SseException.class)
                .hasMessageContaining("closed the connection mid-response");
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
        CompletableFuture<ChatCompletion> done = CompletableFuture.supplyAsync(() -> {
            ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(hello(up).build())) {
                Iterator<ChatCompletionChunk> it = s.stream().iterator();
                while (it.hasNext()) {
                    ChatCompletionChunk chunk = acc.accumulate(it.next());
                    chunk.choices().forEach(ch -> ch.delta().content().ifPresent(seen::append));
                    if (seen.toString().contains("Hello")) {
                        firstDelta.countDown();
                    }
                }
            }
            return acc.chatCompletion();
        });
        try {
            assertThat(firstDelta.await(10, TimeUnit.SECONDS)).as("first delta before the gate opened").isTrue();
            assertThat(done).isNotDone();
        } finally {
            gate.complete(null);
        }
        assertThat(done.get(10, TimeUnit.SECONDS).choices().get(0).message().content()).contains("Hello there!");
    }

    private ChatCompletion assemble(ChatCompletionCreateParams params) {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.chatCompletion();
    }

    /** Streams and accumulates, collecting the text seen until the stream ends or raises. */
    private void stream(ChatCompletionCreateParams params, StringBuilder seen) {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().map(acc::accumulate).forEach(chunk ->
                    chunk.choices().forEach(ch -> ch.delta().content().ifPresent(seen::append)));
        }
        acc.chatCompletion();
    }

    private static void assertUsage(CompletionUsage usage, StreamGoldens.Tokens t) {
        assertThat(usage.promptTokens()).isEqualTo(t.prompt());
        assertThat(usage.promptTokensDetails().flatMap(d -> d.cachedTokens()).orElse(0L)).isEqualTo(t.cacheRead());
        assertThat(usage.completionTokens()).isEqualTo(t.output());
        assertThat(usage.totalTokens()).isEqualTo(t.total());
    }

    static void assertCalls(List<Call> got, List<Call> expected) {
        assertThat(got).extracting(Call::name).containsExactlyElementsOf(expected.stream().map(Call::name).toList());
        for (int i = 0; i < expected.size(); i++) {
            Call want = expected.get(i);
            assertThat(got.get(i).arguments()).as("arguments of %s", want.name()).isEqualTo(want.arguments());
            if (want.id().isEmpty()) {
                assertThat(got.get(i).id()).as("made-up id of %s", want.name()).isNotBlank();
            } else {
                assertThat(got.get(i).id()).isEqualTo(want.id());
            }
        }
        assertThat(got).extracting(Call::id).doesNotHaveDuplicates();
    }

    private static ChatCompletionCreateParams.Builder hello(Upstream up) {
        return ChatCompletionCreateParams.builder().model(up.model).addUserMessage("Say hello.").maxCompletionTokens(100);
    }

    private static ChatCompletionCreateParams.Builder weather(Upstream up) {
        return ChatCompletionCreateParams.builder().model(up.model).addUserMessage("Weather and time in Paris?")
                .maxCompletionTokens(300).addFunctionTool(tool("get_weather", "city")).addFunctionTool(tool("get_time", "tz"));
    }

    private static FunctionDefinition tool(String name, String param) {
        return FunctionDefinition.builder().name(name).parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of(param, Map.of("type", "string"))))
                .build()).build();
    }
}
