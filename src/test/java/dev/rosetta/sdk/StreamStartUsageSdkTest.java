package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.openai.client.OpenAIClient;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.AccessLogCapture;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.TestGateway;
import dev.rosetta.usage.TokenEstimate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 19: the prompt count each official SDK sees when a stream starts, for every client dialect
 * against every provider API (OpenAI Chat Completions, OpenAI Responses, Anthropic, Gemini), relayed
 * or converted. Anthropic and Gemini clients see a number from the first event, as from their own
 * provider: the upstream's exact figure when its first event had one (Anthropic, Gemini), else the
 * gateway's estimate of the request (OpenAI reports usage only at the end). Responses clients see
 * {@code usage: null} and Chat clients no usage before the last chunk, as OpenAI's own streams have.
 * The final usage, what accumulators return and what the access log records are always the
 * upstream's exact figures. The providers answer with the stream goldens' plain-text streams, which
 * all report 9 prompt tokens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamStartUsageSdkTest {

    private static final String PROMPT = "Say hello to everyone in the room, briefly and warmly, please.";
    private static final long EXACT_PROMPT = 9;

    enum Provider {
        CHAT("gpt-chat", "oai", Dialect.OPENAI_CHAT, "anthropic-from-openai", 3),
        RESPONSES("gpt-resp", "oai", Dialect.OPENAI_RESPONSES, "openai_responses-from-openai", 3),
        ANTHROPIC("claude-test", "ant", Dialect.ANTHROPIC, "anthropic-from-anthropic", 6),
        GEMINI("gemini-test", "gem", Dialect.GEMINI, "anthropic-from-gemini", 3);

        final String model;
        final String name;
        final Dialect dialect;
        final String golden;
        final long output;

        Provider(String model, String name, Dialect dialect, String golden, long output) {
            this.model = model;
            this.name = name;
            this.dialect = dialect;
            this.golden = golden;
            this.output = output;
        }

        /** Whether the provider's stream says the prompt count in its first event. */
        boolean promptAtStart() {
            return this == ANTHROPIC || this == GEMINI;
        }

        Reply stream() {
            String sse;
            try {
                sse = Files.readString(Path.of("src/test/resources/golden-stream", golden, "plain_text", "upstream.sse"),
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<Step> steps = new ArrayList<>();
            StreamGoldens.events(sse).forEach(e -> steps.add(new Step.Write(e.getBytes(StandardCharsets.UTF_8))));
            return Reply.stream("text/event-stream", steps, true);
        }

        /** A non-streamed answer and its prompt tokens, cached ones included. */
        String answer() {
            return switch (this) {
                case CHAT -> Upstream.OPENAI.textAnswer();
                case ANTHROPIC -> Upstream.ANTHROPIC.textAnswer();
                case GEMINI -> Upstream.GEMINI.textAnswer();
                case RESPONSES -> """
                        {"id": "resp_2", "object": "response", "created_at": 1741569952, "status": "completed",
                         "model": "gpt-4.1", "output": [{"type": "message", "id": "msg_1", "status": "completed",
                           "role": "assistant", "content": [{"type": "output_text", "text": "Hello!", "annotations": []}]}],
                         "usage": {"input_tokens": 350, "input_tokens_details": {"cached_tokens": 300},
                           "output_tokens": 17, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 367}}""";
            };
        }

        long answerPrompt() {
            return this == GEMINI ? 60 : 350;
        }
    }

    private FakeUpstream fake;
    private TestGateway gateway;
    private AnthropicClient anthropic;
    private OpenAIClient openAi;
    private Client gemini;
    private AccessLogCapture log;

    @BeforeAll
    void start() {
        fake = new FakeUpstream();
        gateway = TestGateway.start("""
                port: 0
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
                  - name: gpt-chat
                    provider: oai
                    upstream_model: gpt-upstream
                    api: chat
                  - name: gpt-resp
                    provider: oai
                    upstream_model: gpt-upstream
                    api: responses
                  - name: claude-test
                    provider: ant
                    upstream_model: claude-upstream
                  - name: gemini-test
                    provider: gem
                    upstream_model: gemini-upstream
                """.formatted(fake.baseUrl()));
        anthropic = SdkAgainstGateway.anthropic(gateway.url());
        openAi = SdkAgainstGateway.openAi(gateway.url());
        gemini = SdkAgainstGateway.gemini(gateway.url());
        log = new AccessLogCapture();
    }

    @AfterAll
    void stop() {
        log.close();
        anthropic.close();
        openAi.close();
        gemini.close();
        gateway.close();
        fake.close();
    }

    @BeforeEach
    void drain() {
        while (fake.pending() > 0) {
            fake.take();
        }
    }

    static Stream<Arguments> providers() {
        return Stream.of(Provider.values()).map(Arguments::of);
    }

    /** What the gateway estimated for the request, from the request it sent (the same turns it decoded). */
    private long estimateOf(Recorded sent, Provider p) {
        return TokenEstimate.of(Codec.of(p.dialect).decodeRequest(sent.body()));
    }

    /** The client's start shows the estimate where the provider does not say the prompt at its start. */
    private long expectedStart(Recorded sent, Provider p) {
        long expected = p.promptAtStart() ? EXACT_PROMPT : estimateOf(sent, p);
        if (!p.promptAtStart()) {
            assertThat(expected).as("the estimate differs from the exact figure, so the test tells them apart")
                    .isNotEqualTo(EXACT_PROMPT);
        }
        return expected;
    }

    /** The access log keeps the upstream's exact figures, never the estimate. */
    private void assertLoggedExact(String clientDialect, Provider p, boolean stream) {
        String line = awaitLine("\"dialect\":\"" + clientDialect + "\"", "\"model\":\"" + p.model + "\"",
                "\"stream\":" + stream);
        assertThat(line).contains("\"tokens_in\":" + (stream ? EXACT_PROMPT : p.answerPrompt()));
    }

    private String awaitLine(String... needles) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (String l : log.lines()) {
                if (Stream.of(needles).allMatch(l::contains)) {
                    return l;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no access-log line with " + List.of(needles) + "; got " + log.lines());
    }

    // --- Anthropic clients: message_start.message.usage.input_tokens ---

    @ParameterizedTest
    @MethodSource("providers")
    void anthropicMessageStartHasThePromptCountAndTheAccumulatorEndsWithTheExactOne(Provider p) {
        fake.answer(p.stream());
        MessageAccumulator acc = MessageAccumulator.create();
        OptionalLong startInput = OptionalLong.empty();
        MessageCreateParams params = MessageCreateParams.builder().model(p.model).maxTokens(100).addUserMessage(PROMPT).build();
        try (StreamResponse<RawMessageStreamEvent> s = anthropic.messages().createStreaming(params)) {
            for (RawMessageStreamEvent e : (Iterable<RawMessageStreamEvent>) s.stream()::iterator) {
                acc.accumulate(e);
                if (e.messageStart().isPresent()) {
                    startInput = OptionalLong.of(e.messageStart().get().message().usage().inputTokens());
                }
            }
        }
        Recorded sent = fake.take();

        assertThat(startInput).hasValue(expectedStart(sent, p));
        Message m = acc.message();
        assertThat(m.usage().inputTokens()).isEqualTo(EXACT_PROMPT);
        assertThat(m.usage().outputTokens()).isEqualTo(p.output);
        assertLoggedExact("anthropic", p, true);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void anthropicNonStreamedUsageIsTheProvidersExactCount(Provider p) {
        fake.answer(Reply.json(200, p.answer()));

        Message m = anthropic.messages().create(MessageCreateParams.builder().model(p.model).maxTokens(100)
                .addUserMessage(PROMPT).build());

        fake.take();
        long prompt = m.usage().inputTokens() + m.usage().cacheReadInputTokens().orElse(0L)
                + m.usage().cacheCreationInputTokens().orElse(0L);
        assertThat(prompt).isEqualTo(p.answerPrompt());
        assertLoggedExact("anthropic", p, false);
    }

    // --- Gemini clients: usageMetadata.promptTokenCount on every chunk ---

    @ParameterizedTest
    @MethodSource("providers")
    void geminiChunksHaveThePromptCountFromTheFirstAndTheLastHasTheExactUsage(Provider p) {
        fake.answer(p.stream());
        List<GenerateContentResponse> chunks = new ArrayList<>();
        try (ResponseStream<GenerateContentResponse> s = gemini.models.generateContentStream(p.model, PROMPT,
                GenerateContentConfig.builder().maxOutputTokens(100).build())) {
            s.forEach(chunks::add);
        }
        Recorded sent = fake.take();

        assertThat(chunks).hasSizeGreaterThan(1);
        long start = expectedStart(sent, p);
        for (GenerateContentResponse chunk : chunks.subList(0, chunks.size() - 1)) {
            assertThat(chunk.usageMetadata().flatMap(GenerateContentResponseUsageMetadata::promptTokenCount))
                    .as("chunk %s", chunk).contains((int) start);
        }
        GenerateContentResponseUsageMetadata last = chunks.get(chunks.size() - 1).usageMetadata().orElseThrow();
        assertThat(last.promptTokenCount()).contains((int) EXACT_PROMPT);
        assertThat(last.candidatesTokenCount()).contains((int) p.output);
        assertLoggedExact("gemini", p, true);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void geminiNonStreamedUsageIsTheProvidersExactCount(Provider p) {
        fake.answer(Reply.json(200, p.answer()));

        GenerateContentResponse r = gemini.models.generateContent(p.model, PROMPT,
                GenerateContentConfig.builder().maxOutputTokens(100).build());

        fake.take();
        assertThat(r.usageMetadata().flatMap(GenerateContentResponseUsageMetadata::promptTokenCount))
                .contains((int) p.answerPrompt());
        assertLoggedExact("gemini", p, false);
    }

    // --- Responses clients: response.created has usage null, as OpenAI's own stream ---

    @ParameterizedTest
    @MethodSource("providers")
    void responsesCreatedHasNullUsageAsOpenAisOwnAndTheCompletedResponseTheExactCount(Provider p) {
        fake.answer(p.stream());
        ResponseAccumulator acc = ResponseAccumulator.create();
        List<ResponseStreamEvent> starts = new ArrayList<>();
        ResponseCreateParams params = ResponseCreateParams.builder().model(p.model).input(PROMPT).maxOutputTokens(100).build();
        try (com.openai.core.http.StreamResponse<ResponseStreamEvent> s = openAi.responses().createStreaming(params)) {
            s.stream().forEach(e -> {
                acc.accumulate(e);
                if (e.isCreated() || e.isInProgress()) {
                    starts.add(e);
                }
            });
        }
        fake.take();

        assertThat(starts).hasSize(2);
        assertThat(starts.get(0).asCreated().response().usage()).isEmpty();
        assertThat(starts.get(0).asCreated().response()._usage().isNull()).as("usage: null, not absent or 0").isTrue();
        assertThat(starts.get(1).asInProgress().response().usage()).isEmpty();
        Response r = acc.response();
        assertThat(r.usage().orElseThrow().inputTokens()).isEqualTo(EXACT_PROMPT);
        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(p.output);
        assertLoggedExact("openai_responses", p, true);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void responsesNonStreamedUsageIsTheProvidersExactCount(Provider p) {
        fake.answer(Reply.json(200, p.answer()));

        Response r = openAi.responses().create(ResponseCreateParams.builder().model(p.model).input(PROMPT)
                .maxOutputTokens(100).build());

        fake.take();
        assertThat(r.usage().orElseThrow().inputTokens()).isEqualTo(p.answerPrompt());
        assertLoggedExact("openai_responses", p, false);
    }

    // --- Chat clients: no usage before the last chunk, as OpenAI's own stream ---

    @ParameterizedTest
    @MethodSource("providers")
    void chatChunksCarryNoUsageUntilTheLastWhichHasTheExactCount(Provider p) {
        fake.answer(p.stream());
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(p.model).addUserMessage(PROMPT)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (com.openai.core.http.StreamResponse<ChatCompletionChunk> s = openAi.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunks::add);
        }
        fake.take();

        assertThat(chunks).hasSizeGreaterThan(1);
        for (ChatCompletionChunk chunk : chunks.subList(0, chunks.size() - 1)) {
            assertThat(chunk.usage()).as("chunk %s", chunk).isEmpty();
        }
        var usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(EXACT_PROMPT);
        assertThat(usage.completionTokens()).isEqualTo(p.output);
        assertLoggedExact("openai_chat", p, true);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void chatNonStreamedUsageIsTheProvidersExactCount(Provider p) {
        fake.answer(Reply.json(200, p.answer(), Map.of()));

        var c = openAi.chat().completions().create(ChatCompletionCreateParams.builder().model(p.model)
                .addUserMessage(PROMPT).build());

        fake.take();
        assertThat(c.usage().map(u -> u.promptTokens())).isEqualTo(Optional.of(p.answerPrompt()));
        assertLoggedExact("openai_chat", p, false);
    }
}
