package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ApiException;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.sdk.StreamGoldens.Case;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A stream that fails after it has begun makes every official SDK raise, whatever the pair: each
 * client API (Chat Completions, Responses, Anthropic Messages, Gemini) against each provider type
 * (OpenAI over Chat Completions, OpenAI over Responses, Anthropic, Gemini), the same-dialect relays
 * included, while the provider sends a few deltas and then drops the connection, goes silent past
 * {@code stream_idle_timeout}, or sends its own mid-stream error event. The SDK must hand over the
 * deltas before the failure and then throw from its iteration, with the failure in the message:
 * never end as if the truncated answer were complete, and never leave it to a later accumulator call.
 */
class StreamFailureSdkTest extends SdkAgainstGateway<StreamFailureSdkTest.Clients> {

    /** One official SDK client per vendor, all pointed at the gateway. */
    record Clients(OpenAIClient openAi, AnthropicClient anthropic, Client gemini) {
        static Clients connect(String url) {
            return new Clients(SdkAgainstGateway.openAi(url), SdkAgainstGateway.anthropic(url),
                    SdkAgainstGateway.gemini(url));
        }

        void close() {
            openAi.close();
            anthropic.close();
            gemini.close();
        }
    }

    private static final String IDLE_TIMEOUT = "600ms";
    // Providers' whole-request timeout is 20 s: far beyond the idle timeout, so a stall shows which cut it.

    StreamFailureSdkTest() {
        super(Clients::connect, Clients::close);
    }

    @Override
    protected TestGateway gatewayFor(FakeUpstream fake) {
        // Keep-alives every 100 ms, so a stalled converted stream also sends some before its error.
        return TestGateway.start("""
                port: 0
                stream_idle_timeout: %2$s
                keepalive_interval: 100ms
                providers:
                  - name: oai-chat
                    type: openai
                    api: chat
                    base_url: %1$s/v1
                    api_key: ${OPENAI_API_KEY}
                    timeout: 20s
                  - name: oai-responses
                    type: openai
                    api: responses
                    base_url: %1$s/v1
                    api_key: ${OPENAI_API_KEY}
                    timeout: 20s
                  - name: ant
                    type: anthropic
                    base_url: %1$s
                    api_key: ${ANTHROPIC_API_KEY}
                    timeout: 20s
                  - name: gem
                    type: gemini
                    base_url: %1$s
                    api_key: ${GEMINI_API_KEY}
                    timeout: 20s
                models:
                  - name: gpt-chat
                    provider: oai-chat
                    upstream_model: gpt-upstream
                  - name: gpt-responses
                    provider: oai-responses
                    upstream_model: gpt-upstream
                  - name: claude-test
                    provider: ant
                    upstream_model: claude-upstream
                  - name: gemini-test
                    provider: gem
                    upstream_model: gemini-upstream
                """.formatted(fake.baseUrl(), IDLE_TIMEOUT));
    }

    /** A provider type, and its wire streams: the stream goldens' upstream halves. */
    enum Provider {
        OPENAI_CHAT("gpt-chat", StreamGoldens.Client.OPENAI_CHAT, Upstream.OPENAI,
                "The server had an error while processing your request.", ""),
        /*
         * The OpenAI API's own mid-stream error event, as it sends it: the error object nested under
         * "error" (its reference documents the fields flat, its servers nest them).
         */
        OPENAI_RESPONSES("gpt-responses", StreamGoldens.Client.OPENAI_RESPONSES, Upstream.OPENAI,
                "The server had an error while processing your request.", """
                event: error
                data: {"type":"error","sequence_number":5,"error":{"type":"server_error","code":"server_error",\
                "message":"The server had an error while processing your request.","param":null}}

                """),
        ANTHROPIC("claude-test", StreamGoldens.Client.OPENAI_CHAT, Upstream.ANTHROPIC, "Overloaded", ""),
        GEMINI("gemini-test", StreamGoldens.Client.OPENAI_CHAT, Upstream.GEMINI,
                "The model is overloaded. Please try again later.", "");

        final String model;
        private final StreamGoldens.Client golden;
        private final Upstream wire;
        final String errorMessage;
        /** The provider's error event when it is not the golden's own; "" for the golden's. */
        private final String errorEvent;

        Provider(String model, StreamGoldens.Client golden, Upstream wire, String errorMessage, String errorEvent) {
            this.model = model;
            this.golden = golden;
            this.wire = wire;
            this.errorMessage = errorMessage;
            this.errorEvent = errorEvent;
        }

        /** The complete events of a golden, without a cut-short tail. */
        List<String> events(Case c) {
            return StreamGoldens.events(StreamGoldens.sse(golden, wire, c)).stream()
                    .filter(e -> e.endsWith("\n\n")).toList();
        }
    }

    enum Fault {
        /** A few deltas ("Hello", " th"), then the connection is reset. */
        CUT,
        /** The same deltas, then silence, the connection kept open. */
        STALL,
        /** A delta ("Hello"), then the provider's own error event, then the end of the body. */
        PROVIDER_ERROR;

        Reply reply(Provider p) {
            List<Step> steps = new ArrayList<>();
            switch (this) {
                case CUT, STALL -> p.events(Case.CUT_CONNECTION).forEach(e -> steps.add(write(e)));
                case PROVIDER_ERROR -> {
                    List<String> events = p.events(Case.ERROR_MID_STREAM);
                    events.forEach(e -> steps.add(write(e)));
                    if (!p.errorEvent.isEmpty()) {
                        steps.set(steps.size() - 1, write(p.errorEvent));
                    }
                }
            }
            return switch (this) {
                case CUT -> {
                    steps.add(new Step.Cut());
                    yield Reply.stream("text/event-stream", steps, false);
                }
                case STALL -> {
                    steps.add(new Step.Await(new CompletableFuture<>()));
                    yield Reply.stream("text/event-stream", steps, false);
                }
                case PROVIDER_ERROR -> Reply.stream("text/event-stream", steps, true);
            };
        }

        /** As {@link #reply}, for a Gemini provider asked for a JSON array: the events' data as its elements. */
        Reply arrayReply(Provider p) {
            List<Step> steps = new ArrayList<>();
            boolean first = true;
            for (Step step : reply(p).steps()) {
                if (step instanceof Step.Write w) {
                    String data = new String(w.bytes(), StandardCharsets.UTF_8).strip().substring("data: ".length());
                    steps.add(write((first ? "[" : ",\r\n") + data));
                    first = false;
                } else {
                    steps.add(step);
                }
            }
            boolean end = this == PROVIDER_ERROR;
            if (end) {
                steps.add(write("]"));
            }
            return Reply.stream("application/json", steps, end);
        }

        /** What the exception's message must mention. */
        String mention(Provider p) {
            return switch (this) {
                case CUT -> "closed the connection mid-response";
                case STALL -> "sent nothing between events for " + IDLE_TIMEOUT;
                case PROVIDER_ERROR -> p.errorMessage;
            };
        }

        /** The text the client saw before the failure. */
        String before() {
            return this == PROVIDER_ERROR ? StreamGoldens.text(Case.ERROR_MID_STREAM)
                    : StreamGoldens.text(Case.CUT_CONNECTION);
        }
    }

    /** A client API as its official SDK streams: the deltas go to {@code seen}, the end is the SDK's. */
    enum Api {
        CHAT(com.openai.errors.SseException.class) {
            @Override
            void stream(Clients c, String model, StringBuilder seen) {
                ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
                try (StreamResponse<ChatCompletionChunk> s = c.openAi().chat().completions().createStreaming(
                        ChatCompletionCreateParams.builder().model(model).addUserMessage("Say hello.").build())) {
                    s.stream().map(acc::accumulate)
                            .forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(seen::append)));
                }
                acc.chatCompletion();
            }
        },
        RESPONSES(com.openai.errors.SseException.class) {
            @Override
            void stream(Clients c, String model, StringBuilder seen) {
                ResponseAccumulator acc = ResponseAccumulator.create();
                try (StreamResponse<ResponseStreamEvent> s = c.openAi().responses().createStreaming(
                        ResponseCreateParams.builder().model(model).input("Say hello.").build())) {
                    s.stream().map(acc::accumulate).forEach(e -> e.outputTextDelta().ifPresent(d -> seen.append(d.delta())));
                }
                acc.response();
            }
        },
        ANTHROPIC(com.anthropic.errors.SseException.class) {
            @Override
            void stream(Clients c, String model, StringBuilder seen) {
                MessageAccumulator acc = MessageAccumulator.create();
                try (com.anthropic.core.http.StreamResponse<RawMessageStreamEvent> s = c.anthropic().messages()
                        .createStreaming(MessageCreateParams.builder().model(model).maxTokens(100)
                                .addUserMessage("Say hello.").build())) {
                    s.stream().map(acc::accumulate).forEach(e -> e.contentBlockDelta().flatMap(d -> d.delta().text())
                            .ifPresent(t -> seen.append(t.text())));
                }
                acc.message();
            }
        },
        GEMINI(ApiException.class) {
            @Override
            void stream(Clients c, String model, StringBuilder seen) {
                try (ResponseStream<GenerateContentResponse> s = c.gemini().models.generateContentStream(model,
                        "Say hello.", GenerateContentConfig.builder().maxOutputTokens(100).build())) {
                    s.forEach(r -> seen.append(r.text() == null ? "" : r.text()));
                }
            }
        };

        /** What the SDK throws while iterating a stream that ends in its dialect's error frame. */
        final Class<? extends RuntimeException> raises;

        Api(Class<? extends RuntimeException> raises) {
            this.raises = raises;
        }

        abstract void stream(Clients c, String model, StringBuilder seen);
    }

    static Stream<Arguments> pairs() {
        return Stream.of(Api.values()).flatMap(api -> Stream.of(Provider.values()).flatMap(p ->
                Stream.of(Fault.values()).map(f -> Arguments.of(api, p, f))));
    }

    @BeforeEach
    void drain() {
        while (fake.pending() > 0) {
            fake.take();
        }
    }

    @ParameterizedTest(name = "{0} client, {1} provider, {2}")
    @MethodSource("pairs")
    void theSdkRaisesAfterTheDeltasBeforeTheFailure(Api api, Provider provider, Fault fault) {
        fake.answer(fault.reply(provider));
        StringBuilder seen = new StringBuilder();

        assertThatThrownBy(() -> api.stream(client, provider.model, seen))
                .isInstanceOf(api.raises)
                .hasMessageContaining(fault.mention(provider));
        assertThat(seen).hasToString(fault.before());
        fake.take();
    }

    /**
     * The relayed Responses stream's error event continues the upstream's numbering: the SDKs' stream
     * helpers check {@code sequence_number} order, and an event numbered 0 after 5 reads as a replay.
     */
    @Test
    void aRelayedResponsesStreamCutShortEndsWithAnErrorEventNumberedAfterTheLastEvent() {
        fake.answer(Fault.CUT.reply(Provider.OPENAI_RESPONSES));

        DialectClient.Result r = new DialectClient(gateway.url()).send(Dialect.OPENAI_RESPONSES,
                Provider.OPENAI_RESPONSES.model, true, "Say hello.");

        DialectClient.assertStreamEndsInError(Dialect.OPENAI_RESPONSES, r);
        List<String> frames = StreamGoldens.events(r.body());
        assertThat(frames).hasSize(Provider.OPENAI_RESPONSES.events(Case.CUT_CONNECTION).size() + 1);
        assertThat(frames.get(frames.size() - 1)).startsWith(
                "event: error\ndata: {\"type\":\"error\",\"sequence_number\":6,\"code\":\"server_error\","
                        + "\"message\":\"upstream provider oai-responses closed the connection mid-response\"");
        fake.take();
    }

    /**
     * Without {@code alt=sse} a Gemini stream is one JSON array, which no official SDK asks for (they
     * all use SSE), so a plain HTTP client stands in. Converted, a failure ends the array with an
     * {@code {"error":…}} element and closes it; relayed, the provider's own error element passes
     * as sent, and a cut or stalled upstream cuts the client connection, as there is nothing the
     * gateway could add after half an element: the array stays unterminated, which no JSON reader
     * takes for a whole answer.
     */
    @ParameterizedTest(name = "{0} provider, {1}")
    @MethodSource("providersAndFaults")
    void aGeminiJsonArrayStreamThatFailsEndsInAnErrorElementOrIsCut(Provider provider, Fault fault) {
        fake.answer(provider == Provider.GEMINI ? fault.arrayReply(provider) : fault.reply(provider));

        DialectClient.Result r = new DialectClient(gateway.url()).send(Dialect.GEMINI,
                "/v1beta/models/" + provider.model + ":streamGenerateContent",
                DialectClient.body(Dialect.GEMINI, provider.model, true, "Say hello.").getBytes(StandardCharsets.UTF_8));

        if (provider == Provider.GEMINI && fault != Fault.PROVIDER_ERROR) {
            assertThat(r.cut()).as("%s", r).isTrue();
            assertThat(r.body()).startsWith("[").doesNotEndWith("]");
            // a stall is cut at the idle timeout, not at the provider's whole-request timeout (20 s)
            assertThat(r.millis()).as("%s", r).isLessThan(10_000);
        } else {
            assertThat(r.cut()).as("%s", r).isFalse();
            assertThat(r.status()).isEqualTo(200);
            JsonNode array = r.json();
            assertThat(array.isArray()).as("%s", r).isTrue();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < array.size() - 1; i++) {
                array.get(i).path("candidates").path(0).path("content").path("parts")
                        .forEach(part -> text.append(part.path("text").asText()));
            }
            assertThat(text).hasToString(fault.before());
            assertThat(array.get(array.size() - 1).path("error").path("message").asText()).contains(fault.mention(provider));
        }
        fake.take();
    }

    static Stream<Arguments> providersAndFaults() {
        return Stream.of(Provider.values()).flatMap(p -> Stream.of(Fault.values()).map(f -> Arguments.of(p, f)));
    }

    private static Step write(String s) {
        return new Step.Write(s.getBytes(StandardCharsets.UTF_8));
    }
}
