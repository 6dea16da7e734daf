package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.models.messages.MessageCountTokensParams;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import org.junit.jupiter.api.Test;

/** Claude on Vertex AI: {@code rawPredict} / {@code streamRawPredict}, {@code anthropic_version} in the body, no model. */
class VertexClaudeSdkTest extends VertexContract {

    @Override
    String upstreamModel() {
        return "claude-sonnet-4-5@20250929";
    }

    @Override
    String location() {
        return "us-east5";
    }

    @Override
    Dialect dialect(Recorded r) {
        return Dialect.ANTHROPIC;
    }

    @Override
    void check(Recorded r, boolean stream) {
        tokens.check(r);
        noApiKeys(r);
        if (r.path().endsWith("/count-tokens:rawPredict")) {
            return;
        }
        assertThat(r.path()).isEqualTo(prefix("anthropic") + (stream ? ":streamRawPredict" : ":rawPredict"));
        JsonNode body = body(r);
        assertThat(body.has("model")).as("model in the body").isFalse();
        assertThat(body.path("anthropic_version").asText()).isEqualTo("vertex-2023-10-16");
        assertThat(body.path("stream").asBoolean(false)).isEqualTo(stream);
    }

    @Test
    void countTokensIsVertexsOwnCounter() {
        override = r -> Reply.json(200, "{\"input_tokens\": 42}");
        long n = anthropic.messages().countTokens(MessageCountTokensParams.builder().model("m")
                .addUserMessage("How many?").build()).inputTokens();
        assertThat(n).isEqualTo(42);
        Recorded r = takeCall();
        assertThat(r.path()).isEqualTo("/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict");
        assertThat(body(r).path("model").asText()).isEqualTo("claude-sonnet-4-5@20250929");
        // and for a Gemini client, converted
        override = r2 -> Reply.json(200, "{\"input_tokens\": 7}");
        assertThat(gemini.models.countTokens("m", "How many?", null).totalTokens()).contains(7);
    }

    @Test
    void anErrorFromVertexIsTheClientsOwn() {
        override = r -> Reply.json(429, "{\"error\":{\"code\":429,\"message\":\"Quota exceeded for aiplatform\",\"status\":\"RESOURCE_EXHAUSTED\"}}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> anthropic.messages().create(
                com.anthropic.models.messages.MessageCreateParams.builder().model("m").maxTokens(10).addUserMessage("x").build()))
                .isInstanceOf(com.anthropic.errors.RateLimitException.class).hasMessageContaining("Quota exceeded");
    }
}
