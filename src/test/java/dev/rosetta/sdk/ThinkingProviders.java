package dev.rosetta.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import dev.rosetta.testing.ThinkingToolAnswers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The state-carrier SDK tests' providers: a model that thinks and calls a tool on its first answer, and
 * on the follow-up refuses, as the real provider does, a request that lacks (or forges) the state it
 * needs. Served by a gateway with one model per provider dialect, the Responses API included.
 */
enum ThinkingProviders {
    ANTHROPIC("claude-test", Dialect.ANTHROPIC),
    GEMINI("gemini-test", Dialect.GEMINI),
    RESPONSES("gpt-responses-test", Dialect.OPENAI_RESPONSES);

    private static final ObjectMapper MAPPER = new ObjectMapper();

    final String model;
    final Dialect dialect;

    ThinkingProviders(String model, Dialect dialect) {
        this.model = model;
        this.dialect = dialect;
    }

    static TestGateway gateway(FakeUpstream fake) {
        return TestGateway.start("""
                port: 0
                providers:
                  - name: oai
                    type: openai
                    base_url: %1$s/v1
                    api_key: sk-test
                  - name: ant
                    type: anthropic
                    base_url: %1$s
                    api_key: sk-ant-test
                  - name: gem
                    type: gemini
                    base_url: %1$s
                    api_key: AIza-test
                models:
                  - name: gpt-responses-test
                    provider: oai
                    upstream_model: gpt-upstream
                    api: responses
                  - name: claude-test
                    provider: ant
                    upstream_model: claude-upstream
                  - name: gemini-test
                    provider: gem
                    upstream_model: gemini-upstream
                """.formatted(fake.baseUrl()));
    }

    /** The first answer: thinking and a call to get_weather. */
    void thinkAndCall(FakeUpstream fake, boolean streamed) {
        fake.answer(streamed ? Reply.sse(ThinkingToolAnswers.sse(dialect))
                : Reply.json(200, ThinkingToolAnswers.json(dialect)));
    }

    /** The follow-up: refused as the provider would when the state is missing, else a text answer. */
    void answerIfStateIsRight(FakeUpstream fake, boolean streamed) {
        fake.answer(r -> {
            Optional<String> refusal = ThinkingToolAnswers.refusal(dialect, read(r.body()));
            if (refusal.isPresent()) {
                return Reply.json(400, error(refusal.get()));
            }
            return streamed ? Reply.sse(ThinkingToolAnswers.followUpSse(dialect))
                    : Reply.json(200, ThinkingToolAnswers.followUpJson(dialect));
        });
    }

    /** The request the provider got, and whether its own state came back in it. */
    boolean stateCameBack(FakeUpstream fake) {
        return ThinkingToolAnswers.stateSentBack(dialect, read(fake.take().body()));
    }

    private String error(String message) {
        String quoted = MAPPER.getNodeFactory().textNode(message).toString();
        return switch (dialect) {
            case ANTHROPIC -> "{\"type\": \"error\", \"error\": {\"type\": \"invalid_request_error\", \"message\": "
                    + quoted + "}}";
            case GEMINI -> "{\"error\": {\"code\": 400, \"message\": " + quoted + ", \"status\": \"INVALID_ARGUMENT\"}}";
            case OPENAI_RESPONSES, OPENAI_CHAT -> "{\"error\": {\"message\": " + quoted
                    + ", \"type\": \"invalid_request_error\", \"param\": null, \"code\": null}}";
        };
    }

    static JsonNode read(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
