package dev.rosetta.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.config.ConfigLoader;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.route.ModelRoutes;
import dev.rosetta.route.Route;
import org.junit.jupiter.api.Test;

/** Where each platform type is called, from the configuration's public hosts. */
class PlatformUrlsTest {

    private static final ModelRoutes ROUTES = new ModelRoutes(ConfigLoader.parse("""
            providers:
              - {name: az, type: azure_openai, base_url: "https://r.openai.azure.com/", api_key: k, api_version: 2024-10-21}
              - {name: az1, type: azure_openai, base_url: "https://r.openai.azure.com", api_key: k}
              - {name: vx, type: vertex, project: my-proj, location: us-east5}
              - {name: vg, type: vertex, project: my-proj, location: global}
              - {name: br, type: bedrock, region: us-west-2, api_key: k}
            models:
              - {name: a, provider: az, upstream_model: my-deployment}
              - {name: a1, provider: az1, upstream_model: my-deployment}
              - {name: c, provider: vx, upstream_model: claude-sonnet-4-5@20250929}
              - {name: g, provider: vg, upstream_model: gemini-2.5-pro}
              - {name: t, provider: vx, upstream_model: tuned-1, publisher: anthropic}
              - {name: b, provider: br, upstream_model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}
            """, k -> null));

    private static Route route(String model) {
        return ROUTES.find(model).orElseThrow();
    }

    @Test
    void azure() {
        assertThat(ProviderRequests.url(route("a"), Endpoint.CHAT_COMPLETIONS, "", false, false))
                .isEqualTo("https://r.openai.azure.com/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21");
        assertThat(ProviderRequests.url(route("a"), Endpoint.EMBEDDINGS, "", false, false))
                .isEqualTo("https://r.openai.azure.com/openai/deployments/my-deployment/embeddings?api-version=2024-10-21");
        assertThat(ProviderRequests.url(route("a"), Endpoint.RESPONSES, "", false, false))
                .isEqualTo("https://r.openai.azure.com/openai/responses?api-version=2024-10-21");
        assertThat(ProviderRequests.url(route("a1"), Endpoint.RESPONSES, "", false, true))
                .isEqualTo("https://r.openai.azure.com/openai/v1/responses");
    }

    @Test
    void vertexPublisherFollowsTheModelUnlessSet() {
        assertThat(ProviderRequests.url(route("c"), Endpoint.MESSAGES, "", false, true)).isEqualTo(
                "https://us-east5-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict");
        assertThat(ProviderRequests.url(route("g"), Endpoint.GEMINI_STREAM, "v1beta", true, true)).isEqualTo(
                "https://aiplatform.googleapis.com/v1/projects/my-proj/locations/global/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
        assertThat(ProviderRequests.url(route("g"), Endpoint.GEMINI_GENERATE, "v1beta", false, false)).endsWith(
                "/publishers/google/models/gemini-2.5-pro:generateContent");
        assertThat(route("t").family()).isEqualTo(dev.rosetta.dialect.ProviderType.ANTHROPIC);
        assertThat(ProviderRequests.url(route("t"), Endpoint.MESSAGES, "", false, false)).endsWith(
                "/publishers/anthropic/models/tuned-1:rawPredict");
    }

    @Test
    void bedrockEncodesTheModelId() {
        assertThat(ProviderRequests.url(route("b"), Endpoint.MESSAGES, "", false, false)).isEqualTo(
                "https://bedrock-runtime.us-west-2.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke");
        assertThat(ProviderRequests.url(route("b"), Endpoint.MESSAGES, "", false, true)).endsWith(
                "/invoke-with-response-stream");
        assertThat(ProviderRequests.url(route("b"), Endpoint.COUNT_TOKENS, "", false, false)).endsWith(
                "v1%3A0/count-tokens");
    }
}
