package dev.rosetta.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rosetta.config.ConfigLoader;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.error.GatewayException;
import dev.rosetta.route.ApiPaths.ApiPath;
import dev.rosetta.route.ApiProviders.Target;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which provider a passed-through request goes to, and which paths are passed through at all. */
class ApiProvidersTest {

    private static final GatewayConfig CONFIG = ConfigLoader.parse("""
            providers:
              - name: oai-a
                type: openai
                api_key: k1
              - name: oai-b
                type: openai
                api_key: k2
              - name: ant
                type: anthropic
                api_key: k3
              - name: gem
                type: gemini
                api_key: k4
                passthrough: false
              - name: mock
                type: mock
            models:
              - name: gpt-b
                provider: oai-b
                upstream_model: gpt-4o
              - name: claude-x
                provider: ant
                upstream_model: claude-upstream
              - name: mock-gpt
                provider: mock
              - name: "*"
                provider: ant
            """, Map.<String, String>of()::get);

    private final ApiProviders providers = new ApiProviders(CONFIG.providers(), new ModelRoutes(CONFIG));

    private static ApiPath path(String p, boolean anthropic) {
        return ApiPaths.match(p, anthropic).orElseThrow();
    }

    @Test
    void theModelInTheBodyPicksItsProviderAndItsUpstreamName() {
        Target t = providers.choose(path("/v1/moderations", false), Optional.of("gpt-b"), Optional.empty());
        assertThat(t.provider().name()).isEqualTo("oai-b");
        assertThat(t.route()).map(Route::upstreamModel).hasValue("gpt-4o");
        assertThat(t.upstreamPath()).isEqualTo("/moderations");
    }

    @Test
    void theModelInThePathIsReplacedByItsUpstreamName() {
        Target t = providers.choose(ApiPaths.anthropicModel("claude-x"), Optional.empty(), Optional.empty());
        assertThat(t.provider().name()).isEqualTo("ant");
        assertThat(t.upstreamPath()).isEqualTo("/v1/models/claude-upstream");
    }

    @Test
    void withoutAModelTheOnlyProviderOfTheTypeIsChosen() {
        Target t = providers.choose(path("/v1/messages/batches/msgbatch_1", false), Optional.empty(), Optional.empty());
        assertThat(t.provider().name()).isEqualTo("ant");
        assertThat(t.upstreamPath()).isEqualTo("/v1/messages/batches/msgbatch_1");
    }

    @Test
    void severalProvidersOfTheTypeNeedTheHeaderAndTheRefusalListsThem() {
        GatewayException e = catchThrowableOfType(GatewayException.class,
                () -> providers.choose(path("/v1/files", false), Optional.empty(), Optional.empty()));
        assertThat(e.error().status()).isEqualTo(400);
        assertThat(e.error().message()).contains("x-rosetta-provider", "\"oai-a\"", "\"oai-b\"");

        Target t = providers.choose(path("/v1/files", false), Optional.empty(), Optional.of("oai-a"));
        assertThat(t.provider().name()).isEqualTo("oai-a");
        assertThat(t.upstreamPath()).isEqualTo("/files");
    }

    @Test
    void aModelOfAnotherTypeReachedOnlyByAPatternLeavesTheChoiceToTheOtherRules() {
        Target t = providers.choose(path("/v1/moderations", false), Optional.of("omni-moderation-latest"),
                Optional.of("oai-b"));
        assertThat(t.provider().name()).isEqualTo("oai-b");
        assertThat(t.route()).isEmpty();
    }

    @Test
    void refusalsSayWhy() {
        assertThat(refusal(path("/v1/moderations", false), Optional.of("claude-x"), Optional.empty()))
                .contains("400", "\"ant\"", "openai API");
        assertThat(refusal(path("/v1/moderations", false), Optional.of("mock-gpt"), Optional.empty()))
                .contains("400", "mock");
        assertThat(refusal(path("/v1/files", false), Optional.empty(), Optional.of("nope")))
                .contains("400", "no provider named \"nope\"", "\"oai-a\"");
        assertThat(refusal(path("/v1/files", false), Optional.empty(), Optional.of("ant")))
                .contains("400", "type anthropic");
        assertThat(refusal(path("/v1/moderations", false), Optional.of("gpt-b"), Optional.of("oai-a")))
                .contains("400", "\"oai-b\"");
        assertThat(refusal(path("/v1beta/files", false), Optional.empty(), Optional.empty()))
                .contains("404", "passthrough: false", "\"gem\"");
        assertThat(refusal(path("/v1beta/files", false), Optional.empty(), Optional.of("gem")))
                .contains("404", "passthrough: false");
    }

    @Test
    void aTypeWithNoProviderIsNotFound() {
        GatewayConfig onlyOpenAi = ConfigLoader.parse("""
                providers:
                  - name: oai
                    type: openai
                    api_key: k
                """, Map.<String, String>of()::get);
        ApiProviders p = new ApiProviders(onlyOpenAi.providers(), new ModelRoutes(onlyOpenAi));
        GatewayException e = catchThrowableOfType(GatewayException.class,
                () -> p.choose(path("/v1beta/cachedContents", false), Optional.empty(), Optional.empty()));
        assertThat(e.error().status()).isEqualTo(404);
        assertThat(e.error().message()).contains("no gemini provider");
    }

    @Test
    void theAllowListMatchesEachFamilysPathsAndNothingAround() {
        assertThat(ApiPaths.match("/v1/responses/resp_1", false)).map(ApiPath::family).hasValue(ProviderType.OPENAI);
        assertThat(ApiPaths.match("/v1/responses", false)).isEmpty();
        assertThat(ApiPaths.match("/v1/responses/", false)).isEmpty();
        assertThat(ApiPaths.match("/v1/audio/transcriptions", false)).isPresent();
        assertThat(ApiPaths.match("/v1/audio", false)).isEmpty();
        assertThat(ApiPaths.match("/v1/realtime/client_secrets", false)).isPresent();
        assertThat(ApiPaths.match("/v1/realtime/sessions", false)).isEmpty();
        assertThat(ApiPaths.match("/v1/filesystem", false)).isEmpty();
        assertThat(ApiPaths.match("/v1/files/file-1/content", true)).map(ApiPath::family).hasValue(ProviderType.ANTHROPIC);
        assertThat(ApiPaths.match("/v1/files/file-1/content", false)).map(ApiPath::family).hasValue(ProviderType.OPENAI);
        assertThat(ApiPaths.match("/v1/messages/batches", true)).map(ApiPath::family).hasValue(ProviderType.ANTHROPIC);
        assertThat(ApiPaths.match("/upload/v1beta/files", false)).map(ApiPath::family).hasValue(ProviderType.GEMINI);
        assertThat(ApiPaths.match("/v1beta/batches/b1:cancel", false)).isPresent();
        assertThat(ApiPaths.geminiModelMethod("v1beta", "gemini-x", "batchGenerateContent")).isPresent();
        assertThat(ApiPaths.geminiModelMethod("v1beta", "gemini-x", "predict")).isEmpty();
    }

    @Test
    void pathsThatAProviderCouldNormaliseIntoAnotherEndpointAreNotMatched() {
        for (String p : new String[] {"/v1/files/../chat/completions", "/v1/files/./x", "/v1/files/%2e%2e/chat",
                "/v1/files/a%2Fb", "/v1/files//x", "/v1/files/a\\b", "/v1/files/..", "/v1beta/files/%2E"}) {
            assertThat(ApiPaths.match(p, false)).as(p).isEmpty();
        }
    }

    private String refusal(ApiPath path, Optional<String> model, Optional<String> named) {
        GatewayException e = catchThrowableOfType(GatewayException.class, () -> providers.choose(path, model, named));
        assertThat(e).as("a refusal").isNotNull();
        return e.error().status() + " " + e.error().message();
    }
}
