package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.genai.Client;
import com.google.genai.errors.ApiException;
import com.google.genai.errors.ClientException;
import com.google.genai.errors.ServerException;
import com.google.genai.types.Content;
import com.google.genai.types.FinishReason;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.google.genai.types.Part;
import com.google.genai.types.Schema;
import com.google.genai.types.Tool;
import dev.rosetta.testing.FakeUpstream.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The official Google Gen AI SDK against models served by OpenAI (Chat Completions) and Anthropic. */
class GeminiCrossDialectSdkTest extends SdkAgainstGateway<Client> {

    GeminiCrossDialectSdkTest() {
        super(SdkAgainstGateway::gemini, Client::close);
    }

    /** Gemini CLI's routing call: a responseJsonSchema typed with @google/genai's upper-case Type names. */
    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "ANTHROPIC"})
    void upperCaseTypesInResponseJsonSchemaReachTheProviderLowerCased(Upstream up) {
        up.answer(fake, up.textAnswer());
        Map<String, Object> schema = Map.of("type", "OBJECT", "properties", Map.of(
                "reasoning", Map.of("type", "STRING"),
                "model_choice", Map.of("type", "STRING", "enum", List.of("flash", "pro"))),
                "required", List.of("reasoning", "model_choice"));

        GenerateContentResponse r = client.models.generateContent(up.model, "Route this request.",
                GenerateContentConfig.builder().maxOutputTokens(100).responseMimeType("application/json")
                        .responseJsonSchema(schema).build());

        assertThat(r.text()).isEqualTo("Hello!");
        JsonNode sent = up.take(fake);
        JsonNode sentSchema = up == Upstream.OPENAI ? sent.at("/response_format/json_schema/schema")
                : sent.at("/output_config/format/schema");
        assertThat(sentSchema.get("type").asText()).isEqualTo("object");
        assertThat(sentSchema.at("/properties/reasoning/type").asText()).isEqualTo("string");
        assertThat(sentSchema.at("/properties/model_choice/type").asText()).isEqualTo("string");
        assertThat(sentSchema.at("/properties/model_choice/enum/1").asText()).isEqualTo("pro");
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "ANTHROPIC"})
    void plainTextReadsTextFinishReasonUsageIdAndModel(Upstream up) {
        up.answer(fake, up.textAnswer());

        GenerateContentResponse r = client.models.generateContent(up.model, "Say hello.",
                GenerateContentConfig.builder().maxOutputTokens(100).build());

        Upstream.TextFacts facts = up.text();
        assertThat(r.responseId()).contains(facts.id());
        assertThat(r.modelVersion()).contains(facts.model());
        assertThat(r.text()).isEqualTo("Hello!");
        assertThat(r.finishReason().knownEnum()).isEqualTo(FinishReason.Known.STOP);
        GenerateContentResponseUsageMetadata usage = r.usageMetadata().orElseThrow();
        // Gemini's promptTokenCount includes the cached tokens
        assertThat(usage.promptTokenCount()).contains((int) facts.promptTokens());
        assertThat(usage.cachedContentTokenCount()).contains((int) facts.cachedTokens());
        assertThat(usage.candidatesTokenCount()).contains((int) facts.outputTokens());
        assertThat(usage.totalTokenCount()).contains((int) (facts.promptTokens() + facts.outputTokens()));

        JsonNode sent = up.take(fake);
        assertThat(sent.toString()).contains("Say hello.");
        assertThat(OpenAiChatCrossDialectSdkTest.maxTokens(up, sent)).isEqualTo(100);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "ANTHROPIC"})
    void functionCallAndFunctionResponseRoundTrip(Upstream up) {
        up.answer(fake, up.toolCallAnswer());
        Content question = Content.builder().role("user").parts(Part.fromText("Weather in Paris?")).build();
        GenerateContentConfig config = GenerateContentConfig.builder().maxOutputTokens(300).tools(weatherTool()).build();

        GenerateContentResponse r = client.models.generateContent(up.model, List.of(question), config);

        // Gemini says STOP for a turn that ends in a function call
        assertThat(r.finishReason().knownEnum()).isEqualTo(FinishReason.Known.STOP);
        assertThat(r.functionCalls()).hasSize(1);
        FunctionCall call = r.functionCalls().get(0);
        assertThat(call.name()).contains("get_weather");
        assertThat(call.args()).contains(Map.of("city", "Paris"));
        assertThat(call.id()).isEqualTo(up.toolCallId());
        JsonNode sent = up.take(fake);
        assertThat(OpenAiChatCrossDialectSdkTest.toolNames(up, sent)).containsExactly("get_weather");

        up.answer(fake, up.textAnswer());
        Content modelTurn = r.candidates().orElseThrow().get(0).content().orElseThrow();
        // as Gemini users write it: the response names the function, without the call's id
        Content result = Content.builder().role("user")
                .parts(Part.fromFunctionResponse("get_weather", Map.of("temp", 21))).build();
        GenerateContentResponse second = client.models.generateContent(up.model,
                List.of(question, modelTurn, result), config);

        assertThat(second.text()).isEqualTo("Hello!");
        up.assertToolResult(up.take(fake), call.id().orElseThrow(), "21");
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "ANTHROPIC"})
    void maxTokensStopIsMaxTokens(Upstream up) {
        up.answer(fake, up.maxTokensAnswer());

        GenerateContentResponse r = client.models.generateContent(up.model, "Prove it.",
                GenerateContentConfig.builder().maxOutputTokens(100).build());

        assertThat(r.finishReason().knownEnum()).isEqualTo(FinishReason.Known.MAX_TOKENS);
        assertThat(r.text()).isEqualTo("Proof: by induc");
        up.take(fake);
    }

    static Stream<Arguments> upstreamErrors() {
        return Stream.of(Upstream.OPENAI, Upstream.ANTHROPIC).flatMap(up -> Stream.concat(
                Stream.of(400, 401, 429, 500, 503).map(s -> Arguments.of(up, s)),
                up == Upstream.ANTHROPIC ? Stream.of(Arguments.of(up, 529)) : Stream.empty()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("upstreamErrors")
    void upstreamErrorRaisesTheSdksTypedException(Upstream up, int status) {
        String message = "upstream says " + status;
        fake.answer(Reply.json(status, up.error(status, message), status == 429 ? Map.of("retry-after", "7") : Map.of()));

        Class<? extends ApiException> expected = status < 500 ? ClientException.class : ServerException.class;
        String rpcStatus = switch (status) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 500 -> "INTERNAL";
            default -> "UNAVAILABLE";
        };
        assertThatThrownBy(() -> client.models.generateContent(up.model, "Say hello.", null))
                .isInstanceOfSatisfying(expected, e -> {
                    assertThat(e.code()).isEqualTo(status);
                    assertThat(e.status()).isEqualTo(rpcStatus);
                    assertThat(e.message()).contains(message);
                });
        up.take(fake);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "ANTHROPIC"})
    void retryAfterIsRelayedToAGeminiClient(Upstream up) throws Exception {
        // the Gen AI SDK's exceptions carry no headers: read them from a plain HTTP call on the SDK's path
        fake.answer(Reply.json(429, up.error(429, "slow down"), Map.of("retry-after", "7")));
        HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.url() + "/v1beta/models/" + up.model + ":generateContent"))
                .header("x-goog-api-key", "x").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(resp.statusCode()).isEqualTo(429);
        assertThat(resp.headers().firstValue("retry-after")).contains("7");
        assertThat(Upstream.readJson(resp.body()).get("error").get("status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        up.take(fake);
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "ANTHROPIC"})
    void requestTheProviderCannotExpressIsA400NamingTheField(Upstream up) {
        fake.answer(Reply.json(200, up.textAnswer()));
        List<Content> contents;
        GenerateContentConfig.Builder config = GenerateContentConfig.builder();
        String field;
        String says;
        if (up == Upstream.OPENAI) {
            contents = List.of(Content.builder().role("user").parts(Part.fromText("Summarize."),
                    Part.fromUri("http://127.0.0.1:9/a.pdf", "application/pdf")).build());
            field = "$.contents[0].parts[1]";
            says = "internal addresses are not fetched";
        } else {
            contents = List.of(Content.builder().role("user").parts(Part.fromText("Say hello.")).build());
            config.candidateCount(2);
            field = "$.generationConfig.candidateCount";
            says = "one choice per request";
        }

        assertThatThrownBy(() -> client.models.generateContent(up.model, contents, config.build()))
                .isInstanceOfSatisfying(ClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.status()).isEqualTo("INVALID_ARGUMENT");
                    assertThat(e.message()).contains(says);
                });
        assertThat(fake.pending()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "ANTHROPIC"})
    void requestTheProviderCannotExpressIsNamedByItsPathInTheClientRequest(Upstream up) {
        fake.answer(Reply.json(200, up.textAnswer()));
        List<Content> contents;
        GenerateContentConfig.Builder config = GenerateContentConfig.builder();
        String field;
        if (up == Upstream.OPENAI) {
            contents = List.of(Content.builder().role("user").parts(Part.fromText("Summarize."),
                    Part.fromUri("http://127.0.0.1:9/a.pdf", "application/pdf")).build());
            field = "$.contents[0].parts[1]";
        } else {
            contents = List.of(Content.builder().role("user").parts(Part.fromText("Say hello.")).build());
            config.candidateCount(2);
            field = "$.generationConfig.candidateCount";
        }

        assertThatThrownBy(() -> client.models.generateContent(up.model, contents, config.build()))
                .isInstanceOfSatisfying(ClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.status()).isEqualTo("INVALID_ARGUMENT");
                    assertThat(e.message()).contains(field);
                });
        assertThat(fake.pending()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Upstream.class, names = {"OPENAI", "ANTHROPIC"})
    void droppedHarmlessFieldsAreListedInTheHeader(Upstream up) {
        up.answer(fake, up.textAnswer());
        GenerateContentConfig.Builder config = GenerateContentConfig.builder();
        String field;
        if (up == Upstream.OPENAI) {
            config.topK(5f);
            field = "top_k";
        } else {
            config.seed(42);
            field = "seed";
        }

        GenerateContentResponse r = client.models.generateContent(up.model, "Say hello.", config.build());

        assertThat(r.text()).isEqualTo("Hello!");
        assertThat(header(r, "x-rosetta-dropped")).contains(field);
        assertThat(up.take(fake).toString()).doesNotContain("top_k").doesNotContain("topK").doesNotContain("seed");

        up.answer(fake, up.textAnswer());
        GenerateContentResponse clean = client.models.generateContent(up.model, "Say hello.", null);
        assertThat(header(clean, "x-rosetta-dropped")).isEmpty();
        up.take(fake);
    }

    private static Tool weatherTool() {
        return Tool.builder().functionDeclarations(FunctionDeclaration.builder().name("get_weather")
                .description("Current weather")
                .parameters(Schema.builder().type("OBJECT")
                        .properties(Map.of("city", Schema.builder().type("STRING").build()))
                        .required("city").build())
                .build()).build();
    }

    private static Optional<String> header(GenerateContentResponse r, String name) {
        Map<String, String> headers = r.sdkHttpResponse().flatMap(h -> h.headers()).orElseThrow();
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst();
    }
}
