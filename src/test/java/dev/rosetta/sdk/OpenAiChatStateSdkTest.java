package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ReasoningEffort;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
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
 * Issue 19 with the official OpenAI SDK's Chat Completions: a Claude, Gemini or OpenAI Responses model
 * thinks and calls a tool; the Chat dialect has only the tool-call id to carry the state in, and the
 * SDK sends the assistant message back with it. The follow-up must succeed against a provider that
 * refuses what the real one refuses, with the state back.
 */
class OpenAiChatStateSdkTest extends SdkAgainstGateway<OpenAIClient> {

    OpenAiChatStateSdkTest() {
        super(SdkAgainstGateway::openAi, OpenAIClient::close);
    }

    @Override
    protected TestGateway gatewayFor(FakeUpstream fake) {
        return ThinkingProviders.gateway(fake);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ThinkingProviders p : ThinkingProviders.values()) {
            out.add(Arguments.of(p, false));
            out.add(Arguments.of(p, true));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, streamed {1}")
    @MethodSource("cases")
    void thinkingToolCallAndFollowUp(ThinkingProviders provider, boolean streamed) {
        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder().model(provider.model)
                .addUserMessage("Weather in Paris?").addFunctionTool(weatherTool())
                .reasoningEffort(ReasoningEffort.HIGH).maxCompletionTokens(4000).build();

        provider.thinkAndCall(fake, streamed);
        ChatCompletionMessage message = create(first, streamed).choices().get(0).message();
        fake.take();
        ChatCompletionMessageFunctionToolCall call = message.toolCalls().orElseThrow().get(0).asFunction();

        provider.answerIfStateIsRight(fake, streamed);
        ChatCompletion second = create(first.toBuilder().addMessage(message)
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("18C").build())
                .build(), streamed);

        assertThat(second.choices().get(0).message().content()).contains(ThinkingToolAnswers.FOLLOW_UP_TEXT);
        assertThat(provider.stateCameBack(fake)).isTrue();
    }

    private ChatCompletion create(ChatCompletionCreateParams params, boolean streamed) {
        if (!streamed) {
            return client.chat().completions().create(params);
        }
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.chatCompletion();
    }

    private static FunctionDefinition weatherTool() {
        return FunctionDefinition.builder().name("get_weather")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build();
    }
}
