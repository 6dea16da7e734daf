package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnexpectedStatusCodeException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseOutputText;
import com.openai.models.responses.ResponseStreamEvent;
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
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The official OpenAI Java SDK against the gateway, with a fake OpenAI upstream speaking the real
 * wire format: same-dialect calls pass through byte for byte (but for the model), and the gateway's
 * own errors reach the SDK as its typed exceptions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkTest {

    /** The key the client presents to the gateway; it must never reach the provider. */
    private static final String CLIENT_KEY = "sk-client-CLIENT-KEY-7777";

    private FakeUpstream fake;
    private TestGateway gateway;
    private OpenAIClient client;
    private OpenAIClient direct;
    private TestGateway edge;
    private OpenAIClient edgeClient;

    @BeforeAll
    void start() {
        fake = new FakeUpstream();
        gateway = TestGateway.withProviders(fake);
        client = sdk(gateway.url() + "/v1");
        direct = sdk(fake.baseUrl() + "/v1");
        edge = edgeGateway(closedPort());
        edgeClient = sdk(edge.url() + "/v1");
    }

    @AfterAll
    void stop() {
        client.close();
        direct.close();
        edgeClient.close();
        edge.close();
        gateway.close();
        fake.close();
    }

    @BeforeEach
    void drain() {
        while (fake.pending() > 0) {
            fake.take();
        }
    }

    private static OpenAIClient sdk(String baseUrl) {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey(CLIENT_KEY).maxRetries(0).build();
    }

    // ---------------------------------------------------------------- plain

    private static final String CHAT_REPLY = """
            {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,\
            "model":"gpt-4.1-2025-04-14","system_fingerprint":"fp_a1b2c3","service_tier":"default",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there!","refusal":null,"annotations":[]},\
            "logprobs":null,"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,\
            "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},\
            "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},\
            "x_upstream_extra":{"kept":true}}""";

    private static final Map<String, String> OPENAI_HEADERS = Map.of(
            "x-request-id", "req_abc123upstream",
            "openai-processing-ms", "187",
            "x-ratelimit-remaining-requests", "9999",
            "x-ratelimit-limit-tokens", "30000000");

    @Test
    void chatCompletionIsRelayedWithTheProviderKeyAndTheSdksOwnBytes() {
        fake.answer(Reply.json(200, CHAT_REPLY, OPENAI_HEADERS));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("gpt-test")
                .addSystemMessage("Be brief.")
                .addUserMessage("Say hello")
                .temperature(0.2)
                .maxCompletionTokens(64)
                .build();

        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(params);
        ChatCompletion completion = raw.parse();
        Recorded up = fake.take();

        assertThat(completion.id()).isEqualTo("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
        assertThat(completion.choices().get(0).message().content()).contains("Hello there!");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isEqualTo(9);
            assertThat(u.completionTokens()).isEqualTo(3);
            assertThat(u.totalTokens()).isEqualTo(12);
        });
        assertThat(completion._additionalProperties().get("x_upstream_extra"))
                .isEqualTo(JsonValue.from(Map.of("kept", true)));
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.requestId()).contains("req_abc123upstream");
        assertThat(raw.headers().values("openai-processing-ms")).containsExactly("187");
        assertThat(raw.headers().values("x-ratelimit-remaining-requests")).containsExactly("9999");
        assertThat(raw.headers().values("x-ratelimit-limit-tokens")).containsExactly("30000000");

        assertThat(up.method()).isEqualTo("POST");
        assertThat(up.path()).isEqualTo("/v1/chat/completions");
        assertProviderAuth(up);
        assertForwardedUnchanged(up, directBody(d -> d.chat().completions().create(params)));
    }

    @Test
    void unknownModelIsANotFoundInOpenAiShapeAndNeverReachesTheProvider() {
        NotFoundException e = catchThrowableOfType(NotFoundException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("gpt-nope").addUserMessage("hi").build()));

        assertThat(e.statusCode()).isEqualTo(404);
        assertThat(e.getMessage()).contains("model \"gpt-nope\" is not served by this gateway");
        assertThat(e.code()).contains("model_not_found");
        assertThat(e.type()).contains("not_found_error");
        assertThat(fake.pending()).isZero();
    }

    // ---------------------------------------------------------------- streaming

    private static String chunk(String id, String choicesAndUsage) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"gpt-4.1-2025-04-14\",\"system_fingerprint\":\"fp_a1b2c3\"," + choicesAndUsage + "}\n\n";
    }

    @Test
    void chatStreamWithUsageIsAssembledBySdk() {
        String id = "chatcmpl-stream1";
        String[] events = {
                chunk(id, "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null"),
                chunk(id, "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null"),
                chunk(id, "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there!\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null"),
                chunk(id, "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null"),
                chunk(id, "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                        + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}"),
                "data: [DONE]\n\n"};
        fake.answer(Reply.sse(events));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("gpt-test")
                .addUserMessage("Say hello")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(acc::accumulate);
        }
        ChatCompletion assembled = acc.chatCompletion();
        Recorded up = fake.take();

        assertThat(assembled.id()).isEqualTo(id);
        assertThat(assembled.choices().get(0).message().content()).contains("Hello there!");
        assertThat(assembled.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(assembled.usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isEqualTo(9);
            assertThat(u.completionTokens()).isEqualTo(3);
        });
        assertThat(up.path()).isEqualTo("/v1/chat/completions");
        assertThat(up.bodyText()).contains("\"stream\":true").contains("\"include_usage\":true");
        assertProviderAuth(up);
        assertForwardedUnchanged(up, directBody(d -> {
            try (StreamResponse<ChatCompletionChunk> s = d.chat().completions().createStreaming(params)) {
                s.stream().forEach(c -> { });
            }
        }));
    }

    private static final String RESPONSE_SKELETON = "\"object\":\"response\",\"created_at\":1741569952,"
            + "\"error\":null,\"incomplete_details\":null,\"instructions\":null,\"max_output_tokens\":null,"
            + "\"model\":\"gpt-4.1-2025-04-14\",\"parallel_tool_calls\":true,\"previous_response_id\":null,"
            + "\"reasoning\":{\"effort\":null,\"summary\":null},\"store\":true,\"temperature\":1.0,"
            + "\"text\":{\"format\":{\"type\":\"text\"}},\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1.0,"
            + "\"truncation\":\"disabled\",\"user\":null,\"metadata\":{}";

    private static String event(String type, int seq, String fields) {
        return "event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":" + seq + "," + fields + "}\n\n";
    }

    @Test
    void responsesStreamIsAssembledBySdk() {
        String item = "{\"type\":\"message\",\"id\":\"msg_67c\",\"role\":\"assistant\",\"status\":\"completed\","
                + "\"content\":[{\"type\":\"output_text\",\"text\":\"Hello there!\",\"annotations\":[],\"logprobs\":[]}]}";
        fake.answer(Reply.sse(
                event("response.created", 0, "\"response\":{\"id\":\"resp_67c\"," + RESPONSE_SKELETON
                        + ",\"status\":\"in_progress\",\"output\":[],\"usage\":null}"),
                event("response.in_progress", 1, "\"response\":{\"id\":\"resp_67c\"," + RESPONSE_SKELETON
                        + ",\"status\":\"in_progress\",\"output\":[],\"usage\":null}"),
                event("response.output_item.added", 2, "\"output_index\":0,\"item\":{\"type\":\"message\","
                        + "\"id\":\"msg_67c\",\"role\":\"assistant\",\"status\":\"in_progress\",\"content\":[]}"),
                event("response.content_part.added", 3, "\"item_id\":\"msg_67c\",\"output_index\":0,\"content_index\":0,"
                        + "\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[],\"logprobs\":[]}"),
                event("response.output_text.delta", 4, "\"item_id\":\"msg_67c\",\"output_index\":0,\"content_index\":0,"
                        + "\"delta\":\"Hello\",\"logprobs\":[]"),
                event("response.output_text.delta", 5, "\"item_id\":\"msg_67c\",\"output_index\":0,\"content_index\":0,"
                        + "\"delta\":\" there!\",\"logprobs\":[]"),
                event("response.output_text.done", 6, "\"item_id\":\"msg_67c\",\"output_index\":0,\"content_index\":0,"
                        + "\"text\":\"Hello there!\",\"logprobs\":[]"),
                event("response.content_part.done", 7, "\"item_id\":\"msg_67c\",\"output_index\":0,\"content_index\":0,"
                        + "\"part\":{\"type\":\"output_text\",\"text\":\"Hello there!\",\"annotations\":[],\"logprobs\":[]}"),
                event("response.output_item.done", 8, "\"output_index\":0,\"item\":" + item),
                event("response.completed", 9, "\"response\":{\"id\":\"resp_67c\"," + RESPONSE_SKELETON
                        + ",\"status\":\"completed\",\"output\":[" + item + "],"
                        + "\"usage\":{\"input_tokens\":9,\"input_tokens_details\":{\"cached_tokens\":0},"
                        + "\"output_tokens\":3,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":12}}")));
        ResponseCreateParams params = ResponseCreateParams.builder()
                .model("gpt-test")
                .instructions("Be brief.")
                .input("Say hello")
                .build();

        ResponseAccumulator acc = ResponseAccumulator.create();
        StringBuilder deltas = new StringBuilder();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
            stream.stream().map(acc::accumulate).forEach(e ->
                    e.outputTextDelta().ifPresent(d -> deltas.append(d.delta())));
        }
        Response response = acc.response();
        Recorded up = fake.take();

        assertThat(deltas).hasToString("Hello there!");
        assertThat(response.id()).isEqualTo("resp_67c");
        assertThat(response.status()).hasValueSatisfying(s -> assertThat(s.asString()).isEqualTo("completed"));
        assertThat(response.output().get(0).asMessage().content().get(0).outputText())
                .map(ResponseOutputText::text).contains("Hello there!");
        assertThat(response.usage()).hasValueSatisfying(u -> {
            assertThat(u.inputTokens()).isEqualTo(9);
            assertThat(u.outputTokens()).isEqualTo(3);
            assertThat(u.totalTokens()).isEqualTo(12);
        });
        assertThat(up.path()).isEqualTo("/v1/responses");
        assertProviderAuth(up);
        assertForwardedUnchanged(up, directBody(d -> {
            try (StreamResponse<ResponseStreamEvent> s = d.responses().createStreaming(params)) {
                s.stream().forEach(e -> { });
            }
        }));
    }

    // ---------------------------------------------------------------- tools

    private static ChatCompletionCreateParams.Builder weatherRequest() {
        return ChatCompletionCreateParams.builder()
                .model("gpt-test")
                .addFunctionTool(FunctionDefinition.builder()
                        .name("get_weather")
                        .description("Current weather for a city")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                        "city", Map.of("type", "string"))))
                                .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                                .build())
                        .build())
                .addUserMessage("What's the weather in Paris?");
    }

    @Test
    void toolCallOutAndToolResultInPassThrough() {
        fake.answer(Reply.json(200, """
                {"id":"chatcmpl-tool1","object":"chat.completion","created":1741569960,"model":"gpt-4.1-2025-04-14",\
                "system_fingerprint":"fp_a1b2c3","service_tier":"default",\
                "choices":[{"index":0,"finish_reason":"tool_calls","logprobs":null,\
                "message":{"role":"assistant","content":null,"refusal":null,"annotations":[],\
                "tool_calls":[{"id":"call_Wx8pQ2","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]}}],\
                "usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99,\
                "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},\
                "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}"""));
        ChatCompletionCreateParams first = weatherRequest().build();

        ChatCompletion completion = client.chat().completions().create(first);
        Recorded up = fake.take();

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessage message = choice.message();
        assertThat(message.toolCalls()).hasValueSatisfying(calls -> assertThat(calls).hasSize(1));
        ChatCompletionMessageFunctionToolCall call = message.toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_Wx8pQ2");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(up.bodyText()).contains("\"tools\":[").contains("\"get_weather\"");
        assertForwardedUnchanged(up, directBody(d -> d.chat().completions().create(first)));

        fake.answer(Reply.json(200, CHAT_REPLY));
        ChatCompletionCreateParams followUp = weatherRequest()
                .addMessage(message)
                .addMessage(ChatCompletionToolMessageParam.builder()
                        .toolCallId(call.id())
                        .content("{\"temp_c\":18,\"sky\":\"clear\"}")
                        .build())
                .build();

        ChatCompletion answer = client.chat().completions().create(followUp);
        Recorded upFollowUp = fake.take();

        assertThat(answer.choices().get(0).message().content()).contains("Hello there!");
        assertThat(upFollowUp.bodyText()).contains("\"tool_call_id\":\"call_Wx8pQ2\"")
                .contains("\"role\":\"tool\"");
        assertForwardedUnchanged(upFollowUp, directBody(d -> d.chat().completions().create(followUp)));
    }

    @Test
    void streamedToolCallArgumentsAreAssembledBySdk() {
        String id = "chatcmpl-tool2";
        fake.answer(Reply.sse(
                chunk(id, "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                        + "[{\"index\":0,\"id\":\"call_Zq71\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                        + "\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}]"),
                chunk(id, "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                        + "{\"arguments\":\"{\\\"ci\"}}]},\"logprobs\":null,\"finish_reason\":null}]"),
                chunk(id, "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                        + "{\"arguments\":\"ty\\\":\\\"Paris\\\"}\"}}]},\"logprobs\":null,\"finish_reason\":null}]"),
                chunk(id, "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]"),
                "data: [DONE]\n\n"));

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(weatherRequest().build())) {
            stream.stream().forEach(acc::accumulate);
        }
        fake.take();

        ChatCompletion.Choice choice = acc.chatCompletion().choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_Zq71");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
    }

    // ---------------------------------------------------------------- upstream errors

    @Test
    void upstreamRateLimitRaisesRateLimitExceptionWithTheUpstreamMessageAndHeaders() {
        fake.answer(Reply.json(429, """
                {"error":{"message":"Rate limit reached for gpt-4.1 in organization org-abc on tokens per min (TPM): \
                Limit 30000, Used 30000, Requested 120. Please try again in 20s.","type":"tokens","param":null,\
                "code":"rate_limit_exceeded"}}""",
                Map.of("retry-after", "20", "x-request-id", "req_rl429", "x-ratelimit-remaining-tokens", "0")));

        RateLimitException e = catchThrowableOfType(RateLimitException.class,
                () -> client.chat().completions().create(weatherRequest().build()));

        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.getMessage()).contains("Rate limit reached for gpt-4.1");
        assertThat(e.code()).contains("rate_limit_exceeded");
        assertThat(e.headers().values("retry-after")).containsExactly("20");
        assertThat(e.headers().values("x-request-id")).containsExactly("req_rl429");
        assertThat(e.headers().values("x-ratelimit-remaining-tokens")).containsExactly("0");
        assertThat(fake.take().path()).isEqualTo("/v1/chat/completions");
    }

    @Test
    void upstreamBadRequestRaisesBadRequestExceptionWithParam() {
        fake.answer(Reply.json(400, """
                {"error":{"message":"Invalid 'messages[0].content': string too long.","type":"invalid_request_error",\
                "param":"messages[0].content","code":"string_above_max_length"}}""",
                Map.of("x-request-id", "req_bad400")));

        BadRequestException e = catchThrowableOfType(BadRequestException.class,
                () -> client.chat().completions().create(weatherRequest().build()));

        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.getMessage()).contains("Invalid 'messages[0].content': string too long.");
        assertThat(e.param()).contains("messages[0].content");
        assertThat(e.type()).contains("invalid_request_error");
        assertThat(e.headers().values("x-request-id")).containsExactly("req_bad400");
        fake.take();
    }

    // ---------------------------------------------------------------- the gateway's own errors

    /** A gateway with a 1 s provider timeout, a 1 KiB body limit and a provider nobody listens for. */
    private TestGateway edgeGateway(int closedPort) {
        return TestGateway.start("""
                port: 0
                max_body_size: 1KiB
                providers:
                  - name: slow
                    type: openai
                    base_url: %s/v1
                    api_key: ${OPENAI_API_KEY}
                    timeout: 1s
                  - name: dead
                    type: openai
                    base_url: http://127.0.0.1:%d/v1
                    api_key: ${OPENAI_API_KEY}
                    connect_timeout: 2s
                models:
                  - name: gpt-slow
                    provider: slow
                  - name: gpt-dead
                    provider: dead
                """.formatted(fake.baseUrl(), closedPort));
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void unreachableUpstreamIsA502() {
        InternalServerException e = catchThrowableOfType(InternalServerException.class, () -> edgeClient.chat().completions()
                .create(ChatCompletionCreateParams.builder().model("gpt-dead").addUserMessage("hi").build()));

        assertThat(e.statusCode()).isEqualTo(502);
        assertThat(e.getMessage()).contains("could not connect to upstream provider dead");
        assertThat(e.type()).contains("server_error");
    }

    @Test
    void slowUpstreamIsA504() {
        CompletableFuture<Void> never = new CompletableFuture<>();
        fake.answer(Reply.stream("application/json", List.of(new Step.Await(never), Step.write(CHAT_REPLY)), true));
        try {
            InternalServerException e = catchThrowableOfType(InternalServerException.class, () -> edgeClient.chat().completions()
                    .create(ChatCompletionCreateParams.builder().model("gpt-slow").addUserMessage("hi").build()));

            assertThat(e.statusCode()).isEqualTo(504);
            assertThat(e.getMessage()).contains("upstream provider slow did not answer within 1s");
            assertThat(e.type()).contains("timeout_error");
            assertThat(fake.take().path()).isEqualTo("/v1/chat/completions");
        } finally {
            never.complete(null);
        }
    }

    @Test
    void bodyOverTheLimitIsA413() {
        UnexpectedStatusCodeException e = catchThrowableOfType(UnexpectedStatusCodeException.class, () -> edgeClient.chat()
                .completions().create(ChatCompletionCreateParams.builder().model("gpt-slow")
                        .addUserMessage("x".repeat(4096)).build()));

        assertThat(e.statusCode()).isEqualTo(413);
        assertThat(e.getMessage()).contains("request body exceeds the gateway's limit of 1024 bytes");
        assertThat(fake.pending()).isZero();
    }

    @Test
    void unknownPathIsA404InOpenAiShape() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        var response = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/complete"))
                .header("authorization", "Bearer " + CLIENT_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        assertThat(response.body()).isEqualTo("{\"error\":{\"message\":\"no such endpoint: POST /v1/chat/complete\","
                + "\"type\":\"not_found_error\",\"param\":null,\"code\":null}}");
    }

    // ---------------------------------------------------------------- embeddings and models

    @Test
    void embeddingsPassThrough() {
        fake.answer(r -> Reply.json(200, r.bodyText().contains("\"encoding_format\":\"base64\"")
                ? """
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":"AACAPwAAAEAAAEBA"}],\
                "model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}"""
                : """
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[1.0,2.0,3.0]}],\
                "model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}""",
                Map.of("x-request-id", "req_emb1")));
        EmbeddingCreateParams params = EmbeddingCreateParams.builder().model("gpt-test").input("hello world").build();

        CreateEmbeddingResponse response = client.embeddings().create(params);
        Recorded up = fake.take();

        assertThat(response.data()).hasSize(1);
        assertThat(response.data().get(0).embedding()).containsExactly(1.0f, 2.0f, 3.0f);
        assertThat(response.usage().promptTokens()).isEqualTo(2);
        assertThat(up.path()).isEqualTo("/v1/embeddings");
        assertProviderAuth(up);
        assertForwardedUnchanged(up, directBody(d -> d.embeddings().create(params)));
    }

    @Test
    void modelListNamesTheConfiguredModels() {
        List<Model> models = client.models().list().data();

        assertThat(models).extracting(Model::id).containsExactly("gpt-test", "claude-test", "gemini-test", "mock-gpt");
        assertThat(models).extracting(Model::ownedBy).containsExactly("oai", "ant", "gem", "mock");
        assertThat(fake.pending()).isZero();
    }

    // ---------------------------------------------------------------- helpers

    /** The body the SDK sends for the same call made straight to the fake. */
    private String directBody(Consumer<OpenAIClient> call) {
        call.accept(direct);
        return fake.take().bodyText();
    }

    private static void assertForwardedUnchanged(Recorded up, String directBody) {
        assertThat(directBody).contains("\"model\":\"gpt-test\"");
        assertThat(up.bodyText())
                .isEqualTo(directBody.replace("\"model\":\"gpt-test\"", "\"model\":\"gpt-upstream\""));
    }

    private static void assertProviderAuth(Recorded up) {
        assertThat(up.headers().getAll("authorization")).containsExactly("Bearer " + TestGateway.OPENAI_KEY);
        up.headers().forEach(h -> assertThat(h.getValue()).as("header %s", h.getKey()).doesNotContain(CLIENT_KEY));
        assertThat(up.bodyText()).doesNotContain(CLIENT_KEY);
    }
}
