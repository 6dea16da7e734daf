package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ApiException;
import com.google.genai.errors.ClientException;
import com.google.genai.errors.ServerException;
import com.google.genai.types.Content;
import com.google.genai.types.CountTokensResponse;
import com.google.genai.types.EmbedContentResponse;
import com.google.genai.types.FinishReason;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.google.genai.types.Model;
import com.google.genai.types.Part;
import com.google.genai.types.Schema;
import com.google.genai.types.Tool;
import com.google.genai.types.Type;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.TestGateway;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The official Gemini SDK (google-genai) against Rosetta: same-dialect calls reach a fake Gemini
 * upstream speaking the real wire format, and come back as the SDK expects; the gateway's own errors
 * reach the SDK as Gemini errors.
 */
@TestInstance(PER_CLASS)
class GeminiSdkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final String ANSWER = """
            {"candidates":[{"content":{"parts":[{"text":"Paris is the capital of France."}],"role":"model"},\
            "finishReason":"STOP","index":0}],\
            "usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":7,"totalTokenCount":16,\
            "promptTokensDetails":[{"modality":"TEXT","tokenCount":9}]},\
            "modelVersion":"gemini-2.5-flash","responseId":"mR8raJ-abc","rosettaUnknownField":{"kept":[1,2,3]}}""";

    private FakeUpstream fake;
    private TestGateway gateway;
    private Client client;
    private Client direct;

    @BeforeAll
    void start() {
        fake = new FakeUpstream();
        gateway = TestGateway.withProviders(fake);
        client = client(gateway.url(), "v1beta");
        direct = client(fake.baseUrl(), "v1beta");
    }

    @AfterAll
    void stop() {
        client.close();
        direct.close();
        gateway.close();
        fake.close();
    }

    @BeforeEach
    void forgetEarlierRequests() {
        while (fake.pending() > 0) {
            fake.take();
        }
    }

    static Client client(String baseUrl, String apiVersion) {
        return Client.builder().apiKey("any")
                .httpOptions(HttpOptions.builder().baseUrl(baseUrl).apiVersion(apiVersion)
                        .retryOptions(HttpRetryOptions.builder().attempts(1).build()).build())
                .build();
    }

    /** What the SDK sends for {@code call} when it talks to the upstream itself, without the gateway. */
    private Recorded sentDirectly(Consumer<Client> call) {
        call.accept(direct);
        return fake.take();
    }

    @Test
    void generateContentIsRelayedWithTheProviderKeyAndTheBodyUnchanged() {
        fake.answer(Reply.json(200, ANSWER));

        GenerateContentResponse response = client.models.generateContent("gemini-test",
                "What is the capital of France?", GenerateContentConfig.builder().temperature(0.2f).build());

        assertThat(response.text()).isEqualTo("Paris is the capital of France.");
        assertThat(response.finishReason().knownEnum()).isEqualTo(FinishReason.Known.STOP);
        assertThat(response.usageMetadata().orElseThrow().promptTokenCount()).contains(9);
        assertThat(response.usageMetadata().orElseThrow().candidatesTokenCount()).contains(7);
        assertThat(response.usageMetadata().orElseThrow().totalTokenCount()).contains(16);
        assertThat(response.modelVersion()).contains("gemini-2.5-flash");
        assertThat(response.responseId()).contains("mR8raJ-abc");

        Recorded viaGateway = fake.take();
        assertThat(viaGateway.method()).isEqualTo("POST");
        assertThat(viaGateway.path()).isEqualTo("/v1beta/models/gemini-upstream:generateContent");
        assertThat(viaGateway.headers().getAll("x-goog-api-key")).containsExactly(TestGateway.GEMINI_KEY);
        assertThat(viaGateway.query()).doesNotContain("key=");
        assertThat(viaGateway.headers().entries()).noneMatch(h -> h.getValue().equals("any"));

        Recorded original = sentDirectly(c -> c.models.generateContent("gemini-upstream",
                "What is the capital of France?", GenerateContentConfig.builder().temperature(0.2f).build()));
        assertThat(original.headers().get("x-goog-api-key")).isEqualTo("any");
        assertThat(viaGateway.body()).isEqualTo(original.body());
    }

    @Test
    void unknownFieldsInTheUpstreamAnswerReachTheClient() throws Exception {
        fake.answer(Reply.json(200, ANSWER));

        HttpResponse<String> raw = post("/v1beta/models/gemini-test:generateContent",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}");

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).isEqualTo(ANSWER);
        assertThat(JSON.readTree(raw.body()).at("/rosettaUnknownField/kept/2").asInt()).isEqualTo(3);
    }

    @Test
    void streamGenerateContentAssemblesTheChunksAndKeepsTheLastUsage() {
        fake.answer(Reply.sse(
                "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hello\"}],\"role\":\"model\"},\"index\":0}],"
                        + "\"usageMetadata\":{\"promptTokenCount\":9,\"totalTokenCount\":9},"
                        + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"abc\"}\r\n\r\n",
                "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" there!\"}],\"role\":\"model\"},\"index\":0}],"
                        + "\"usageMetadata\":{\"promptTokenCount\":9,\"totalTokenCount\":9},"
                        + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"abc\"}\r\n\r\n",
                "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":\"model\"},"
                        + "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":9,"
                        + "\"candidatesTokenCount\":3,\"totalTokenCount\":12},"
                        + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"abc\"}\r\n\r\n"));

        StringBuilder text = new StringBuilder();
        List<GenerateContentResponse> chunks = new ArrayList<>();
        try (ResponseStream<GenerateContentResponse> stream =
                     client.models.generateContentStream("gemini-test", "Say hello", null)) {
            for (GenerateContentResponse chunk : stream) {
                chunks.add(chunk);
                text.append(chunk.text() == null ? "" : chunk.text());
            }
        }

        assertThat(chunks).hasSize(3);
        assertThat(text.toString()).isEqualTo("Hello there!");
        GenerateContentResponse last = chunks.get(2);
        assertThat(last.finishReason().knownEnum()).isEqualTo(FinishReason.Known.STOP);
        assertThat(last.usageMetadata().orElseThrow().candidatesTokenCount()).contains(3);
        assertThat(last.usageMetadata().orElseThrow().totalTokenCount()).contains(12);

        Recorded got = fake.take();
        assertThat(got.path()).isEqualTo("/v1beta/models/gemini-upstream:streamGenerateContent");
        assertThat(got.query()).isEqualTo("alt=sse");
        assertThat(got.headers().getAll("x-goog-api-key")).containsExactly(TestGateway.GEMINI_KEY);
    }

    @Test
    void functionCallsAndFunctionResponsesPassThrough() {
        GenerateContentConfig config = GenerateContentConfig.builder()
                .tools(Tool.builder().functionDeclarations(FunctionDeclaration.builder()
                        .name("get_weather").description("Current weather in a city")
                        .parameters(Schema.builder().type(Type.Known.OBJECT)
                                .properties(Map.of("city", Schema.builder().type(Type.Known.STRING).build()))
                                .required("city"))))
                .build();
        fake.answer(Reply.json(200, """
                {"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},\
                "thoughtSignature":"c2lnbmF0dXJl"}],"role":"model"},"finishReason":"STOP","index":0}],\
                "usageMetadata":{"promptTokenCount":60,"candidatesTokenCount":7,"totalTokenCount":67},\
                "modelVersion":"gemini-2.5-flash","responseId":"def"}"""));

        GenerateContentResponse response = client.models.generateContent("gemini-test", "Weather in Paris?", config);

        assertThat(response.functionCalls()).hasSize(1);
        FunctionCall call = response.functionCalls().get(0);
        assertThat(call.name()).contains("get_weather");
        assertThat(call.args().orElseThrow()).containsEntry("city", "Paris");
        Recorded first = fake.take();
        assertThat(first.bodyText()).contains("\"functionDeclarations\"").contains("\"get_weather\"");
        assertThat(first.body()).isEqualTo(sentDirectly(c -> c.models.generateContent("gemini-upstream",
                "Weather in Paris?", config)).body());

        List<Content> followUp = List.of(
                Content.builder().role("user").parts(Part.fromText("Weather in Paris?")).build(),
                response.candidates().orElseThrow().get(0).content().orElseThrow(),
                Content.builder().role("user").parts(Part.fromFunctionResponse("get_weather",
                        Map.of("temperature_c", 21, "sky", "clear"))).build());
        fake.answer(Reply.json(200, ANSWER));

        assertThat(client.models.generateContent("gemini-test", followUp, config).text())
                .isEqualTo("Paris is the capital of France.");

        Recorded second = fake.take();
        assertThat(second.bodyText()).contains("\"functionResponse\"").contains("\"thoughtSignature\":\"c2lnbmF0dXJl\"");
        assertThat(second.body()).isEqualTo(sentDirectly(c -> c.models.generateContent("gemini-upstream",
                followUp, config)).body());
    }

    @Test
    void anUpstreamRateLimitReachesTheSdkAsItsTypedError() {
        fake.answer(Reply.json(429, """
                {"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).",\
                "status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo",\
                "retryDelay":"7s"}]}}""", Map.of("retry-after", "7")));

        assertThatThrownBy(() -> client.models.generateContent("gemini-test", "hi", null))
                .isInstanceOfSatisfying(ClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(429);
                    assertThat(e.status()).isEqualTo("RESOURCE_EXHAUSTED");
                    assertThat(e.message()).startsWith("Resource has been exhausted (e.g. check quota).");
                });
        assertThat(fake.take().path()).isEqualTo("/v1beta/models/gemini-upstream:generateContent");
    }

    @Test
    void anUpstreamInvalidArgumentReachesTheSdkAsItsTypedError() {
        fake.answer(Reply.json(400, """
                {"error":{"code":400,"message":"* GenerateContentRequest.contents: contents is not specified\\n",\
                "status":"INVALID_ARGUMENT"}}"""));

        assertThatThrownBy(() -> client.models.generateContentStream("gemini-test", "hi", null))
                .isInstanceOfSatisfying(ClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.status()).isEqualTo("INVALID_ARGUMENT");
                    assertThat(e.message()).startsWith("* GenerateContentRequest.contents");
                });
    }

    @Test
    void anUnknownModelIsAGeminiNotFound() {
        assertThatThrownBy(() -> client.models.generateContent("no-such-model", "hi", null))
                .isInstanceOfSatisfying(ClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(404);
                    assertThat(e.status()).isEqualTo("NOT_FOUND");
                    assertThat(e.message()).contains("no-such-model");
                });
        assertThat(fake.pending()).isZero();
    }

    @Test
    void malformedJsonIsAGeminiInvalidArgument() throws Exception {
        HttpResponse<String> raw = post("/v1beta/models/gemini-test:generateContent", "{\"contents\": [");

        assertThat(raw.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(raw.body()).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(400);
        assertThat(error.get("status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error.get("message").asText()).contains("malformed JSON");
        assertThat(fake.pending()).isZero();
    }

    @Test
    void countTokensIsRelayed() {
        fake.answer(Reply.json(200, "{\"totalTokens\":31,\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":31}]}"));

        CountTokensResponse count = client.models.countTokens("gemini-test", "How many tokens is this?", null);

        assertThat(count.totalTokens()).contains(31);
        Recorded got = fake.take();
        assertThat(got.path()).isEqualTo("/v1beta/models/gemini-upstream:countTokens");
        assertThat(got.headers().getAll("x-goog-api-key")).containsExactly(TestGateway.GEMINI_KEY);
        assertThat(got.body()).isEqualTo(sentDirectly(c ->
                c.models.countTokens("gemini-upstream", "How many tokens is this?", null)).body());
    }

    @Test
    void embedContentOfOneTextIsRelayed() {
        fake.answer(r -> Reply.json(200, r.path().endsWith(":batchEmbedContents")
                ? "{\"embeddings\":[{\"values\":[0.25,-0.5,0.75]}]}"
                : "{\"embedding\":{\"values\":[0.25,-0.5,0.75]}}"));

        EmbedContentResponse response = client.models.embedContent("gemini-test", "hello", null);

        assertThat(response.embeddings().orElseThrow()).hasSize(1);
        assertThat(response.embeddings().orElseThrow().get(0).values().orElseThrow()).containsExactly(0.25f, -0.5f, 0.75f);
        Recorded got = fake.take();
        // the SDK sends even one text as a batch, naming the model again in the body
        assertThat(got.path()).isEqualTo("/v1beta/models/gemini-upstream:batchEmbedContents");
        assertThat(got.bodyText()).contains("\"model\":\"models/gemini-upstream\"").doesNotContain("gemini-test");
        assertThat(got.body()).isEqualTo(sentDirectly(c -> c.models.embedContent("gemini-upstream", "hello", null)).body());
    }

    @Test
    void batchEmbedContentsIsRelayed() {
        fake.answer(Reply.json(200, "{\"embeddings\":[{\"values\":[0.1,0.2]},{\"values\":[0.3,0.4]}]}"));

        EmbedContentResponse response = client.models.embedContent("gemini-test", List.of("one", "two"), null);

        assertThat(response.embeddings().orElseThrow()).extracting(e -> e.values().orElseThrow())
                .containsExactly(List.of(0.1f, 0.2f), List.of(0.3f, 0.4f));
        Recorded got = fake.take();
        assertThat(got.path()).isEqualTo("/v1beta/models/gemini-upstream:batchEmbedContents");
        assertThat(got.bodyText()).doesNotContain("gemini-test");
        assertThat(got.body()).isEqualTo(sentDirectly(c ->
                c.models.embedContent("gemini-upstream", List.of("one", "two"), null)).body());
    }

    @Test
    void rawEmbedContentIsRelayed() throws Exception {
        String body = "{\"content\":{\"parts\":[{\"text\":\"hello\"}]},\"taskType\":\"RETRIEVAL_QUERY\"}";
        fake.answer(Reply.json(200, "{\"embedding\":{\"values\":[0.5,0.5]}}"));

        HttpResponse<String> raw = post("/v1beta/models/gemini-test:embedContent", body);

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).isEqualTo("{\"embedding\":{\"values\":[0.5,0.5]}}");
        Recorded got = fake.take();
        assertThat(got.path()).isEqualTo("/v1beta/models/gemini-upstream:embedContent");
        assertThat(got.bodyText()).isEqualTo(body);
    }

    @Test
    void listModelsShowsTheConfiguredModels() {
        List<String> names = new ArrayList<>();
        for (Model m : client.models.list(null)) {
            names.add(m.name().orElseThrow());
        }

        assertThat(names).containsExactlyInAnyOrder("models/gpt-test", "models/claude-test", "models/gemini-test",
                "models/mock-gpt");
        assertThat(fake.pending()).isZero();
    }

    @Test
    void theV1PathIsRelayedToTheUpstreamsV1() {
        fake.answer(Reply.json(200, ANSWER));
        try (Client v1 = client(gateway.url(), "v1")) {
            assertThat(v1.models.generateContent("gemini-test", "hi", null).text())
                    .isEqualTo("Paris is the capital of France.");
        }
        Recorded got = fake.take();
        assertThat(got.path()).isEqualTo("/v1/models/gemini-upstream:generateContent");
        assertThat(got.headers().getAll("x-goog-api-key")).containsExactly(TestGateway.GEMINI_KEY);
    }

    @Test
    void theJsonArrayStreamIsRelayedAsTheUpstreamSentIt() throws Exception {
        String first = "[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"},\"index\":0}],"
                + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"arr\"}";
        String second = ",\r\n{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}],\"role\":\"model\"},"
                + "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":2,"
                + "\"candidatesTokenCount\":2,\"totalTokenCount\":4},\"modelVersion\":\"gemini-2.5-flash\","
                + "\"responseId\":\"arr\"}]";
        fake.answer(Reply.stream("application/json; charset=UTF-8",
                List.of(Step.write(first), new Step.Pause(50), Step.write(second)), true));

        HttpResponse<String> raw = post("/v1beta/models/gemini-test:streamGenerateContent",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}");

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().firstValue("content-type")).contains("application/json; charset=UTF-8");
        assertThat(raw.body()).isEqualTo(first + second);
        Recorded got = fake.take();
        assertThat(got.path()).isEqualTo("/v1beta/models/gemini-upstream:streamGenerateContent");
        assertThat(got.query()).isEmpty();
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + path))
                        .header("content-type", "application/json").header("x-goog-api-key", "any")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Errors the gateway itself raises, on a gateway with tight limits and an unreachable provider. */
    @Nested
    @TestInstance(PER_CLASS)
    class GatewayErrors {

        private FakeUpstream slow;
        private TestGateway limited;
        private Client sdk;

        @BeforeAll
        void start() throws IOException {
            int closedPort;
            try (ServerSocket s = new ServerSocket(0)) {
                closedPort = s.getLocalPort();
            }
            slow = new FakeUpstream();
            limited = TestGateway.start("""
                    max_body_size: 1KiB
                    providers:
                      - name: slow
                        type: gemini
                        base_url: %s
                        api_key: ${GEMINI_API_KEY}
                        timeout: 1s
                      - name: dead
                        type: gemini
                        base_url: http://127.0.0.1:%d
                        api_key: ${GEMINI_API_KEY}
                    models:
                      - name: gemini-slow
                        provider: slow
                      - name: gemini-dead
                        provider: dead
                    """.formatted(slow.baseUrl(), closedPort));
            sdk = client(limited.url(), "v1beta");
        }

        @AfterAll
        void stop() {
            sdk.close();
            limited.close();
            slow.close();
        }

        @Test
        void anUnreachableUpstreamIsA502() {
            assertThatThrownBy(() -> sdk.models.generateContent("gemini-dead", "hi", null))
                    .isInstanceOfSatisfying(ServerException.class, e -> {
                        assertThat(e.code()).isEqualTo(502);
                        assertThat(e.status()).isEqualTo("UNAVAILABLE");
                        assertThat(e.message()).contains("dead");
                    });
        }

        @Test
        void anUpstreamThatDoesNotAnswerInTimeIsA504() {
            slow.answer(new Reply(200, Map.of("content-type", "application/json"),
                    List.of(new Step.Pause(3000), Step.write(ANSWER)), true));

            assertThatThrownBy(() -> sdk.models.generateContent("gemini-slow", "hi", null))
                    .isInstanceOfSatisfying(ServerException.class, e -> {
                        assertThat(e.code()).isEqualTo(504);
                        assertThat(e.status()).isEqualTo("DEADLINE_EXCEEDED");
                        assertThat(e.message()).contains("slow");
                    });
            assertThat(slow.take().path()).isEqualTo("/v1beta/models/gemini-slow:generateContent");
        }

        @Test
        void aBodyOverTheLimitIsA413() {
            String big = "x".repeat(2048);

            assertThatThrownBy(() -> sdk.models.generateContent("gemini-slow", big, null))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(413);
                        assertThat(e.message()).contains("1024 bytes");
                    });
            assertThat(slow.pending()).isZero();
        }
    }
}
