package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.EventStreamFrames;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.SigV4Verifier;
import dev.rosetta.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Claude on Amazon Bedrock: InvokeModel / InvokeModelWithResponseStream at the model's URL-encoded
 * cross-region profile id, SigV4 verified by the fake, streams in AWS's event-stream framing with real
 * CRCs cut at random byte boundaries; Bedrock's exceptions, CountTokens and API keys.
 */
class BedrockSdkTest extends PlatformSdkContract {

    static final String MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    static final String KEY_ID = "AKIDROSETTATEST";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Random random = new Random(16);

    @Override
    String yaml(FakeUpstream fake) {
        return """
                port: 0
                providers:
                  - name: bedrock
                    type: bedrock
                    base_url: %s
                    region: us-east-1
                    access_key_id: %s
                    secret_access_key: %s
                models:
                  - name: m
                    provider: bedrock
                    upstream_model: %s
                """.formatted(fake.baseUrl(), KEY_ID, SECRET, MODEL);
    }

    @Override
    Dialect dialect(Recorded r) {
        return Dialect.ANTHROPIC;
    }

    @Override
    boolean streamed(Recorded r) {
        return r.path().endsWith("/invoke-with-response-stream");
    }

    static void verifySignature(Recorded r) {
        Map<String, String> headers = new HashMap<>();
        r.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
        SigV4Verifier.verify("POST", r.path(), r.query(), headers, r.body(), KEY_ID, SECRET, "us-east-1", "bedrock");
    }

    @Override
    void check(Recorded r, boolean stream) {
        verifySignature(r);
        if (r.path().endsWith("/count-tokens")) {
            assertThat(r.path()).isEqualTo("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens");
            return;
        }
        assertThat(r.path()).isEqualTo("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0"
                + (stream ? "/invoke-with-response-stream" : "/invoke"));
        JsonNode body = body(r);
        assertThat(body.has("model")).as("model in the body").isFalse();
        assertThat(body.has("stream")).as("stream in the body").isFalse();
        assertThat(body.path("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");
        assertThat(body.path("max_tokens").asInt()).isPositive();
    }

    static JsonNode body(Recorded r) {
        try {
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    Reply reply(Dialect d, boolean stream, boolean tool) {
        if (!stream) {
            return super.reply(d, false, tool);
        }
        return eventStream(EventStreamFrames.fromSse(tool ? toolSse(d) : ProviderAnswers.stream(d, TEXT)));
    }

    Reply eventStream(byte[] bytes) {
        List<Step> steps = new ArrayList<>();
        for (byte[] part : EventStreamFrames.split(bytes, random)) {
            steps.add(new Step.Write(part));
        }
        return new Reply(200, Map.of("content-type", "application/vnd.amazon.eventstream",
                "x-amzn-requestid", "req-1"), steps, true);
    }

    @Test
    void anExceptionMidStreamIsTheClientsStreamError() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> opening = ProviderAnswers.opening(Dialect.ANTHROPIC, "Par");
        out.writeBytes(EventStreamFrames.fromSse(String.join("", opening)));
        out.writeBytes(EventStreamFrames.exception("throttlingException", "Too many tokens, please wait"));
        override = r -> eventStream(out.toByteArray());
        assertThatThrownBy(() -> {
            try (var s = anthropic.messages().createStreaming(MessageCreateParams.builder().model("m").maxTokens(10)
                    .addUserMessage("x").build())) {
                s.stream().forEach(e -> { });
            }
        }).hasMessageContaining("Too many tokens");
        // converted for an OpenAI client too
        assertThatThrownBy(() -> {
            try (var s = openai.chat().completions().createStreaming(ChatCompletionCreateParams.builder().model("m")
                    .addUserMessage("x").build())) {
                s.stream().forEach(e -> { });
            }
        }).hasMessageContaining("Too many tokens");
    }

    @Test
    void aCorruptFrameEndsTheStreamWithAnErrorNotACrash() {
        byte[] frames = EventStreamFrames.fromSse(ProviderAnswers.stream(Dialect.ANTHROPIC, TEXT));
        frames[frames.length / 2] ^= 0x5a;
        override = r -> eventStream(frames);
        assertThatThrownBy(() -> {
            try (var s = anthropic.messages().createStreaming(MessageCreateParams.builder().model("m").maxTokens(10)
                    .addUserMessage("x").build())) {
                s.stream().forEach(e -> { });
            }
        }).isNotNull();
        // the gateway goes on serving
        override = null;
        assertThat(ask(Sdk.ANTHROPIC, true).text()).isEqualTo(TEXT);
    }

    @Test
    void errorsInAwsShapeAreTheClientsOwn() {
        override = r -> Reply.json(429, "{\"message\":\"Too many requests, please wait before trying again.\"}",
                Map.of("x-amzn-errortype", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"));
        assertThatThrownBy(() -> anthropic.messages().create(MessageCreateParams.builder().model("m").maxTokens(10)
                .addUserMessage("x").build()))
                .isInstanceOfSatisfying(com.anthropic.errors.RateLimitException.class,
                        e -> assertThat(e.getMessage()).contains("Too many requests"));
        assertThatThrownBy(() -> gemini.models.generateContent("m", "x", null)).hasMessageContaining("Too many requests");
    }

    @Test
    void countTokensIsBedrocksOwnCounter() {
        override = r -> Reply.json(200, "{\"inputTokens\": 19}");
        assertThat(anthropic.messages().countTokens(MessageCountTokensParams.builder().model("m")
                .addUserMessage("How many?").build()).inputTokens()).isEqualTo(19);
        Recorded r = takeCall();
        JsonNode body = body(r);
        JsonNode inner;
        try {
            inner = JSON.readTree(java.util.Base64.getDecoder().decode(body.path("input").path("invokeModel").path("body").asText()));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(inner.path("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");
        assertThat(inner.toString()).contains("How many?");
        assertThat(inner.has("model")).isFalse();
    }

    @Test
    void aBedrockApiKeyIsABearerToken() {
        try (FakeUpstream keyed = new FakeUpstream()) {
            keyed.answer(Reply.json(200, ProviderAnswers.json(Dialect.ANTHROPIC, TEXT)));
            try (TestGateway gw = TestGateway.start("""
                    port: 0
                    providers:
                      - name: bedrock
                        type: bedrock
                        base_url: %s
                        region: eu-west-1
                        api_key: ABSK-bedrock-SECRET-key
                    models:
                      - name: m
                        provider: bedrock
                        upstream_model: anthropic.claude-3-5-haiku-20241022-v1:0
                    """.formatted(keyed.baseUrl()))) {
                var client = SdkAgainstGateway.openAi(gw.url());
                var c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("m")
                        .addUserMessage("x").build());
                assertThat(c.choices().get(0).message().content()).contains(TEXT);
                Recorded r = keyed.take();
                assertThat(r.headers().get("authorization")).isEqualTo("Bearer ABSK-bedrock-SECRET-key");
                assertThat(r.headers().get("x-amz-date")).isNull();
                assertThat(r.path()).isEqualTo("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke");
                client.close();
            }
        }
    }
}
