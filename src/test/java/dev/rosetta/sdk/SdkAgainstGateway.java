package dev.rosetta.sdk;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.google.genai.Client;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.TestGateway;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What every cross-dialect and streaming SDK test class runs against: one fake upstream speaking the
 * providers' wire formats, one gateway in front of it, and one official SDK client pointed at the
 * gateway, without retries, for the whole class.
 *
 * @param <C> the SDK's client type
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SdkAgainstGateway<C> {

    protected FakeUpstream fake;
    protected TestGateway gateway;
    protected C client;

    private final Function<String, C> connect;
    private final Consumer<C> close;

    /**
     * @param connect builds the client from the gateway's base URL
     * @param close closes it
     */
    protected SdkAgainstGateway(Function<String, C> connect, Consumer<C> close) {
        this.connect = connect;
        this.close = close;
    }

    static OpenAIClient openAi(String gatewayUrl) {
        return OpenAIOkHttpClient.builder().baseUrl(gatewayUrl + "/v1").apiKey("x").maxRetries(0).build();
    }

    static AnthropicClient anthropic(String gatewayUrl) {
        return AnthropicOkHttpClient.builder().baseUrl(gatewayUrl).apiKey("x").maxRetries(0).build();
    }

    static Client gemini(String gatewayUrl) {
        return Client.builder().apiKey("x").httpOptions(HttpOptions.builder().baseUrl(gatewayUrl)
                .apiVersion("v1beta").retryOptions(HttpRetryOptions.builder().attempts(1).build()).build()).build();
    }

    /** The gateway in front of {@code fake}; by default one provider of each type ({@link TestGateway#withProviders}). */
    protected TestGateway gatewayFor(FakeUpstream fake) {
        return TestGateway.withProviders(fake);
    }

    @BeforeAll
    final void startGateway() {
        fake = new FakeUpstream();
        gateway = gatewayFor(fake);
        client = connect.apply(gateway.url());
    }

    @AfterAll
    final void stopGateway() {
        close.accept(client);
        gateway.close();
        fake.close();
    }
}
