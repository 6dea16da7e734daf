package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ApiException;
import com.google.genai.errors.ClientException;
import com.google.genai.errors.ServerException;
import com.google.genai.types.Candidate;
import com.google.genai.types.FinishReason;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.google.genai.types.Part;
import com.google.genai.types.Schema;
import com.google.genai.types.Tool;
import com.google.genai.types.Type;
import dev.rosetta.sdk.StreamGoldens.Call;
import dev.rosetta.sdk.StreamGoldens.Case;
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
 * The official Google Gen AI SDK's {@code generateContentStream} against every provider: OpenAI (Chat
 * Completions) and Anthropic converted live, Gemini relayed. The SDK has no accumulator, so the test
 * assembles the chunks as an application would. The provider answers with the stream goldens' real
 * wire streams.
 */
class GeminiStreamingSdkTest extends SdkAgainstGateway<Client> {

    private static final StreamGoldens.Client CLIENT = StreamGoldens.Client.GEMINI;

    GeminiStreamingSdkTest() {
        super(SdkAgainstGateway::gemini, Client::close);
    }

    @BeforeEach
    void drain() {
        while (fake.pending() > 0) {
            fake.take();
        }
    }

    /** What an application makes of the chunks: texts, function calls, and the last finish reason and usage. */
    static final class Assembled {
        final StringBuilder text = new StringBuilder();
        final StringBuilder thought = new StringBuilder();
        final List<Call> calls = new ArrayList<>();
        String responseId = "";
        String modelVersion = "";
        FinishReason finishReason;
        GenerateContentResponseUsageMetadata usage;

        void add(GenerateContentResponse chunk) {
            chunk.responseId().ifPresent(id -> responseId = id);
            chunk.modelVersion().ifPresent(m -> modelVersion = m);
            chunk.usageMetadata().ifPresent(u -> usage = u);
            for (Candidate c : chunk.candidates().orElse(List.of())) {
                c.finishReason().ifPresent(f -> finishReason = f);
                for (Part p : c.content().flatMap(x -> x.parts()).orElse(List.of())) {
                    p.text().ifPresent(t -> (p.thought().orElse(false) ? thought : text).append(t));
                    p.functionCall().ifPresent(f -> calls.add(new Call(f.id().orElse(""), f.name().orElseThrow(),
                            toJson(f.args().orElse(Map.of())))));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void plainTextIsAssembledWithFinishReasonUsageIdAndModel(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.PLAIN_TEXT));

        Assembled a = assemble(up, "Say hello.", config());

        assertThat(a.responseId).isEqualTo(StreamGoldens.id(CLIENT, up));
        assertThat(a.modelVersion).isEqualTo(StreamGoldens.model(up));
        assertThat(a.text).hasToString("Hello there!");
        assertThat(a.finishReason.knownEnum()).isEqualTo(FinishReason.Known.STOP);
        assertUsage(a.usage, StreamGoldens.tokens(up, Case.PLAIN_TEXT));
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void cachedPromptTokensAreCountedInPromptTokens(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.PARALLEL_TOOL_CALLS));

        Assembled a = assemble(up, "Weather and time in Paris?", tools());

        assertUsage(a.usage, StreamGoldens.tokens(up, Case.PARALLEL_TOOL_CALLS));
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

        Assembled a = assemble(up, "Weather and time in Paris?", tools());

        // Gemini says STOP for a turn that ends in function calls
        assertThat(a.finishReason.knownEnum()).isEqualTo(FinishReason.Known.STOP);
        assertThat(a.text).hasToString(StreamGoldens.text(c));
        List<Call> expected = StreamGoldens.calls(CLIENT, up, c);
        assertThat(a.calls).extracting(Call::name).containsExactlyElementsOf(expected.stream().map(Call::name).toList());
        for (int i = 0; i < expected.size(); i++) {
            // Gemini's own calls carry no id, and a relay adds none
            assertThat(a.calls.get(i).id()).isEqualTo(expected.get(i).id());
            assertThat(a.calls.get(i).arguments()).isEqualTo(expected.get(i).arguments());
        }
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void thinkingArrivesAsThoughtPartsBeforeTheText(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.THINKING_TEXT));

        Assembled a = assemble(up, "Say hello.", config());

        assertThat(a.text).hasToString("Hi!");
        assertThat(a.thought).hasToString(StreamGoldens.THINKING);
        assertThat(a.finishReason.knownEnum()).isEqualTo(FinishReason.Known.STOP);
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void maxTokensStopIsMaxTokens(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.MAX_TOKENS));

        Assembled a = assemble(up, "Say hello.", config());

        assertThat(a.text).hasToString("Once upon a time");
        assertThat(a.finishReason.knownEnum()).isEqualTo(FinishReason.Known.MAX_TOKENS);
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void errorMidStreamRaisesAfterTheTextBeforeIt(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.ERROR_MID_STREAM));
        Assembled a = new Assembled();

        assertThatThrownBy(() -> stream(up, a))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    // Gemini has no 529: an Anthropic overload is UNAVAILABLE, 503
                    assertThat(e.code()).isEqualTo(up == Upstream.ANTHROPIC ? 503 : StreamGoldens.errorStatus(up));
                    assertThat(e.message()).contains(StreamGoldens.errorMessage(CLIENT, up));
                });
        assertThat(a.text).hasToString("Hello");
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void cutConnectionRaisesNeverATruncatedSuccess(Upstream up) {
        fake.answer(StreamGoldens.reply(CLIENT, up, Case.CUT_CONNECTION));
        Assembled a = new Assembled();

        assertThatThrownBy(() -> stream(up, a)).isInstanceOfSatisfying(ServerException.class, e -> {
            assertThat(e.code()).isEqualTo(502);
            assertThat(e.message()).isNotBlank();
        });
        assertThat(a.text).hasToString("Hello th");
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void errorBeforeTheFirstEventIsAnHttpErrorWithItsStatus(Upstream up) {
        fake.answer(StreamGoldens.errorFirst(CLIENT, up));

        assertThatThrownBy(() -> stream(up, new Assembled()))
                .isInstanceOfSatisfying(ServerException.class, e -> {
                    assertThat(e.code()).isEqualTo(StreamGoldens.errorStatus(up));
                    assertThat(e.message()).contains(StreamGoldens.errorMessage(CLIENT, up));
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

        assertThatThrownBy(() -> stream(up, new Assembled()))
                .isInstanceOf(status == 429 ? ClientException.class : ServerException.class)
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(status);
                    assertThat(e.message()).contains(message);
                });
        StreamGoldens.takeStreamRequest(fake, CLIENT, up);
    }

    @ParameterizedTest
    @EnumSource(Upstream.class)
    void firstDeltaReachesTheSdkBeforeTheProviderSendsMore(Upstream up) throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        fake.answer(StreamGoldens.live(CLIENT, up, gate));
        CountDownLatch firstDelta = new CountDownLatch(1);
        Assembled a = new Assembled();
        CompletableFuture<Assembled> done = CompletableFuture.supplyAsync(() -> {
            try (ResponseStream<GenerateContentResponse> s =
                         client.models.generateContentStream(up.model, "Say hello.", config())) {
                Iterator<GenerateContentResponse> it = s.iterator();
                while (it.hasNext()) {
                    a.add(it.next());
                    if (a.text.toString().contains("Hello")) {
                        firstDelta.countDown();
                    }
                }
            }
            return a;
        });
        try {
            assertThat(firstDelta.await(10, TimeUnit.SECONDS)).as("first delta before the gate opened").isTrue();
            assertThat(done).isNotDone();
        } finally {
            gate.complete(null);
        }
        assertThat(done.get(10, TimeUnit.SECONDS).text).hasToString("Hello there!");
    }

    private Assembled assemble(Upstream up, String prompt, GenerateContentConfig config) {
        Assembled a = new Assembled();
        try (ResponseStream<GenerateContentResponse> s = client.models.generateContentStream(up.model, prompt, config)) {
            s.forEach(a::add);
        }
        return a;
    }

    private void stream(Upstream up, Assembled into) {
        try (ResponseStream<GenerateContentResponse> s =
                     client.models.generateContentStream(up.model, "Say hello.", config())) {
            s.forEach(into::add);
        }
    }

    private static void assertUsage(GenerateContentResponseUsageMetadata usage, StreamGoldens.Tokens t) {
        assertThat(usage.promptTokenCount()).contains((int) t.prompt());
        assertThat(usage.cachedContentTokenCount().orElse(0)).isEqualTo((int) t.cacheRead());
        assertThat(usage.candidatesTokenCount()).contains((int) (t.output() - t.thoughts()));
        assertThat(usage.thoughtsTokenCount().orElse(0)).isEqualTo((int) t.thoughts());
        assertThat(usage.totalTokenCount()).contains((int) t.total());
    }

    private static GenerateContentConfig config() {
        return GenerateContentConfig.builder().maxOutputTokens(100).build();
    }

    private static GenerateContentConfig tools() {
        return GenerateContentConfig.builder().maxOutputTokens(300).tools(Tool.builder().functionDeclarations(
                declaration("get_weather", "city"), declaration("get_time", "tz"))).build();
    }

    private static FunctionDeclaration declaration(String name, String param) {
        return FunctionDeclaration.builder().name(name).parameters(Schema.builder().type(Type.Known.OBJECT)
                .properties(Map.of(param, Schema.builder().type(Type.Known.STRING).build()))).build();
    }

    private static String toJson(Map<String, Object> args) {
        try {
            return Upstream.MAPPER.writeValueAsString(args);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }
}
