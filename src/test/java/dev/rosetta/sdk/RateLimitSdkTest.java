package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.google.genai.Client;
import com.google.genai.errors.ClientException;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.AccessLogCapture;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.TestGateway;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What each official SDK makes of the gateway's rate limits: the 429 surfaces as the SDK's own
 * rate-limit error, and the SDK's retry comes back (after {@code retry-after-ms}/{@code retry-after}
 * for the OpenAI and Anthropic SDKs, which read them; google-genai's Java retry uses its own backoff
 * and reads neither). Attempts are counted in the access log. Each model allows 60 requests a minute,
 * one a second; the clock stands still unless a test moves it.
 */
class RateLimitSdkTest {

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private TestGateway gateway;
    private AccessLogCapture log;

    @BeforeEach
    void start() {
        gateway = TestGateway.start("""
                port: 0
                providers:
                  - name: mock
                    type: mock
                models:
                  - name: mock-gpt
                    provider: mock
                    limits: {rpm: 60}
                  - name: mock-claude
                    provider: mock
                    limits: {rpm: 60}
                  - name: mock-gemini
                    provider: mock
                    limits: {rpm: 60}
                """, clock);
        log = new AccessLogCapture();
    }

    @AfterEach
    void stop() {
        log.close();
        gateway.close();
    }

    /** Uses up the minute's 60 requests of {@code model}, so the next waits one second. */
    private void exhaust(Dialect d, String model) {
        DialectClient c = new DialectClient(gateway.url());
        for (int i = 0; i < 60; i++) {
            assertThat(c.send(d, model, false, "fill").status()).isEqualTo(200);
        }
        assertThat(c.send(d, model, false, "full").status()).isEqualTo(429);
    }

    private long attempts(String model, int status) {
        return log.lines().stream().filter(l -> l.contains("\"model\":\"" + model + "\"")
                && l.contains("\"status\":" + status)).count();
    }

    private void awaitAttempts(String model, int status, long n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (attempts(model, status) < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(attempts(model, status)).isEqualTo(n);
    }

    private OpenAIClient openAi() {
        return OpenAIOkHttpClient.builder().baseUrl(gateway.url() + "/v1").apiKey("x").maxRetries(2).build();
    }

    private AnthropicClient anthropic() {
        return AnthropicOkHttpClient.builder().baseUrl(gateway.url()).apiKey("x").maxRetries(2).build();
    }

    private Client gemini() {
        return Client.builder().apiKey("x").httpOptions(HttpOptions.builder().baseUrl(gateway.url())
                .apiVersion("v1beta").retryOptions(HttpRetryOptions.builder().attempts(3).initialDelay(0.05)
                        .jitter(0.0).build()).build()).build();
    }

    private static ChatCompletionCreateParams chat() {
        return ChatCompletionCreateParams.builder().model("mock-gpt").addUserMessage("Say hello").build();
    }

    private static MessageCreateParams message() {
        return MessageCreateParams.builder().model("mock-claude").maxTokens(64).addUserMessage("Say hello").build();
    }

    @Test
    void openAiRaisesRateLimitExceptionAfterItsRetriesEachRefused() {
        exhaust(Dialect.OPENAI_CHAT, "mock-gpt");
        OpenAIClient c = openAi();
        RateLimitException e = catchThrowableOfType(RateLimitException.class,
                () -> c.chat().completions().create(chat()));
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.getMessage()).contains("rpm limit of model mock-gpt of 60");
        assertThat(e.headers().values("x-ratelimit-remaining-requests")).containsExactly("0");
        awaitAttempts("mock-gpt", 429, 1 + 3);
        c.close();
    }

    @Test
    void openAiRetriesAfterRetryAfterAndSucceedsOnceTheBucketRefilled() throws Exception {
        exhaust(Dialect.OPENAI_CHAT, "mock-gpt");
        OpenAIClient c = openAi();
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() ->
                c.chat().completions().create(chat()).choices().get(0).message().content().orElse(""));
        awaitAttempts("mock-gpt", 429, 2);
        clock.advance(1_000); // the second the 429 asked to wait
        assertThat(call.get(20, TimeUnit.SECONDS)).isNotEmpty();
        assertThat(attempts("mock-gpt", 429)).isEqualTo(2);
        assertThat(attempts("mock-gpt", 200)).isEqualTo(61);
        c.close();
    }

    @Test
    void anthropicRaisesRateLimitExceptionAfterItsRetriesEachRefused() {
        exhaust(Dialect.ANTHROPIC, "mock-claude");
        AnthropicClient c = anthropic();
        com.anthropic.errors.RateLimitException e = catchThrowableOfType(com.anthropic.errors.RateLimitException.class,
                () -> c.messages().create(message()));
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.headers().values("anthropic-ratelimit-requests-remaining")).containsExactly("0");
        awaitAttempts("mock-claude", 429, 1 + 3);
        c.close();
    }

    @Test
    void anthropicRetriesAfterRetryAfterAndSucceedsOnceTheBucketRefilled() throws Exception {
        exhaust(Dialect.ANTHROPIC, "mock-claude");
        AnthropicClient c = anthropic();
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> c.messages().create(message()).id());
        awaitAttempts("mock-claude", 429, 2);
        clock.advance(1_000);
        assertThat(call.get(20, TimeUnit.SECONDS)).isNotEmpty();
        assertThat(attempts("mock-claude", 429)).isEqualTo(2);
        c.close();
    }

    @Test
    void geminiRaisesClientException429ResourceExhaustedAfterItsRetries() {
        exhaust(Dialect.GEMINI, "mock-gemini");
        Client c = gemini();
        ClientException e = catchThrowableOfType(ClientException.class,
                () -> c.models.generateContent("mock-gemini", "Say hello", null));
        assertThat(e.code()).isEqualTo(429);
        assertThat(e.status()).isEqualTo("RESOURCE_EXHAUSTED");
        awaitAttempts("mock-gemini", 429, 1 + 3);
    }

    @Test
    void geminiRetriesAndSucceedsOnceTheBucketRefilled() throws Exception {
        exhaust(Dialect.GEMINI, "mock-gemini");
        Client c = Client.builder().apiKey("x").httpOptions(HttpOptions.builder().baseUrl(gateway.url())
                .apiVersion("v1beta").retryOptions(HttpRetryOptions.builder().attempts(3).initialDelay(1.0)
                        .jitter(0.0).build()).build()).build();
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() ->
                c.models.generateContent("mock-gemini", "Say hello", null).text());
        awaitAttempts("mock-gemini", 429, 2);
        clock.advance(1_000);
        assertThat(call.get(20, TimeUnit.SECONDS)).isNotEmpty();
        assertThat(attempts("mock-gemini", 429)).isEqualTo(2);
    }
}
