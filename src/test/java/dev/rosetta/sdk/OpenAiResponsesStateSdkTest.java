package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.Reasoning;
import com.openai.models.ReasoningEffort;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseIncludable;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseReasoningItem;
import com.openai.models.responses.ResponseStreamEvent;
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
 * Issue 19 with the official OpenAI SDK's Responses API, called statelessly as Codex and the Agents SDK
 * do ({@code store: false}, {@code include: ["reasoning.encrypted_content"]}): a Claude or Gemini model
 * thinks and calls a tool; the state rides in a reasoning item's {@code encrypted_content}; the next
 * turn sends the output items back as input, or only the function call. Every follow-up must succeed
 * against a provider that refuses what the real one refuses.
 */
class OpenAiResponsesStateSdkTest extends SdkAgainstGateway<OpenAIClient> {

    OpenAiResponsesStateSdkTest() {
        super(SdkAgainstGateway::openAi, OpenAIClient::close);
    }

    @Override
    protected TestGateway gatewayFor(FakeUpstream fake) {
        return ThinkingProviders.gateway(fake);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ThinkingProviders p : List.of(ThinkingProviders.ANTHROPIC, ThinkingProviders.GEMINI)) {
            for (boolean keepsReasoning : new boolean[] {true, false}) {
                out.add(Arguments.of(p, keepsReasoning, false));
                out.add(Arguments.of(p, keepsReasoning, true));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, keeps reasoning items {1}, streamed {2}")
    @MethodSource("cases")
    void thinkingToolCallAndFollowUp(ThinkingProviders provider, boolean keepsReasoning, boolean streamed) {
        List<ResponseInputItem> history = new ArrayList<>();
        history.add(ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
                .role(EasyInputMessage.Role.USER).content("Weather in Paris?").build()));
        ResponseCreateParams.Builder params = ResponseCreateParams.builder().model(provider.model)
                .maxOutputTokens(4000).store(false).addInclude(ResponseIncludable.REASONING_ENCRYPTED_CONTENT)
                .reasoning(Reasoning.builder().effort(ReasoningEffort.HIGH).build()).addTool(weatherTool());

        provider.thinkAndCall(fake, streamed);
        Response first = create(params.inputOfResponse(history).build(), streamed);
        fake.take();
        List<ResponseReasoningItem> reasoning = first.output().stream().flatMap(i -> i.reasoning().stream()).toList();
        assertThat(reasoning).as("the item carrying the provider's state").anySatisfy(
                r -> assertThat(r.encryptedContent()).hasValueSatisfying(e -> assertThat(e).isNotEmpty()));
        ResponseFunctionToolCall call = first.output().stream().flatMap(i -> i.functionCall().stream()).findFirst()
                .orElseThrow();

        for (ResponseOutputItem item : first.output()) {
            item.reasoning().filter(r -> keepsReasoning).ifPresent(r -> history.add(ResponseInputItem.ofReasoning(r)));
            item.functionCall().ifPresent(c -> history.add(ResponseInputItem.ofFunctionCall(c)));
        }
        history.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                .callId(call.callId()).output("18C").build()));

        provider.answerIfStateIsRight(fake, streamed);
        Response second = create(params.inputOfResponse(history).build(), streamed);

        assertThat(second.output().stream().flatMap(i -> i.message().stream())
                .flatMap(m -> m.content().stream()).flatMap(c -> c.outputText().stream()).map(t -> t.text()).toList())
                .contains(ThinkingToolAnswers.FOLLOW_UP_TEXT);
        assertThat(provider.stateCameBack(fake)).isEqualTo(keepsReasoning);
    }

    private Response create(ResponseCreateParams params, boolean streamed) {
        if (!streamed) {
            return client.responses().create(params);
        }
        ResponseAccumulator acc = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.response();
    }

    private static FunctionTool weatherTool() {
        return FunctionTool.builder().name("get_weather").strict(false)
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build();
    }
}
