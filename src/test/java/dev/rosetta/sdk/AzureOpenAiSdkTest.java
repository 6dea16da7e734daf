package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.genai.types.FinishReason;
import com.google.genai.types.GenerateContentResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code azure_openai}: deployment URLs with {@code api-version}, the {@code api-key} header, and
 * Azure's content filter (a filtered answer, a filtered prompt, the filter results in a stream) in
 * every client's dialect; the {@code /openai/v1/} form with an Entra ID token from a command.
 */
class AzureOpenAiSdkTest extends PlatformSdkContract {

    static final String KEY = "azure-key-SECRET-0005";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    String yaml(FakeUpstream fake) {
        return """
                port: 0
                providers:
                  - name: azure
                    type: azure_openai
                    base_url: %s
                    api_key: %s
                    api_version: 2024-10-21
                models:
                  - name: m
                    provider: azure
                    upstream_model: my-gpt4o-deployment
                """.formatted(fake.baseUrl(), KEY);
    }

    @Override
    Dialect dialect(Recorded r) {
        return r.path().endsWith("/responses") ? Dialect.OPENAI_RESPONSES : Dialect.OPENAI_CHAT;
    }

    @Override
    void check(Recorded r, boolean stream) {
        assertThat(r.headers().get("api-key")).isEqualTo(KEY);
        assertThat(r.headers().get("authorization")).isNull();
        assertThat(r.query()).isEqualTo("api-version=2024-10-21");
        if (r.path().endsWith("/responses")) {
            assertThat(r.path()).isEqualTo("/openai/responses");
            try {
                assertThat(JSON.readTree(r.body()).path("model").asText()).isEqualTo("my-gpt4o-deployment");
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        } else {
            assertThat(r.path()).isEqualTo("/openai/deployments/my-gpt4o-deployment/chat/completions");
        }
    }

    private static final String FILTERED = """
            {"id":"chatcmpl-9","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06",
             "prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}],
             "choices":[{"index":0,"finish_reason":"content_filter","message":{"role":"assistant","content":null},
               "content_filter_results":{"violence":{"filtered":true,"severity":"high"}}}],
             "usage":{"prompt_tokens":12,"completion_tokens":0,"total_tokens":12}}""";

    @Test
    void aFilteredAnswerIsEachDialectsContentFilterStop() {
        override = r -> Reply.json(200, FILTERED);
        ChatCompletion chat = openai.chat().completions().create(ChatCompletionCreateParams.builder().model("m")
                .addUserMessage("x").build());
        assertThat(chat.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.CONTENT_FILTER);

        Message msg = anthropic.messages().create(MessageCreateParams.builder().model("m").maxTokens(10)
                .addUserMessage("x").build());
        assertThat(msg.stopReason()).contains(StopReason.REFUSAL);
        assertThat(msg.usage().inputTokens()).isEqualTo(12);

        GenerateContentResponse g = gemini.models.generateContent("m", "x", null);
        assertThat(g.candidates().orElseThrow().get(0).finishReason().orElseThrow().knownEnum())
                .isEqualTo(FinishReason.Known.SAFETY);
    }

    @Test
    void aStreamOpeningWithPromptFilterResultsConvertsAndAFilteredStreamStopsSo() {
        override = r -> Reply.sse(
                "data: {\"id\":\"\",\"object\":\"\",\"created\":0,\"model\":\"\",\"choices\":[],\"prompt_filter_results\":"
                        + "[{\"prompt_index\":0,\"content_filter_results\":{}}]}\n\n",
                "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":"
                        + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Par\"},\"finish_reason\":null,"
                        + "\"content_filter_results\":{}}]}\n\n",
                "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":"
                        + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\",\"content_filter_results\":"
                        + "{\"violence\":{\"filtered\":true,\"severity\":\"high\"}}}]}\n\n",
                "data: [DONE]\n\n");
        com.anthropic.helpers.MessageAccumulator acc = com.anthropic.helpers.MessageAccumulator.create();
        try (var s = anthropic.messages().createStreaming(MessageCreateParams.builder().model("m").maxTokens(10)
                .addUserMessage("x").build())) {
            s.stream().forEach(acc::accumulate);
        }
        assertThat(acc.message().content().get(0).asText().text()).isEqualTo("Par");
        assertThat(acc.message().stopReason()).contains(StopReason.REFUSAL);
    }

    @Test
    void aFilteredPromptIsTheClientsOwnBadRequest() {
        override = r -> Reply.json(400, """
                {"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
                 "type":null,"param":"prompt","code":"content_filter","status":400,
                 "innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"violence":{"filtered":true,"severity":"medium"}}}}}""");
        assertThatThrownBy(() -> anthropic.messages().create(MessageCreateParams.builder().model("m").maxTokens(10)
                .addUserMessage("x").build()))
                .isInstanceOf(com.anthropic.errors.BadRequestException.class)
                .hasMessageContaining("content management policy");
        assertThatThrownBy(() -> gemini.models.generateContent("m", "x", null))
                .hasMessageContaining("content management policy");
        // the OpenAI client gets Azure's own error, code and filter results included
        assertThatThrownBy(() -> openai.chat().completions().create(ChatCompletionCreateParams.builder().model("m")
                .addUserMessage("x").build()))
                .isInstanceOfSatisfying(com.openai.errors.BadRequestException.class,
                        e -> assertThat(e.code()).contains("content_filter"));
    }

    @Test
    void countTokensIsAFlaggedEstimateAzureIsNotAsked() throws Exception {
        var resp = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(gateway.url() + "/v1/messages/count_tokens"))
                .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"How many tokens is this?\"}]}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("x-rosetta-token-count")).contains("estimated");
        assertThat(JSON.readTree(resp.body()).path("input_tokens").asInt()).isPositive();
        assertThat(fake.pending()).isZero();
    }

    @Test
    void v1UrlsWithAnEntraIdTokenFromACommand() throws Exception {
        Path script = Files.createTempFile("entra", ".sh");
        Files.writeString(script, "#!/bin/sh\necho '{\"accessToken\":\"entra-SECRET-tok\",\"expires_on\":\""
                + (System.currentTimeMillis() / 1000 + 3600) + "\"}'\n");
        try (FakeUpstream v1 = new FakeUpstream()) {
            v1.answer(Reply.json(200, dev.rosetta.testing.ProviderAnswers.json(Dialect.OPENAI_CHAT, TEXT)));
            try (TestGateway gw = TestGateway.start("""
                    port: 0
                    providers:
                      - name: azure
                        type: azure_openai
                        base_url: %s
                        token_command: sh %s
                    models:
                      - name: m
                        provider: azure
                        upstream_model: my-deployment
                    """.formatted(v1.baseUrl(), script))) {
                var client = SdkAgainstGateway.anthropic(gw.url());
                Message msg = client.messages().create(MessageCreateParams.builder().model("m").maxTokens(10)
                        .addUserMessage("x").build());
                assertThat(msg.content().get(0).asText().text()).isEqualTo(TEXT);
                Recorded r = v1.take();
                assertThat(r.path()).isEqualTo("/openai/v1/chat/completions");
                assertThat(r.query()).isNullOrEmpty();
                assertThat(r.headers().get("authorization")).isEqualTo("Bearer entra-SECRET-tok");
                assertThat(r.headers().get("api-key")).isNull();
                assertThat(JSON.readTree(r.body()).path("model").asText()).isEqualTo("my-deployment");
                client.close();
            }
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
