package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Claude Code's case: the official Anthropic SDK streams a {@code claude-*} model whose Anthropic target
 * answers 529; the gateway fails over to an OpenAI target before the first byte, so the SDK gets a
 * whole streamed answer, tool call included, and never sees the 529.
 */
class FailoverSdkTest {

    private FakeUpstream anthropic;
    private FakeUpstream openai;
    private TestGateway gateway;
    private AnthropicClient client;

    @BeforeEach
    void start() {
        anthropic = new FakeUpstream();
        openai = new FakeUpstream();
        gateway = TestGateway.start("""
                port: 0
                providers:
                  - name: ant
                    type: anthropic
                    base_url: %s
                    api_key: ${ANTHROPIC_API_KEY}
                  - name: oai
                    type: openai
                    base_url: %s/v1
                    api_key: ${OPENAI_API_KEY}
                models:
                  - name: "claude-*"
                    strategy: ordered
                    targets:
                      - {provider: ant}
                      - {provider: oai, upstream_model: gpt-5}
                """.formatted(anthropic.baseUrl(), openai.baseUrl()));
        // no retries of its own: whatever it gets is what the gateway answered the first time
        client = AnthropicOkHttpClient.builder().baseUrl(gateway.url()).apiKey("x").maxRetries(0).build();
    }

    @AfterEach
    void stop() {
        client.close();
        gateway.close();
        anthropic.close();
        openai.close();
    }

    @Test
    void aClaudeModelOverloadedAtAnthropicIsAnsweredByOpenAiStreamedWithItsToolCall() {
        anthropic.answer(Reply.json(529,
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        openai.answer(Reply.sse(
                chunk("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}", null),
                chunk("{}", "\"tool_calls\""),
                "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-5\",\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}}\n\n",
                "data: [DONE]\n\n"));

        MessageCreateParams params = MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(200)
                .addUserMessage("Weather in Paris?")
                .addTool(Tool.builder().name("get_weather").description("Weather by city")
                        .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("city",
                                Map.of("type", "string")))).build()).build())
                .build();
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();

        assertThat(m.stopReason()).hasValue(StopReason.TOOL_USE);
        ToolUseBlock use = m.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris"));
        assertThat(m.usage().outputTokens()).isEqualTo(7);
        assertThat(anthropic.take().bodyText()).contains("\"claude-sonnet-4-5\"");
        assertThat(openai.take().bodyText()).contains("\"gpt-5\"", "get_weather");
    }

    private static String chunk(String delta, String finish) {
        return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-5\",\"choices\":[{\"index\":0,\"delta\":"
                + delta + ",\"finish_reason\":" + finish + "}]}\n\n";
    }
}
