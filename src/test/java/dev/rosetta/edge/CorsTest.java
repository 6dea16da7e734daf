package dev.rosetta.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CORS (issue 18) with the headers each official SDK sends in its browser mode: the preflight allows
 * exactly them, the actual request is readable with its request-id and rate-limit headers exposed, and
 * other origins, the admin API, and a gateway without {@code cors:} give no cross-origin answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorsTest {

    private static final String APP = "https://app.example.com";

    private final TestGateway gateway = TestGateway.start(TestGateway.KEYS_YAML + """
            cors:
              origins: ["https://app.example.com"]
              max_age: 10m
            """);
    private final TestGateway plain = TestGateway.withKeys();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterAll
    void stop() {
        gateway.close();
        plain.close();
    }

    /** What each SDK's browser build sends (its Stainless / genai headers), and a request it makes. */
    enum Sdk {
        OPENAI("/v1/chat/completions", Map.of("authorization", "Bearer " + TestGateway.GATEWAY_KEY),
                List.of("authorization", "content-type", "x-stainless-arch", "x-stainless-lang", "x-stainless-os",
                        "x-stainless-package-version", "x-stainless-retry-count", "x-stainless-runtime",
                        "x-stainless-runtime-version", "x-stainless-timeout", "openai-organization", "openai-project"),
                "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        ANTHROPIC("/v1/messages", Map.of("x-api-key", TestGateway.GATEWAY_KEY, "anthropic-version", "2023-06-01",
                "anthropic-dangerous-direct-browser-access", "true"),
                List.of("anthropic-dangerous-direct-browser-access", "anthropic-version", "anthropic-beta", "content-type",
                        "x-api-key", "x-stainless-arch", "x-stainless-lang", "x-stainless-os", "x-stainless-package-version",
                        "x-stainless-retry-count", "x-stainless-runtime", "x-stainless-runtime-version", "x-stainless-timeout"),
                "{\"model\":\"mock-claude\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        GEMINI("/v1beta/models/mock-gemini:generateContent", Map.of("x-goog-api-key", TestGateway.GATEWAY_KEY),
                List.of("content-type", "x-goog-api-client", "x-goog-api-key", "user-agent"),
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}");

        final String path;
        final Map<String, String> auth;
        final List<String> headers;
        final String body;

        Sdk(String path, Map<String, String> auth, List<String> headers, String body) {
            this.path = path;
            this.auth = auth;
            this.headers = headers;
            this.body = body;
        }
    }

    @ParameterizedTest
    @EnumSource(Sdk.class)
    void thePreflightAllowsWhatTheSdkSends(Sdk sdk) throws Exception {
        HttpResponse<String> resp = preflight(gateway, sdk.path, APP, String.join(",", sdk.headers));
        assertThat(resp.statusCode()).isEqualTo(204);
        assertThat(header(resp, "access-control-allow-origin")).isEqualTo(APP);
        assertThat(header(resp, "access-control-allow-methods")).contains("POST");
        assertThat(List.of(header(resp, "access-control-allow-headers").split(", "))).containsExactlyElementsOf(sdk.headers);
        assertThat(header(resp, "access-control-max-age")).isEqualTo("600");
        assertThat(header(resp, "vary")).containsIgnoringCase("origin");
        assertThat(header(resp, "access-control-allow-credentials")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Sdk.class)
    void theActualRequestIsReadableWithItsHeadersExposed(Sdk sdk) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + sdk.path)).header("origin", APP)
                .header("content-type", "application/json").header("x-stainless-lang", "js")
                .POST(HttpRequest.BodyPublishers.ofString(sdk.body));
        sdk.auth.forEach(b::header);
        HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(header(resp, "access-control-allow-origin")).isEqualTo(APP);
        assertThat(header(resp, "access-control-expose-headers")).contains("x-rosetta-request-id", "x-request-id",
                "request-id", "retry-after", "x-ratelimit-remaining-requests", "anthropic-ratelimit-tokens-remaining");
    }

    @Test
    void unknownAndHostileRequestHeadersAreNotEchoed() throws Exception {
        HttpResponse<String> resp = preflight(gateway, "/v1/chat/completions", APP,
                "authorization, cookie, x-evil\r\nset-cookie: a, x-stainless-lang, x-forwarded-for");
        assertThat(header(resp, "access-control-allow-headers")).isEqualTo("authorization, x-stainless-lang");
    }

    @Test
    void anotherOriginGetsNoCrossOriginAnswer() throws Exception {
        HttpResponse<String> pre = preflight(gateway, "/v1/chat/completions", "https://evil.example", "authorization");
        assertThat(pre.statusCode()).isEqualTo(403);
        assertThat(header(pre, "access-control-allow-origin")).isEmpty();
        HttpResponse<String> actual = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/models"))
                .header("origin", "https://evil.example").header("authorization", "Bearer " + TestGateway.GATEWAY_KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(header(actual, "access-control-allow-origin")).isEmpty();
    }

    @Test
    void theAdminApiNeverAnswersCrossOrigin() throws Exception {
        HttpResponse<String> pre = preflight(gateway, "/admin/v1/keys", APP, "authorization");
        assertThat(pre.statusCode()).isEqualTo(403);
        assertThat(header(pre, "access-control-allow-origin")).isEmpty();
        HttpResponse<String> actual = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/admin/v1/keys"))
                .header("origin", APP).header("authorization", "Bearer " + TestGateway.ADMIN_KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(actual.statusCode()).isEqualTo(200);
        assertThat(header(actual, "access-control-allow-origin")).isEmpty();
        assertThat(header(preflight(gateway, "/ui/", APP, ""), "access-control-allow-origin")).isEmpty();
    }

    @Test
    void withoutCorsConfiguredNothingIsCrossOrigin() throws Exception {
        HttpResponse<String> pre = preflight(plain, "/v1/chat/completions", APP, "authorization");
        assertThat(header(pre, "access-control-allow-origin")).isEmpty();
        assertThat(pre.statusCode()).isNotEqualTo(204);
    }

    @Test
    void anyOriginWithoutCredentialsAndNamedOriginsWithThem() throws Exception {
        try (TestGateway any = TestGateway.start(TestGateway.KEYS_YAML + "cors: {origins: [\"*\"]}\n")) {
            HttpResponse<String> pre = preflight(any, "/v1/messages", "https://whoever.example", "x-api-key");
            assertThat(header(pre, "access-control-allow-origin")).isEqualTo("*");
            assertThat(header(pre, "access-control-allow-credentials")).isEmpty();
        }
        try (TestGateway creds = TestGateway.start(TestGateway.KEYS_YAML
                + "cors: {origins: [\"https://app.example.com\"], credentials: true}\n")) {
            HttpResponse<String> pre = preflight(creds, "/v1/messages", APP, "x-api-key");
            assertThat(header(pre, "access-control-allow-origin")).isEqualTo(APP);
            assertThat(header(pre, "access-control-allow-credentials")).isEqualTo("true");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.rosetta.config.ConfigLoader.parse(
                        "providers: [{name: m, type: mock}]\ncors: {origins: [\"*\"], credentials: true}\n", Map.<String, String>of()::get))
                .hasMessageContaining("cors.origins: \"*\" is not allowed with credentials: true");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.rosetta.config.ConfigLoader.parse(
                        "providers: [{name: m, type: mock}]\ncors: {origins: [\"https://app.example.com/path\"]}\n", Map.<String, String>of()::get))
                .hasMessageContaining("cors.origins[0]: expected an origin");
    }

    private HttpResponse<String> preflight(TestGateway gw, String path, String origin, String headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.url() + path)).header("origin", origin)
                .header("access-control-request-method", "POST").method("OPTIONS", HttpRequest.BodyPublishers.noBody());
        if (!headers.isEmpty()) {
            b.header("access-control-request-headers", headers.replace("\r\n", " "));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String header(HttpResponse<?> resp, String name) {
        return resp.headers().firstValue(name).orElse("");
    }
}
