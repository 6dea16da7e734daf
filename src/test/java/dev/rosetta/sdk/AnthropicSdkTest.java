package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.ContentTooLargeException;
import com.anthropic.errors.GatewayTimeoutException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageContentParam;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageTokensCount;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.models.ModelInfo;
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
 * The official Anthropic Java SDK against the gateway, with a fake Anthropic upstream speaking the
 * real wire format: same-dialect calls pass through byte for byte (but for the model), and the
 * gateway's own errors reach the SDK as its typed exceptions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicSdkTest {

    /** The key the client presents to the gateway; it must never reach the provider. */
    private static final String CLIENT_KEY = "sk-ant-client-CLIENT-KEY-8888";

    private FakeUpstream fake;
    private TestGateway gateway;
    private AnthropicClient client;
    private AnthropicClient direct;
    private TestGateway edge;
    private AnthropicClient edgeClient;

    @BeforeAll
    void start() {
        fake = new FakeUpstream();
        gateway = TestGateway.withProviders(fake);
        client = sdk(gateway.url());
        direct = sdk(fake.baseUrl());
        edge = edgeGateway(closedPort());
        edgeClient = sdk(edge.url());
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

    private static AnthropicClient sdk(String baseUrl) {
        return AnthropicOkHttpClient.builder().baseUrl(baseUrl).apiKey(CLIENT_KEY).maxRetries(0).build();
    }

    // ---------------------------------------------------------------- plain

    private static final String MESSAGE_REPLY = """
            {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",\
            "content":[{"type":"text","text":"Hello there!"}],"stop_reason":"end_turn","stop_sequence":null,\
            "usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,\
            "cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},\
            "output_tokens":6,"service_tier":"standard"},"x_upstream_extra":{"kept":true}}""";

    private static final Map<String, String> ANTHROPIC_HEADERS = Map.of(
            "request-id", "req_011CSHoEeqs5C35K2UUqR7Fy",
            "anthropic-ratelimit-requests-remaining", "49",
            "anthropic-ratelimit-tokens-limit", "80000");

    private static MessageCreateParams.Builder hello() {
        return MessageCreateParams.builder()
                .model("claude-test")
                .maxTokens(256)
                .system("Be brief.")
                .addUserMessage("Say hello");
    }

    @Test
    void messageIsRelayedWithTheProviderKeyAndTheSdksOwnBytes() {
        fake.answer(Reply.json(200, MESSAGE_REPLY, ANTHROPIC_HEADERS));
        MessageCreateParams params = hello().build();

        HttpResponseFor<Message> raw = client.messages().withRawResponse().create(params);
        Message message = raw.parse();
        Recorded up = fake.take();

        assertThat(message.id()).isEqualTo("msg_01XFDUDYJgAACzvnptvVoYEL");
        assertThat(message.content()).hasSize(1);
        assertThat(message.content().get(0).text()).map(TextBlock::text).contains("Hello there!");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isEqualTo(25);
        assertThat(message.usage().outputTokens()).isEqualTo(6);
        assertThat(message._additionalProperties().get("x_upstream_extra"))
                .isEqualTo(JsonValue.from(Map.of("kept", true)));
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.requestId()).contains("req_011CSHoEeqs5C35K2UUqR7Fy");
        assertThat(raw.headers().values("anthropic-ratelimit-requests-remaining")).containsExactly("49");
        assertThat(raw.headers().values("anthropic-ratelimit-tokens-limit")).containsExactly("80000");

        assertThat(up.method()).isEqualTo("POST");
        assertThat(up.path()).isEqualTo("/v1/messages");
        assertProviderAuth(up);
        assertForwardedUnchanged(up, directCall(d -> d.messages().create(params)));
    }

    @Test
    void unknownModelIsANotFoundInAnthropicShapeAndNeverReachesTheProvider() {
        NotFoundException e = catchThrowableOfType(NotFoundException.class, () -> client.messages().create(
                MessageCreateParams.builder().model("claude-nope").maxTokens(16).addUserMessage("hi").build()));

        assertThat(e.statusCode()).isEqualTo(404);
        assertThat(e.apiMessage()).contains("model \"claude-nope\" is not served by this gateway");
        assertThat(e.errorType()).contains(ErrorType.NOT_FOUND_ERROR);
        assertThat(fake.pending()).isZero();
    }

    // ---------------------------------------------------------------- streaming

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    private static final String MESSAGE_START = event("message_start", "{\"type\":\"message_start\",\"message\":"
            + "{\"id\":\"msg_01Stream\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\","
            + "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,"
            + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1,"
            + "\"service_tier\":\"standard\"}}}");

    @Test
    void streamIsAssembledBySdkAccumulator() {
        fake.answer(Reply.sse(
                MESSAGE_START,
                event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
                event("ping", "{\"type\": \"ping\"}"),
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}"),
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\" there!\"}}"),
                event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":6}}"),
                event("message_stop", "{\"type\":\"message_stop\"}")));
        MessageCreateParams params = hello().build();

        MessageAccumulator acc = MessageAccumulator.create();
        StringBuilder deltas = new StringBuilder();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
            stream.stream().map(acc::accumulate).forEach(e -> e.contentBlockDelta()
                    .flatMap(d -> d.delta().text()).ifPresent(t -> deltas.append(t.text())));
        }
        Message message = acc.message();
        Recorded up = fake.take();

        assertThat(deltas).hasToString("Hello there!");
        assertThat(message.id()).isEqualTo("msg_01Stream");
        assertThat(message.content().get(0).text()).map(TextBlock::text).contains("Hello there!");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isEqualTo(25);
        assertThat(message.usage().outputTokens()).isEqualTo(6);
        assertThat(up.path()).isEqualTo("/v1/messages");
        assertThat(up.bodyText()).contains("\"stream\":true");
        assertProviderAuth(up);
        assertForwardedUnchanged(up, directCall(d -> {
            try (StreamResponse<RawMessageStreamEvent> s = d.messages().createStreaming(params)) {
                s.stream().forEach(e -> { });
            }
        }));
    }

    // ---------------------------------------------------------------- tools

    private static MessageCreateParams.Builder weatherRequest() {
        return MessageCreateParams.builder()
                .model("claude-test")
                .maxTokens(1024)
                .addTool(Tool.builder()
                        .name("get_weather")
                        .description("Current weather for a city")
                        .inputSchema(Tool.InputSchema.builder()
                                .properties(Tool.InputSchema.Properties.builder()
                                        .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string")))
                                        .build())
                                .addRequired("city")
                                .build())
                        .build())
                .addUserMessage("What's the weather in Paris?");
    }

    @Test
    void toolUseOutAndToolResultInPassThrough() {
        fake.answer(Reply.json(200, """
                {"id":"msg_01Tool","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",\
                "content":[{"type":"text","text":"Let me check."},\
                {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"city":"Paris"}}],\
                "stop_reason":"tool_use","stop_sequence":null,\
                "usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":89}}"""));
        MessageCreateParams first = weatherRequest().build();

        Message message = client.messages().create(first);
        Recorded up = fake.take();

        assertThat(message.stopReason()).contains(StopReason.TOOL_USE);
        ToolUseBlock call = message.content().get(1).asToolUse();
        assertThat(call.id()).isEqualTo("toolu_01A09q90qw90lq917835lq9");
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call._input()).isEqualTo(JsonValue.from(Map.of("city", "Paris")));
        assertThat(up.bodyText()).contains("\"tools\":[").contains("\"input_schema\"");
        assertForwardedUnchanged(up, directCall(d -> d.messages().create(first)));

        fake.answer(Reply.json(200, MESSAGE_REPLY));
        MessageCreateParams followUp = weatherRequest()
                .addMessage(message)
                .addUserMessage(MessageContentParam.ofContentBlockParams(List.of(ContentBlockParam.ofToolResult(
                        ToolResultBlockParam.builder().toolUseId(call.id()).content("18°C and clear").build()))))
                .build();

        Message answer = client.messages().create(followUp);
        Recorded upFollowUp = fake.take();

        assertThat(answer.content().get(0).text()).map(TextBlock::text).contains("Hello there!");
        assertThat(upFollowUp.bodyText()).contains("\"tool_use_id\":\"toolu_01A09q90qw90lq917835lq9\"")
                .contains("\"type\":\"tool_result\"");
        assertForwardedUnchanged(upFollowUp, directCall(d -> d.messages().create(followUp)));
    }

    @Test
    void streamedToolInputIsAssembledBySdk() {
        fake.answer(Reply.sse(
                MESSAGE_START,
                event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_01Stream\",\"name\":\"get_weather\",\"input\":{}}}"),
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}"),
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Pa\"}}"),
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"ris\\\"}\"}}"),
                event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":74}}"),
                event("message_stop", "{\"type\":\"message_stop\"}")));

        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(weatherRequest().build())) {
            stream.stream().forEach(acc::accumulate);
        }
        fake.take();

        Message message = acc.message();
        assertThat(message.stopReason()).contains(StopReason.TOOL_USE);
        ToolUseBlock call = message.content().get(0).asToolUse();
        assertThat(call.id()).isEqualTo("toolu_01Stream");
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call._input()).isEqualTo(JsonValue.from(Map.of("city", "Paris")));
        assertThat(message.usage().outputTokens()).isEqualTo(74);
    }

    // ---------------------------------------------------------------- upstream errors

    @Test
    void upstreamRateLimitRaisesRateLimitExceptionWithTheUpstreamMessageAndHeaders() {
        fake.answer(Reply.json(429, """
                {"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed the rate limit \
                for your organization of 50 requests per minute."},"request_id":"req_011RateLimited"}""",
                Map.of("retry-after", "17", "request-id", "req_011RateLimited",
                        "anthropic-ratelimit-requests-remaining", "0")));

        RateLimitException e = catchThrowableOfType(RateLimitException.class,
                () -> client.messages().create(hello().build()));

        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.apiMessage()).hasValueSatisfying(m -> assertThat(m).contains("would exceed the rate limit"));
        assertThat(e.errorType()).contains(ErrorType.RATE_LIMIT_ERROR);
        assertThat(e.requestId()).contains("req_011RateLimited");
        assertThat(e.headers().values("retry-after")).containsExactly("17");
        assertThat(e.headers().values("anthropic-ratelimit-requests-remaining")).containsExactly("0");
        assertThat(fake.take().path()).isEqualTo("/v1/messages");
    }

    @Test
    void upstreamBadRequestRaisesBadRequestException() {
        fake.answer(Reply.json(400, """
                {"type":"error","error":{"type":"invalid_request_error","message":"messages.0.content: \
                text content blocks must be non-empty"},"request_id":"req_011Bad"}""",
                Map.of("request-id", "req_011Bad")));

        BadRequestException e = catchThrowableOfType(BadRequestException.class,
                () -> client.messages().create(hello().build()));

        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.apiMessage()).contains("messages.0.content: text content blocks must be non-empty");
        assertThat(e.errorType()).contains(ErrorType.INVALID_REQUEST_ERROR);
        assertThat(e.headers().values("request-id")).containsExactly("req_011Bad");
        fake.take();
    }

    @Test
    void upstreamOverloadedRaisesOverloadedException() {
        fake.answer(Reply.json(529, """
                {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011Busy"}""",
                Map.of("request-id", "req_011Busy")));

        OverloadedException e = catchThrowableOfType(OverloadedException.class,
                () -> client.messages().create(hello().build()));

        assertThat(e).isInstanceOf(InternalServerException.class);
        assertThat(e.statusCode()).isEqualTo(529);
        assertThat(e.apiMessage()).contains("Overloaded");
        assertThat(e.errorType()).contains(ErrorType.OVERLOADED_ERROR);
        assertThat(e.requestId()).contains("req_011Busy");
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
                    type: anthropic
                    base_url: %s
                    api_key: ${ANTHROPIC_API_KEY}
                    timeout: 1s
                  - name: dead
                    type: anthropic
                    base_url: http://127.0.0.1:%d
                    api_key: ${ANTHROPIC_API_KEY}
                    connect_timeout: 2s
                models:
                  - name: claude-slow
                    provider: slow
                  - name: claude-dead
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

    private static MessageCreateParams small(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(16).addUserMessage("hi").build();
    }

    @Test
    void unreachableUpstreamIsA502() {
        InternalServerException e = catchThrowableOfType(InternalServerException.class,
                () -> edgeClient.messages().create(small("claude-dead")));

        assertThat(e.statusCode()).isEqualTo(502);
        assertThat(e.apiMessage()).contains("could not connect to upstream provider dead");
        assertThat(e.errorType()).contains(ErrorType.API_ERROR);
    }

    @Test
    void slowUpstreamIsA504() {
        CompletableFuture<Void> never = new CompletableFuture<>();
        fake.answer(Reply.stream("application/json", List.of(new Step.Await(never), Step.write(MESSAGE_REPLY)), true));
        try {
            GatewayTimeoutException e = catchThrowableOfType(GatewayTimeoutException.class,
                    () -> edgeClient.messages().create(small("claude-slow")));

            assertThat(e.statusCode()).isEqualTo(504);
            assertThat(e.apiMessage()).contains("upstream provider slow did not answer within 1s");
            assertThat(e.errorType()).contains(ErrorType.TIMEOUT_ERROR);
            assertThat(fake.take().path()).isEqualTo("/v1/messages");
        } finally {
            never.complete(null);
        }
    }

    @Test
    void bodyOverTheLimitIsA413() {
        ContentTooLargeException e = catchThrowableOfType(ContentTooLargeException.class,
                () -> edgeClient.messages().create(MessageCreateParams.builder().model("claude-slow").maxTokens(16)
                        .addUserMessage("x".repeat(4096)).build()));

        assertThat(e.statusCode()).isEqualTo(413);
        assertThat(e.apiMessage()).contains("request body exceeds the gateway's limit of 1024 bytes");
        assertThat(e.errorType()).contains(ErrorType.of("request_too_large"));
        assertThat(fake.pending()).isZero();
    }

    @Test
    void unknownPathIsA404InAnthropicShape() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        var response = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messagez"))
                .header("x-api-key", CLIENT_KEY)
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        assertThat(response.body()).isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\","
                + "\"message\":\"no such endpoint: POST /v1/messagez\"}}");
    }

    // ---------------------------------------------------------------- models and count_tokens

    @Test
    void modelListIsInAnthropicFormat() {
        List<ModelInfo> models = client.models().list().data();

        assertThat(models).extracting(ModelInfo::id).containsExactly("gpt-test", "claude-test", "gemini-test", "mock-gpt");
        assertThat(models).extracting(ModelInfo::displayName).contains("claude-test");
        assertThat(models.get(0)._type()).isEqualTo(JsonValue.from("model"));
        assertThat(fake.pending()).isZero();
    }

    @Test
    void countTokensPassesThrough() {
        fake.answer(Reply.json(200, "{\"input_tokens\":14}", Map.of("request-id", "req_011Count")));
        MessageCountTokensParams params = MessageCountTokensParams.builder()
                .model("claude-test")
                .system("Be brief.")
                .addUserMessage("Say hello")
                .build();

        MessageTokensCount count = client.messages().countTokens(params);
        Recorded up = fake.take();

        assertThat(count.inputTokens()).isEqualTo(14);
        assertThat(up.path()).isEqualTo("/v1/messages/count_tokens");
        assertProviderAuth(up);
        assertForwardedUnchanged(up, directCall(d -> d.messages().countTokens(params)));
    }

    // ---------------------------------------------------------------- helpers

    /** What the SDK sends for the same call made straight to the fake. */
    private Recorded directCall(Consumer<AnthropicClient> call) {
        call.accept(direct);
        return fake.take();
    }

    /** The body is the SDK's own but for the model, and its API version headers are kept. */
    private static void assertForwardedUnchanged(Recorded up, Recorded sdk) {
        assertThat(sdk.bodyText()).contains("\"model\":\"claude-test\"");
        assertThat(up.bodyText())
                .isEqualTo(sdk.bodyText().replace("\"model\":\"claude-test\"", "\"model\":\"claude-upstream\""));
        assertThat(sdk.headers().getAll("anthropic-version")).isNotEmpty();
        assertThat(up.headers().getAll("anthropic-version")).isEqualTo(sdk.headers().getAll("anthropic-version"));
        assertThat(up.headers().getAll("anthropic-beta")).isEqualTo(sdk.headers().getAll("anthropic-beta"));
    }

    private static void assertProviderAuth(Recorded up) {
        assertThat(up.headers().getAll("x-api-key")).containsExactly(TestGateway.ANTHROPIC_KEY);
        assertThat(up.headers().get("authorization")).isNull();
        up.headers().forEach(h -> assertThat(h.getValue()).as("header %s", h.getKey()).doesNotContain(CLIENT_KEY));
        assertThat(up.bodyText()).doesNotContain(CLIENT_KEY);
    }
}
