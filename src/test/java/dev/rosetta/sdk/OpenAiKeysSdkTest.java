package dev.rosetta.sdk;

import static dev.rosetta.testing.TestGateway.DISABLED_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.EXPIRED_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.NARROW_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.OFF_TENANT_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.UNKNOWN_GATEWAY_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import com.openai.models.responses.ResponseCreateParams;
import dev.rosetta.testing.TestGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The official OpenAI SDK against a gateway with {@code auth: keys}: every kind of bad key is the
 * SDK's own {@link UnauthorizedException} (401, code {@code invalid_api_key}), a model the key may not
 * use its {@link PermissionDeniedException}; a good key works, streaming included, and lists only its
 * models.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiKeysSdkTest {

    private TestGateway gateway;
    private final List<OpenAIClient> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        gateway = TestGateway.withKeys();
    }

    @AfterAll
    void stop() {
        clients.forEach(OpenAIClient::close);
        gateway.close();
    }

    private OpenAIClient client(String key) {
        OpenAIClient c = OpenAIOkHttpClient.builder().baseUrl(gateway.url() + "/v1").apiKey(key).maxRetries(0).build();
        clients.add(c);
        return c;
    }

    private static ChatCompletionCreateParams chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Say hello").build();
    }

    private <T> UnauthorizedException unauthorized(String key, Function<OpenAIClient, T> call) {
        UnauthorizedException e = catchThrowableOfType(UnauthorizedException.class, () -> call.apply(client(key)));
        assertThat(e.statusCode()).isEqualTo(401);
        assertThat(e.code()).contains("invalid_api_key");
        if (!key.isBlank()) {
            assertThat(e.getMessage()).doesNotContain(key);
        }
        return e;
    }

    @Test
    void noKeyIsUnauthorized() {
        // The SDK refuses to send an empty key itself; a blank one reaches the gateway as no key.
        assertThat(unauthorized(" ", c -> c.chat().completions().create(chat("mock-gpt"))).getMessage())
                .contains("missing API key");
    }

    @Test
    void aWrongOrMalformedKeyIsUnauthorized() {
        assertThat(unauthorized(UNKNOWN_GATEWAY_KEY, c -> c.chat().completions().create(chat("mock-gpt")))
                .getMessage()).contains("invalid API key");
        String typo = GATEWAY_KEY.substring(0, GATEWAY_KEY.length() - 1) + "x";
        assertThat(unauthorized(typo, c -> c.chat().completions().create(chat("mock-gpt"))).getMessage())
                .contains("not a gateway key");
        assertThat(unauthorized("sk-proj-not-a-gateway-key", c -> c.responses().create(ResponseCreateParams.builder()
                .model("mock-gpt").input("hi").build())).getMessage()).contains("not a gateway key");
    }

    @Test
    void anExpiredDisabledOrOffTenantKeyIsUnauthorized() {
        assertThat(unauthorized(EXPIRED_GATEWAY_KEY, c -> c.chat().completions().create(chat("mock-gpt")))
                .getMessage()).contains("cfg_a-expired expired at 2020-01-01T00:00:00Z");
        assertThat(unauthorized(DISABLED_GATEWAY_KEY, c -> c.chat().completions().create(chat("mock-gpt")))
                .getMessage()).contains("cfg_a-disabled is disabled");
        assertThat(unauthorized(OFF_TENANT_GATEWAY_KEY, c -> c.chat().completions().create(chat("mock-gpt")))
                .getMessage()).contains("disabled tenant");
        unauthorized(EXPIRED_GATEWAY_KEY, c -> c.models().list());
        unauthorized(gateway.revokedKey(), c -> c.chat().completions().create(chat("mock-gpt")));
    }

    @Test
    void aModelTheKeyMayNotUseIsPermissionDenied() {
        PermissionDeniedException narrow = catchThrowableOfType(PermissionDeniedException.class,
                () -> client(NARROW_GATEWAY_KEY).chat().completions().create(chat("mock-claude")));
        assertThat(narrow.statusCode()).isEqualTo(403);
        assertThat(narrow.getMessage()).contains("cfg_a-narrow may not use model \"mock-claude\"");
        PermissionDeniedException tenant = catchThrowableOfType(PermissionDeniedException.class,
                () -> client(GATEWAY_KEY).chat().completions().create(chat("private-model")));
        assertThat(tenant.statusCode()).isEqualTo(403);
        catchThrowableOfType(PermissionDeniedException.class,
                () -> client(NARROW_GATEWAY_KEY).models().retrieve("mock-claude"));
    }

    @Test
    void aGoodKeyWorksStreamingIncluded() {
        ChatCompletion done = client(GATEWAY_KEY).chat().completions().create(chat("mock-gpt"));
        assertThat(done.choices().get(0).message().content()).isPresent();

        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = client(NARROW_GATEWAY_KEY).chat().completions()
                .createStreaming(chat("mock-gpt"))) {
            s.stream().forEach(ch -> ch.choices().forEach(c -> c.delta().content().ifPresent(text::append)));
        }
        assertThat(text).isNotEmpty();
    }

    @Test
    void theModelListShowsOnlyWhatTheKeyMayUse() {
        assertThat(client(GATEWAY_KEY).models().list().data()).extracting(Model::id)
                .containsExactly("mock-gpt", "mock-claude", "mock-gemini");
        assertThat(client(NARROW_GATEWAY_KEY).models().list().data()).extracting(Model::id)
                .containsExactly("mock-gpt");
    }
}
