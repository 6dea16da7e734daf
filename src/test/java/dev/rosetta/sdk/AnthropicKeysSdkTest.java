package dev.rosetta.sdk;

import static dev.rosetta.testing.TestGateway.DISABLED_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.EXPIRED_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.NARROW_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.UNKNOWN_GATEWAY_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.PermissionDeniedException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.models.ModelInfo;
import dev.rosetta.testing.TestGateway;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The official Anthropic SDK against a gateway with {@code auth: keys}: bad keys are its
 * {@link UnauthorizedException} ({@code authentication_error}), a model the key may not use its
 * {@link PermissionDeniedException}; a good key works, streaming included. The key goes in
 * {@code x-api-key}, or {@code Authorization: Bearer} for the SDK's auth-token mode.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicKeysSdkTest {

    private TestGateway gateway;
    private final List<AnthropicClient> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        gateway = TestGateway.withKeys();
    }

    @AfterAll
    void stop() {
        clients.forEach(AnthropicClient::close);
        gateway.close();
    }

    private AnthropicClient client(String key) {
        AnthropicClient c = AnthropicOkHttpClient.builder().baseUrl(gateway.url()).apiKey(key).maxRetries(0).build();
        clients.add(c);
        return c;
    }

    private static MessageCreateParams message(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(64).addUserMessage("Say hello").build();
    }

    private UnauthorizedException unauthorized(AnthropicClient c, String model) {
        UnauthorizedException e = catchThrowableOfType(UnauthorizedException.class,
                () -> c.messages().create(message(model)));
        assertThat(e.statusCode()).isEqualTo(401);
        assertThat(e.getMessage()).contains("authentication_error");
        return e;
    }

    @Test
    void noWrongMalformedExpiredOrDisabledKeyIsUnauthorized() {
        assertThat(unauthorized(client(""), "mock-claude").getMessage()).contains("missing API key");
        assertThat(unauthorized(client(UNKNOWN_GATEWAY_KEY), "mock-claude").getMessage())
                .contains("invalid API key").doesNotContain(UNKNOWN_GATEWAY_KEY);
        assertThat(unauthorized(client("sk-ant-api03-nope"), "mock-claude").getMessage()).contains("not a gateway key");
        assertThat(unauthorized(client(EXPIRED_GATEWAY_KEY), "mock-claude").getMessage()).contains("expired");
        assertThat(unauthorized(client(DISABLED_GATEWAY_KEY), "mock-claude").getMessage()).contains("disabled");
        unauthorized(client(gateway.revokedKey()), "mock-claude");
    }

    @Test
    void aModelTheKeyMayNotUseIsPermissionDenied() {
        PermissionDeniedException e = catchThrowableOfType(PermissionDeniedException.class,
                () -> client(NARROW_GATEWAY_KEY).messages().create(message("mock-claude")));
        assertThat(e.statusCode()).isEqualTo(403);
        assertThat(e.getMessage()).contains("permission_error").contains("cfg_a-narrow may not use model");
    }

    @Test
    void aGoodKeyWorksInEitherHeaderStreamingIncluded() {
        Message m = client(GATEWAY_KEY).messages().create(message("mock-claude"));
        assertThat(m.content()).isNotEmpty();

        AnthropicClient bearer = AnthropicOkHttpClient.builder().baseUrl(gateway.url()).authToken(GATEWAY_KEY)
                .maxRetries(0).build();
        clients.add(bearer);
        List<RawMessageStreamEvent> events = new ArrayList<>();
        try (StreamResponse<RawMessageStreamEvent> s = bearer.messages().createStreaming(message("mock-claude"))) {
            s.stream().forEach(events::add);
        }
        assertThat(events).anyMatch(RawMessageStreamEvent::isContentBlockDelta).anyMatch(RawMessageStreamEvent::isMessageStop);
    }

    @Test
    void theModelListShowsOnlyWhatTheKeyMayUse() {
        assertThat(client(GATEWAY_KEY).models().list().data()).extracting(ModelInfo::id)
                .containsExactly("mock-gpt", "mock-claude", "mock-gemini");
        assertThat(client(NARROW_GATEWAY_KEY).models().list().data()).extracting(ModelInfo::id)
                .containsExactly("mock-gpt");
    }
}
