package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.Content;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.Part;
import com.google.genai.types.Schema;
import com.google.genai.types.ThinkingConfig;
import com.google.genai.types.Tool;
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
 * Issue 19 with the official Google Gen AI SDK: a Claude or OpenAI Responses model thinks and calls a
 * tool; the next turn sends the history back as the SDK hands it over ({@code Content} reused), as
 * opencode's and LangChain's Google providers do (the call and its {@code thoughtSignature}, no id, no
 * thought parts), or with nothing kept. Every follow-up must succeed against a provider that refuses
 * what the real one refuses, and the provider's state must come back whenever the signature did.
 */
class GeminiStateSdkTest extends SdkAgainstGateway<Client> {

    enum Echo { SDK, SIGNATURES_ONLY, NOTHING }

    GeminiStateSdkTest() {
        super(SdkAgainstGateway::gemini, Client::close);
    }

    @Override
    protected TestGateway gatewayFor(FakeUpstream fake) {
        return ThinkingProviders.gateway(fake);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ThinkingProviders p : List.of(ThinkingProviders.ANTHROPIC, ThinkingProviders.RESPONSES)) {
            for (Echo echo : Echo.values()) {
                out.add(Arguments.of(p, echo, false));
                out.add(Arguments.of(p, echo, true));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, echoes {1}, streamed {2}")
    @MethodSource("cases")
    void thinkingToolCallAndFollowUp(ThinkingProviders provider, Echo echo, boolean streamed) {
        Content question = Content.builder().role("user").parts(Part.fromText("Weather in Paris?")).build();
        GenerateContentConfig config = GenerateContentConfig.builder().maxOutputTokens(4000).tools(weatherTool())
                .thinkingConfig(ThinkingConfig.builder().thinkingBudget(2048).includeThoughts(true).build()).build();

        provider.thinkAndCall(fake, streamed);
        Content modelTurn = generate(provider.model, List.of(question), config, streamed);
        fake.take();
        List<Part> calls = modelTurn.parts().orElseThrow().stream().filter(p -> p.functionCall().isPresent()).toList();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).thoughtSignature()).as("the state rides in the call's thought signature").isPresent();

        Content echoed = switch (echo) {
            case SDK -> modelTurn;
            case SIGNATURES_ONLY, NOTHING -> {
                FunctionCall call = calls.get(0).functionCall().orElseThrow();
                Part.Builder part = Part.builder().functionCall(FunctionCall.builder().name(call.name().orElseThrow())
                        .args(call.args().orElseThrow()).build());
                if (echo == Echo.SIGNATURES_ONLY) {
                    part.thoughtSignature(calls.get(0).thoughtSignature().orElseThrow());
                }
                yield Content.builder().role("model").parts(part.build()).build();
            }
        };
        Content result = Content.builder().role("user")
                .parts(Part.fromFunctionResponse("get_weather", Map.of("output", "18C"))).build();

        provider.answerIfStateIsRight(fake, streamed);
        Content answer = generate(provider.model, List.of(question, echoed, result), config, streamed);

        assertThat(answer.parts().orElseThrow().stream().flatMap(p -> p.text().stream()).toList())
                .contains(ThinkingToolAnswers.FOLLOW_UP_TEXT);
        assertThat(provider.stateCameBack(fake)).isEqualTo(echo != Echo.NOTHING);
    }

    /** The model turn as the SDK gives it: one response's content, or every streamed chunk's parts in order. */
    private Content generate(String model, List<Content> contents, GenerateContentConfig config, boolean streamed) {
        if (!streamed) {
            return client.models.generateContent(model, contents, config).candidates().orElseThrow().get(0).content()
                    .orElseThrow();
        }
        List<Part> parts = new ArrayList<>();
        try (ResponseStream<GenerateContentResponse> s = client.models.generateContentStream(model, contents, config)) {
            for (GenerateContentResponse chunk : s) {
                chunk.candidates().ifPresent(c -> c.get(0).content().flatMap(Content::parts).ifPresent(parts::addAll));
            }
        }
        return Content.builder().role("model").parts(parts).build();
    }

    private static Tool weatherTool() {
        return Tool.builder().functionDeclarations(FunctionDeclaration.builder().name("get_weather")
                .parameters(Schema.builder().type("OBJECT")
                        .properties(Map.of("city", Schema.builder().type("STRING").build())).required("city").build())
                .build()).build();
    }
}
