package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.PaymentRequiredException;
import com.anthropic.models.messages.MessageCreateParams;
import com.google.genai.Client;
import com.google.genai.errors.ClientException;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.ResponseCreateParams;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.AccessLogCapture;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What each official SDK makes of a spent budget: its own error type for its provider's "out of
 * money" answer, and not one retry, although every client here is set to retry (Stainless SDKs: 2
 * retries; google-genai: 3 attempts, which it does spend on a 429). Attempts are counted in the
 * access log: exactly one refused request per call.
 */
class BudgetSdkTest {

    private final FakeUpstream upstream = new FakeUpstream();
    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private TestGateway gateway;
    private AccessLogCapture log;

    @BeforeEach
    void start() {
        gateway = TestGateway.start("""
                port: 0
                auth: keys
                store: "sqlite::memory:"
                prices:
                  gpt-up: {input: 0, output: 1000000}
                  claude-up: {input: 0, output: 1000000}
                  gemini-up: {input: 0, output: 1000000}
                providers:
                  - {name: oai, type: openai, base_url: "%1$s/v1", api_key: "${OPENAI_API_KEY}"}
                  - {name: ant, type: anthropic, base_url: "%1$s", api_key: "${ANTHROPIC_API_KEY}"}
                  - {name: gem, type: gemini, base_url: "%1$s", api_key: "${GEMINI_API_KEY}"}
                models:
                  - {name: gpt-b, provider: oai, upstream_model: gpt-up}
                  - {name: claude-b, provider: ant, upstream_model: claude-up}
                  - {name: gemini-b, provider: gem, upstream_model: gemini-up}
                tenants:
                  - name: team
                keys:
                  - name: main
                    tenant: team
                    key: ${GW_KEY}
                    budget: {usd: 1, period: day}
                """.formatted(upstream.baseUrl()), clock);
        upstream.answer(r -> Reply.json(200, ProviderAnswers.json(ProviderAnswers.dialectOf(r.path()), "hi")));
        // one request of $1 spends the whole budget
        HttpRequest spend = HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .header("authorization", "Bearer " + TestGateway.GATEWAY_KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(Dialect.OPENAI_CHAT, "gpt-b", false, "hi")
                        .replace("{\"model\"", "{\"max_tokens\":1,\"model\""))).build();
        assertThat(new DialectClient(gateway.url()).send(spend).status()).isEqualTo(200);
        log = new AccessLogCapture();
    }

    @AfterEach
    void stop() {
        log.close();
        gateway.close();
        upstream.close();
    }

    private long attempts(int status) {
        return log.lines().stream().filter(l -> l.contains("\"status\":" + status)).count();
    }

    /** Exactly one refused attempt, and it stays one: a retry would follow within the SDK's backoff. */
    private void assertOneAttempt(int status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (attempts(status) < 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(attempts(status)).isEqualTo(1);
    }

    private OpenAIClient openAi() {
        return OpenAIOkHttpClient.builder().baseUrl(gateway.url() + "/v1").apiKey(TestGateway.GATEWAY_KEY)
                .maxRetries(2).build();
    }

    @Test
    void openAiChatRaisesRateLimitExceptionInsufficientQuotaWithoutRetrying() throws Exception {
        OpenAIClient c = openAi();
        RateLimitException e = catchThrowableOfType(RateLimitException.class, () -> c.chat().completions().create(
                ChatCompletionCreateParams.builder().model("gpt-b").maxTokens(1).addUserMessage("hi").build()));
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.code()).hasValue("insufficient_quota");
        assertThat(e.getMessage()).contains("budget exhausted", "resets at 2026-12-02T00:00:00Z");
        assertOneAttempt(429);
        c.close();
    }

    @Test
    void openAiResponsesRaisesRateLimitExceptionWithoutRetrying() throws Exception {
        OpenAIClient c = openAi();
        RateLimitException e = catchThrowableOfType(RateLimitException.class, () -> c.responses().create(
                ResponseCreateParams.builder().model("gpt-b").maxOutputTokens(16).input("hi").build()));
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.type()).hasValue("insufficient_quota");
        assertOneAttempt(429);
        c.close();
    }

    @Test
    void anthropicRaisesPaymentRequiredExceptionWithoutRetrying() throws Exception {
        AnthropicClient c = AnthropicOkHttpClient.builder().baseUrl(gateway.url()).apiKey(TestGateway.GATEWAY_KEY)
                .maxRetries(2).build();
        PaymentRequiredException e = catchThrowableOfType(PaymentRequiredException.class, () -> c.messages().create(
                MessageCreateParams.builder().model("claude-b").maxTokens(1).addUserMessage("hi").build()));
        assertThat(e.statusCode()).isEqualTo(402);
        assertThat(e.getMessage()).contains("billing_error", "budget exhausted");
        assertOneAttempt(402);
        c.close();
    }

    @Test
    void geminiRaisesClientExceptionFailedPreconditionWithoutRetrying() throws Exception {
        Client c = Client.builder().apiKey(TestGateway.GATEWAY_KEY).httpOptions(HttpOptions.builder()
                .baseUrl(gateway.url()).apiVersion("v1beta").retryOptions(HttpRetryOptions.builder().attempts(3)
                        .initialDelay(0.05).jitter(0.0).build()).build()).build();
        ClientException e = catchThrowableOfType(ClientException.class, () -> c.models.generateContent("gemini-b", "hi",
                GenerateContentConfig.builder().maxOutputTokens(1).build()));
        assertThat(e.code()).isEqualTo(400);
        assertThat(e.status()).isEqualTo("FAILED_PRECONDITION");
        assertThat(e.getMessage()).contains("budget exhausted");
        assertOneAttempt(400);
    }
}
