package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.Schema;
import com.google.genai.types.Type;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import dev.rosetta.testing.ThinkingToolAnswers;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every platform provider type must show with the four official SDKs: plain and streamed text,
 * plain and streamed tool calls, whatever the client's dialect. A subclass gives the gateway's
 * configuration in front of the fake, checks each request the fake receives (path, query, auth) and may
 * frame the answers its own way (Bedrock's event stream). A request that fails the check is answered 400
 * and recorded, so the test fails naming it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PlatformSdkContract {

    static final String TEXT = "Hello from the platform";

    /** The client side of a test: one official SDK and the API it calls. */
    enum Sdk { OPENAI_CHAT, OPENAI_RESPONSES, ANTHROPIC, GEMINI }

    protected FakeUpstream fake;
    protected TestGateway gateway;
    protected OpenAIClient openai;
    protected AnthropicClient anthropic;
    protected Client gemini;
    protected final List<String> violations = new CopyOnWriteArrayList<>();
    private volatile boolean tool;
    /** A test's own answer instead of the standard ones, until the test ends. */
    protected volatile java.util.function.Function<Recorded, Reply> override;

    /** The gateway's YAML, serving the model {@link #model()} from a provider in front of {@code fake}. */
    abstract String yaml(FakeUpstream fake);

    /** The model clients name. */
    String model() {
        return "m";
    }

    /** Fails (an AssertionError) when a request is not what the platform takes. */
    abstract void check(Recorded r, boolean stream);

    /** An answer to a request that is not a model call (a token endpoint), else null. */
    Reply special(Recorded r) {
        return null;
    }

    /** Whether the platform was asked to stream. */
    boolean streamed(Recorded r) {
        return ProviderAnswers.streamed(r.path(), r.bodyText());
    }

    /** The dialect a request is in (Responses or Chat for OpenAI's, else the platform's one). */
    abstract Dialect dialect(Recorded r);

    /** The platform's answer: the dialect's own JSON or SSE. */
    Reply reply(Dialect d, boolean stream, boolean tool) {
        if (!stream) {
            return Reply.json(200, tool ? toolJson(d) : ProviderAnswers.json(d, TEXT));
        }
        return Reply.sse(tool ? toolSse(d) : ProviderAnswers.stream(d, TEXT));
    }

    static String toolJson(Dialect d) {
        return d == Dialect.OPENAI_CHAT ? """
                {"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"gpt-4.1",
                 "choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,
                   "tool_calls":[{"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]}}],
                 "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}""" : ThinkingToolAnswers.json(d);
    }

    static String toolSse(Dialect d) {
        return d == Dialect.OPENAI_CHAT ? """
                data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}

                data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":\\"Paris\\"}"}}]},"finish_reason":null}]}

                data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

                data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}

                data: [DONE]

                """ : ThinkingToolAnswers.sse(d);
    }

    @BeforeAll
    final void start() {
        fake = new FakeUpstream();
        fake.answer(r -> {
            Reply platform = special(r);
            if (platform != null) {
                return platform;
            }
            boolean stream = streamed(r);
            try {
                check(r, stream);
            } catch (AssertionError e) {
                violations.add(r.path() + "?" + r.query() + ": " + e.getMessage());
                return Reply.json(400, "{\"error\":{\"message\":\"fake platform refused the request\"}}");
            }
            java.util.function.Function<Recorded, Reply> own = override;
            return own != null ? own.apply(r) : reply(dialect(r), stream, tool);
        });
        gateway = TestGateway.start(yaml(fake));
        openai = SdkAgainstGateway.openAi(gateway.url());
        anthropic = SdkAgainstGateway.anthropic(gateway.url());
        gemini = SdkAgainstGateway.gemini(gateway.url());
    }

    @AfterAll
    final void stop() {
        openai.close();
        anthropic.close();
        gemini.close();
        gateway.close();
        fake.close();
    }

    @org.junit.jupiter.api.BeforeEach
    final void drain() {
        violations.clear();
        while (fake.pending() > 0) {
            fake.take();
        }
    }

    /** The next model call the fake received (token requests skipped). */
    Recorded takeCall() {
        Recorded r = fake.take();
        while (r.path().equals(dev.rosetta.testing.FakeGoogleTokens.PATH)) {
            r = fake.take();
        }
        return r;
    }

    @AfterEach
    final void noViolations() {
        override = null;
        assertThat(violations).as("requests the platform would refuse").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Sdk.class)
    void plainText(Sdk sdk) {
        tool = false;
        assertThat(ask(sdk, false).text()).isEqualTo(TEXT);
    }

    @ParameterizedTest
    @EnumSource(Sdk.class)
    void streamedText(Sdk sdk) {
        tool = false;
        assertThat(ask(sdk, true).text()).isEqualTo(TEXT);
    }

    @ParameterizedTest
    @EnumSource(Sdk.class)
    void plainToolCall(Sdk sdk) {
        tool = true;
        Answer a = ask(sdk, false);
        assertThat(a.tool()).isEqualTo("get_weather");
        assertThat(a.arguments()).contains("Paris");
    }

    @ParameterizedTest
    @EnumSource(Sdk.class)
    void streamedToolCall(Sdk sdk) {
        tool = true;
        Answer a = ask(sdk, true);
        assertThat(a.tool()).isEqualTo("get_weather");
        assertThat(a.arguments()).contains("Paris");
    }

    @org.junit.jupiter.api.Test
    void theModelIsListed() {
        assertThat(openai.models().list().data()).anySatisfy(m -> assertThat(m.id()).isEqualTo(model()));
        assertThat(anthropic.models().list().data()).anySatisfy(m -> assertThat(m.id()).isEqualTo(model()));
    }

    /** What a client read: its text, and its first tool call's name and arguments. */
    record Answer(String text, String tool, String arguments) {
    }

    Answer ask(Sdk sdk, boolean stream) {
        String m = model();
        String prompt = "Weather in Paris?";
        return switch (sdk) {
            case OPENAI_CHAT -> {
                ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model(m).addUserMessage(prompt)
                        .addFunctionTool(FunctionDefinition.builder().name("get_weather").description("Current weather")
                                .parameters(FunctionParameters.builder()
                                        .putAdditionalProperty("type", JsonValue.from("object"))
                                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                        .build()).build())
                        .maxCompletionTokens(300).build();
                ChatCompletion c;
                if (stream) {
                    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
                    try (var s = openai.chat().completions().createStreaming(p)) {
                        s.stream().forEach((ChatCompletionChunk chunk) -> acc.accumulate(chunk));
                    }
                    c = acc.chatCompletion();
                } else {
                    c = openai.chat().completions().create(p);
                }
                var msg = c.choices().get(0).message();
                var calls = msg.toolCalls().orElse(List.of());
                yield new Answer(msg.content().orElse(""), calls.isEmpty() ? "" : calls.get(0).asFunction().function().name(),
                        calls.isEmpty() ? "" : calls.get(0).asFunction().function().arguments());
            }
            case OPENAI_RESPONSES -> {
                ResponseCreateParams p = ResponseCreateParams.builder().model(m).input(prompt).maxOutputTokens(300)
                        .addTool(FunctionTool.builder().name("get_weather").strict(false).parameters(FunctionTool.Parameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                .build()).build())
                        .build();
                if (stream) {
                    // read from the events themselves: a relayed stream's response.completed may list no output
                    StringBuilder text = new StringBuilder();
                    String[] call = {"", ""};
                    try (var s = openai.responses().createStreaming(p)) {
                        s.stream().forEach((ResponseStreamEvent e) -> {
                            if (e.isOutputTextDelta()) {
                                text.append(e.asOutputTextDelta().delta());
                            } else if (e.isOutputItemDone() && e.asOutputItemDone().item().isFunctionCall()
                                    && call[0].isEmpty()) {
                                call[0] = e.asOutputItemDone().item().asFunctionCall().name();
                                call[1] = e.asOutputItemDone().item().asFunctionCall().arguments();
                            }
                        });
                    }
                    yield new Answer(text.toString(), call[0], call[1]);
                }
                Response r = openai.responses().create(p);
                StringBuilder text = new StringBuilder();
                String name = "";
                String args = "";
                for (ResponseOutputItem item : r.output()) {
                    if (item.isMessage()) {
                        item.asMessage().content().forEach(c -> {
                            if (c.isOutputText()) {
                                text.append(c.asOutputText().text());
                            }
                        });
                    } else if (item.isFunctionCall() && name.isEmpty()) {
                        name = item.asFunctionCall().name();
                        args = item.asFunctionCall().arguments();
                    }
                }
                yield new Answer(text.toString(), name, args);
            }
            case ANTHROPIC -> {
                MessageCreateParams p = MessageCreateParams.builder().model(m).maxTokens(300).addUserMessage(prompt)
                        .addTool(com.anthropic.models.messages.Tool.builder().name("get_weather").description("Current weather")
                                .inputSchema(com.anthropic.models.messages.Tool.InputSchema.builder()
                                        .properties(com.anthropic.models.messages.Tool.InputSchema.Properties.builder()
                                                .putAdditionalProperty("city", com.anthropic.core.JsonValue.from(Map.of("type", "string")))
                                                .build()).build()).build())
                        .build();
                Message msg;
                if (stream) {
                    MessageAccumulator acc = MessageAccumulator.create();
                    try (var s = anthropic.messages().createStreaming(p)) {
                        s.stream().forEach((RawMessageStreamEvent e) -> acc.accumulate(e));
                    }
                    msg = acc.message();
                } else {
                    msg = anthropic.messages().create(p);
                }
                StringBuilder text = new StringBuilder();
                String name = "";
                String args = "";
                for (var b : msg.content()) {
                    if (b.isText()) {
                        text.append(b.asText().text());
                    } else if (b.isToolUse() && name.isEmpty()) {
                        name = b.asToolUse().name();
                        args = b.asToolUse()._input().toString();
                    }
                }
                yield new Answer(text.toString(), name, args);
            }
            case GEMINI -> {
                GenerateContentConfig config = GenerateContentConfig.builder()
                        .tools(com.google.genai.types.Tool.builder().functionDeclarations(FunctionDeclaration.builder()
                                .name("get_weather").description("Current weather")
                                .parameters(Schema.builder().type(Type.Known.OBJECT)
                                        .properties(Map.of("city", Schema.builder().type(Type.Known.STRING).build())))))
                        .build();
                StringBuilder text = new StringBuilder();
                String name = "";
                String args = "";
                List<GenerateContentResponse> parts = new java.util.ArrayList<>();
                if (stream) {
                    try (ResponseStream<GenerateContentResponse> s = gemini.models.generateContentStream(m, prompt, config)) {
                        s.forEach(parts::add);
                    }
                } else {
                    parts.add(gemini.models.generateContent(m, prompt, config));
                }
                for (GenerateContentResponse r : parts) {
                    for (var c : r.candidates().orElse(List.of())) {
                        for (var part : c.content().flatMap(x -> x.parts()).orElse(List.of())) {
                            if (part.thought().orElse(false)) {
                                continue;
                            }
                            part.text().ifPresent(text::append);
                            if (part.functionCall().isPresent() && name.isEmpty()) {
                                name = part.functionCall().get().name().orElse("");
                                args = String.valueOf(part.functionCall().get().args().orElse(Map.of()));
                            }
                        }
                    }
                }
                yield new Answer(text.toString(), name, args);
            }
        };
    }
}
