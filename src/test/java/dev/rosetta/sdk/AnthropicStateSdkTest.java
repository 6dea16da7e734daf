package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.ThinkingBlock;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.TestGateway;
import dev.rosetta.testing.ThinkingToolAnswers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 19 with the official Anthropic SDK: a Gemini or OpenAI Responses model thinks and calls a tool;
 * the state rides in the signature of a thinking block; the next turn sends the message back as the SDK
 * gives it ({@code addMessage(message)}), or without its thinking blocks. Every follow-up must succeed
 * against a provider that refuses what the real one refuses.
 */
class AnthropicStateSdkTest extends SdkAgainstGateway<AnthropicClient> {

    AnthropicStateSdkTest() {
        super(SdkAgainstGateway::anthropic, AnthropicClient::close);
    }

    @Override
    protected TestGateway gatewayFor(FakeUpstream fake) {
        return ThinkingProviders.gateway(fake);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ThinkingProviders p : List.of(ThinkingProviders.GEMINI, ThinkingProviders.RESPONSES)) {
            for (boolean keepsThinking : new boolean[] {true, false}) {
                out.add(Arguments.of(p, keepsThinking, false));
                out.add(Arguments.of(p, keepsThinking, true));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, keeps thinking blocks {1}, streamed {2}")
    @MethodSource("cases")
    void thinkingToolCallAndFollowUp(ThinkingProviders provider, boolean keepsThinking, boolean streamed) {
        MessageCreateParams first = MessageCreateParams.builder().model(provider.model).maxTokens(4000)
                .enabledThinking(2048).addUserMessage("Weather in Paris?").addTool(weatherTool()).build();

        provider.thinkAndCall(fake, streamed);
        Message m = create(first, streamed);
        fake.take();
        List<ThinkingBlock> thinking = m.content().stream().flatMap(b -> b.thinking().stream()).toList();
        assertThat(thinking).as("the provider's thoughts, then the block whose signature carries its state")
                .extracting(ThinkingBlock::thinking).containsExactly(ThinkingToolAnswers.THINKING, "");
        assertThat(thinking.get(1).signature()).isNotEmpty();
        ToolUseBlock use = m.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();

        MessageParam echoed = keepsThinking ? m.toParam() : MessageParam.ofAssistantOfContentBlockParams(
                m.content().stream().filter(ContentBlock::isToolUse)
                        .map(b -> ContentBlockParam.ofToolUse(b.asToolUse().toParam())).toList());
        MessageCreateParams second = first.toBuilder().addMessage(echoed)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(
                        ToolResultBlockParam.builder().toolUseId(use.id()).content("18C").build())))
                .build();

        provider.answerIfStateIsRight(fake, streamed);
        Message answer = create(second, streamed);

        assertThat(answer.content().stream().flatMap(b -> b.text().stream()).map(t -> t.text()).toList())
                .contains(ThinkingToolAnswers.FOLLOW_UP_TEXT);
        assertThat(provider.stateCameBack(fake)).isEqualTo(keepsThinking);
    }

    static Stream<Arguments> switches() {
        List<Arguments> out = new ArrayList<>();
        for (ThinkingProviders p : List.of(ThinkingProviders.GEMINI, ThinkingProviders.RESPONSES)) {
            out.add(Arguments.of(p, false));
            out.add(Arguments.of(p, true));
        }
        return out.stream();
    }

    /**
     * Claude Code's {@code /model}: the conversation goes on with a Claude model, so the follow-up, which
     * holds the other provider's sealed state in a thinking block's signature, is in Anthropic's own
     * dialect. Anthropic refuses a signature it did not issue; the request must reach it without one.
     */
    @ParameterizedTest(name = "{0}, then Claude, streamed {1}")
    @MethodSource("switches")
    void switchingToClaudeAfterAnotherProvidersToolCall(ThinkingProviders provider, boolean streamed) {
        MessageCreateParams first = MessageCreateParams.builder().model(provider.model).maxTokens(4000)
                .enabledThinking(2048).addUserMessage("Weather in Paris?").addTool(weatherTool()).build();
        provider.thinkAndCall(fake, streamed);
        Message m = create(first, streamed);
        fake.take();
        ToolUseBlock use = m.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
        MessageCreateParams second = first.toBuilder().model(ThinkingProviders.ANTHROPIC.model)
                .addMessage(m.toParam())
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(
                        ToolResultBlockParam.builder().toolUseId(use.id()).content("18C").build())))
                .build();

        ThinkingProviders.ANTHROPIC.answerIfStateIsRight(fake, streamed);
        Message answer = create(second, streamed);

        assertThat(answer.content().stream().flatMap(b -> b.text().stream()).map(t -> t.text()).toList())
                .contains(ThinkingToolAnswers.FOLLOW_UP_TEXT);
        assertThat(ThinkingProviders.read(fake.take().body()).get("messages").get(1).get("content").get(0)
                .get("type").asText()).isEqualTo("tool_use");
    }

    private Message create(MessageCreateParams params, boolean streamed) {
        if (!streamed) {
            return client.messages().create(params);
        }
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.message();
    }

    private static Tool weatherTool() {
        return Tool.builder().name("get_weather")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(Tool.InputSchema.Properties.builder()
                                .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string"))).build())
                        .addRequired("city").build())
                .build();
    }
}
