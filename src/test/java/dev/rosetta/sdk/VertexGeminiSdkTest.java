package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import org.junit.jupiter.api.Test;

/** Gemini on Vertex AI ({@code global} location): {@code generateContent}, {@code streamGenerateContent?alt=sse}. */
class VertexGeminiSdkTest extends VertexContract {

    @Override
    String upstreamModel() {
        return "gemini-2.5-pro";
    }

    @Override
    String location() {
        return "global";
    }

    @Override
    Dialect dialect(Recorded r) {
        return Dialect.GEMINI;
    }

    @Override
    void check(Recorded r, boolean stream) {
        tokens.check(r);
        noApiKeys(r);
        if (r.path().endsWith(":countTokens")) {
            return;
        }
        assertThat(r.path()).isEqualTo(prefix("google") + (stream ? ":streamGenerateContent" : ":generateContent"));
        assertThat(r.query() == null ? "" : r.query()).isEqualTo(stream ? "alt=sse" : "");
    }

    @Test
    void countTokensIsVertexsOwnCounter() {
        override = r -> Reply.json(200, "{\"totalTokens\": 31}");
        assertThat(anthropic.messages().countTokens(com.anthropic.models.messages.MessageCountTokensParams.builder()
                .model("m").addUserMessage("How many?").build()).inputTokens()).isEqualTo(31);
        Recorded r = takeCall();
        assertThat(r.path()).isEqualTo(prefix("google") + ":countTokens");
        assertThat(body(r).has("contents")).isTrue();
        assertThat(body(r).has("generateContentRequest")).isFalse();
    }
}
