package dev.rosetta.sdk;

import static dev.rosetta.testing.TestGateway.DISABLED_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.EXPIRED_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.NARROW_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.UNKNOWN_GATEWAY_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ClientException;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.google.genai.types.Model;
import dev.rosetta.testing.TestGateway;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The official google-genai SDK against a gateway with {@code auth: keys}. A bad key is answered as
 * Google answers one (400 {@code INVALID_ARGUMENT}, reason {@code API_KEY_INVALID}), which the SDK
 * raises as its {@link ClientException}; a model the key may not use is 403 {@code PERMISSION_DENIED}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeminiKeysSdkTest {

    private TestGateway gateway;
    private final List<Client> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        gateway = TestGateway.withKeys();
    }

    @AfterAll
    void stop() {
        clients.forEach(Client::close);
        gateway.close();
    }

    private Client client(String key) {
        Client c = Client.builder().apiKey(key).httpOptions(HttpOptions.builder().baseUrl(gateway.url())
                .apiVersion("v1beta").retryOptions(HttpRetryOptions.builder().attempts(1).build()).build()).build();
        clients.add(c);
        return c;
    }

    private ClientException refused(String key, String model) {
        return catchThrowableOfType(ClientException.class,
                () -> client(key).models.generateContent(model, "Say hello", null));
    }

    @Test
    void aWrongMalformedExpiredOrDisabledKeyIsGooglesInvalidApiKey() {
        for (String key : List.of(UNKNOWN_GATEWAY_KEY, "AIzaSyNotAGatewayKey", EXPIRED_GATEWAY_KEY, DISABLED_GATEWAY_KEY,
                gateway.revokedKey())) {
            ClientException e = refused(key, "mock-gemini");
            assertThat(e.code()).as(key.substring(0, 6)).isEqualTo(400);
            assertThat(e.status()).isEqualTo("INVALID_ARGUMENT");
            assertThat(e.getMessage()).doesNotContain(key);
        }
        assertThat(refused(EXPIRED_GATEWAY_KEY, "mock-gemini").message()).contains("expired");
    }

    @Test
    void aModelTheKeyMayNotUseIsPermissionDenied() {
        ClientException e = refused(NARROW_GATEWAY_KEY, "mock-gemini");
        assertThat(e.code()).isEqualTo(403);
        assertThat(e.status()).isEqualTo("PERMISSION_DENIED");
        assertThat(e.message()).contains("may not use model \"mock-gemini\"");
    }

    @Test
    void aGoodKeyWorksStreamingIncluded() {
        GenerateContentResponse r = client(GATEWAY_KEY).models.generateContent("mock-gemini", "Say hello", null);
        assertThat(r.text()).isNotEmpty();

        StringBuilder text = new StringBuilder();
        try (ResponseStream<GenerateContentResponse> s = client(GATEWAY_KEY).models
                .generateContentStream("mock-gemini", "Say hello", null)) {
            for (GenerateContentResponse chunk : s) {
                text.append(chunk.text());
            }
        }
        assertThat(text).isNotEmpty();
    }

    @Test
    void theModelListShowsOnlyWhatTheKeyMayUse() {
        List<String> names = new ArrayList<>();
        for (Model m : client(NARROW_GATEWAY_KEY).models.list(null)) {
            names.add(m.name().orElseThrow());
        }
        assertThat(names).containsExactly("models/mock-gpt");
    }
}
