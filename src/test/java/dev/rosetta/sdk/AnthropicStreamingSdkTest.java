package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.ObjectMappers;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.SseException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.messages.ThinkingBlock;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.Usage;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rosetta.sdk.StreamGoldens.Call;
import dev.rosetta.sdk.StreamGoldens.Case;
import dev.rosetta.sdk.StreamGoldens.Client;
import dev.rosetta.testing.FakeUpstream.Reply;
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
 * The official Anthropic SDK's streaming ({@code createStreaming} + {@link MessageAccumulator}) against
 * every provider: OpenAI (Chat Completions) and Gemini converted live, Anthropic relayed. The provider
 * answers with the stream goldens' real wire streams.
 */
class AnthropicStreamingSdkTest extends SdkAgainstGateway<AnthropicClient> {

    private static final Client CLIENT = Client.ANTHROPIC;

    AnthropicStreamingSdkTest() {
        super(SdkAgainstGateway::anthropic, AnthropicClient::close);
    }

    @BeforeEach
    void drain() {
        while (fake.pending() > 0) {
            fake.take();
        }
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void plainTextIsAssembledWithStopReasonUsageIdAndModel(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.PLAIN_TEXT));

        Message m = assemble(hello(up).build());

        assertThat(m.id()).isEqualTo(StreamGoldens.id(CLIENT, up));
        assertThat(m.model().asString()).isEqualTo(StreamGoldens.model(up));
        assertThat(text(m)).isEqualTo("Hello there!");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertUsage(m.usage(), StreamGoldens.tokens(up, Case.PLAIN_TEXT));
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void cachedPromptTokensAreApartFromInputTokens(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.PARALLEL_TOOL_CALLS));

        Message m = assemble(weather(up).build());

        assertUsage(m.usage(), StreamGoldens.tokens(up, Case.PARALLEL_TOOL_CALLS));
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    static Stream<Arguments> toolCases() {
        return Stream.of(Upstream.values()).flatMap(up ->
                Stream.of(Arguments.of(up, Case.TOOL_CALL), Arguments.of(up, Case.PARALLEL_TOOL_CALLS)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("toolCases")
    void toolUsesAreAssembledWithTheProvidersIdsNamesAndInput(Upstream up, Case c) {
        fake.answer(StreamGoldens.reply(CLIENT, up, c));

        Message m = assemble(weather(up).build());

        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(text(m)).isEqualTo(StreamGoldens.text(c));
        List<Call> got = m.content().stream().flatMap(b -> b.toolUse().stream())
                .map(t -> new Call(t.id(), t.name(), json(t._input()))).toList();
        OpenAiChatStreamingSdkTest.assertCalls(got, StreamGoldens.calls(CLIENT, up, c));
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void thinkingArrivesAsThinkingBlocksBeforeTheText(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.THINKING_TEXT));

        Message m = assemble(hello(up).build());

        List<ThinkingBlock> thinking = m.content().stream().flatMap(b -> b.thinking().stream()).toList();
        assertThat(thinking).hasSize(1);
        assertThat(thinking.get(0).thinking()).isEqualTo(StreamGoldens.THINKING);
        assertThat(m.content().get(0).isThinking()).isTrue();
        assertThat(text(m)).isEqualTo("Hi!");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        if (up == Upstream.ANTHROPIC) {
            assertThat(thinking.get(0).signature()).isEqualTo("EqQBCkgIARABGAIiQ");
            assertThat(m.content()).filteredOn(ContentBlock::isRedactedThinking).singleElement()
                    .satisfies(b -> assertThat(b.asRedactedThinking().data()).isEqualTo("EmwKAhgBEgy3va"));
        }
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void maxTokensStopIsMaxTokens(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.MAX_TOKENS));

        Message m = assemble(hello(up).build());

        assertThat(text(m)).isEqualTo("Once upon a time");
        assertThat(m.stopReason()).contains(StopReason.MAX_TOKENS);
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

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "GEMINI"})
    void errorBeforeTheFirstEventIsAnHttpErrorWithItsStatus(Upstream up) {
        fake.answer(StreamGoldens.errorFirst(CLIENT, up));

        assertThatThrownBy(() -> stream(hello(up).build(), new StringBuilder()))
                .isInstanceOfSatisfying(InternalServerException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(StreamGoldens.errorStatus(up));
                    assertThat(e.getMessage()).contains(StreamGoldens.errorMessage(CLIENT, up));
                });
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = "ANTHROPIC")
    void relayedErrorBeforeTheFirstEventBecomesItsHttpStatus(Upstream up) {
        // An error as the stream's first event is no answer yet: the SDK gets it as the HTTP status its own
        // retry acts on (529 overloaded), not as a 200 stream that raises mid-read.
        fake.answer(StreamGoldens.errorFirst(CLIENT, up));

        assertThatThrownBy(() -> stream(hello(up).build(), new StringBuilder()))
                .isInstanceOfSatisfying(OverloadedException.class, e -> assertThat(e.statusCode()).isEqualTo(529))
                .hasMessageContaining(StreamGoldens.errorMessage(CLIENT, up));
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
                .isInstanceOf(status == 429 ? RateLimitException.class : OverloadedException.class)
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> {
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
        CompletableFuture<Message> done = CompletableFuture.supplyAsync(() -> {
            MessageAccumulator acc = MessageAccumulator.create();
            try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(hello(up).build())) {
                Iterator<RawMessageStreamEvent> it = s.stream().iterator();
                while (it.hasNext()) {
                    deltaText(acc.accumulate(it.next()), seen);
                    if (seen.toString().contains("Hello")) {
                        firstDelta.countDown();
                    }
                }
            }
            return acc.message();
        });
        try {
            assertThat(firstDelta.await(10, TimeUnit.SECONDS)).as("first delta before the gate opened").isTrue();
            assertThat(done).isNotDone();
        } finally {
            gate.complete(null);
        }
        assertThat(text(done.get(10, TimeUnit.SECONDS))).isEqualTo("Hello there!");
    }

    private Message assemble(MessageCreateParams params) {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.message();
    }

    /** Streams and accumulates, collecting the text seen until the stream ends or raises. */
    private void stream(MessageCreateParams params, StringBuilder seen) {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(params)) {
            s.stream().map(acc::accumulate).forEach(e -> deltaText(e, seen));
        }
        acc.message();
    }

    private static void deltaText(RawMessageStreamEvent e, StringBuilder seen) {
        e.contentBlockDelta().flatMap(d -> d.delta().text()).ifPresent(t -> seen.append(t.text()));
    }

    private static String text(Message m) {
        StringBuilder sb = new StringBuilder();
        m.content().forEach(b -> b.text().map(TextBlock::text).ifPresent(sb::append));
        return sb.toString();
    }

    private static void assertUsage(Usage usage, StreamGoldens.Tokens t) {
        assertThat(usage.inputTokens()).isEqualTo(t.uncachedPrompt());
        assertThat(usage.cacheReadInputTokens().orElse(0L)).isEqualTo(t.cacheRead());
        assertThat(usage.cacheCreationInputTokens().orElse(0L)).isEqualTo(t.cacheWrite());
        assertThat(usage.outputTokens()).isEqualTo(t.output());
    }

    private static String json(JsonValue v) {
        try {
            return ObjectMappers.jsonMapper().writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static MessageCreateParams.Builder hello(Upstream up) {
        return MessageCreateParams.builder().model(up.model).maxTokens(100).addUserMessage("Say hello.");
    }

    private static MessageCreateParams.Builder weather(Upstream up) {
        return MessageCreateParams.builder().model(up.model).maxTokens(300).addUserMessage("Weather and time in Paris?")
                .addTool(tool("get_weather", "city")).addTool(tool("get_time", "tz"));
    }

    private static Tool tool(String name, String param) {
        return Tool.builder().name(name).inputSchema(Tool.InputSchema.builder()
                .properties(Tool.InputSchema.Properties.builder()
                        .putAdditionalProperty(param, JsonValue.from(Map.of("type", "string"))).build())
                .build()).build();
    }
}
