package dev.rosetta.auth;

import static dev.rosetta.testing.TestGateway.GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.OPENAI_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code auth: keys} on the rest of each provider's API (passed through, bodies streamed or read):
 * the key is required there too, and a request naming a model may only name one of the key's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeysOnApiPassthroughTest {

    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.start("""
            port: 0
            auth: keys
            store: "sqlite::memory:"
            providers:
              - name: oai
                type: openai
                base_url: %1$s/v1
                api_key: ${OPENAI_API_KEY}
              - name: gem
                type: gemini
                base_url: %1$s
                api_key: ${GEMINI_API_KEY}
            models:
              - name: gpt-test
                provider: oai
              - name: gemini-test
                provider: gem
            tenants:
              - name: t
                models: [gpt-test]
            keys:
              - name: k
                tenant: t
                key: ${GW_KEY}
            """.formatted(upstream.baseUrl()));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void drain() {
        while (upstream.pending() > 0) {
            upstream.take();
        }
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStreamedPassthroughNeedsAKeyAndReachesTheProviderWithItsOwn() throws Exception {
        assertThat(send("GET", "/v1/files", null).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/v1/files", "raw upload", "content-type", "application/octet-stream").statusCode())
                .isEqualTo(401);
        assertThat(send("GET", "/v1beta/files/abc", null).statusCode()).isEqualTo(400);
        assertThat(upstream.pending()).isZero();

        upstream.answer(Reply.json(200, "{\"data\":[]}"));
        HttpResponse<String> ok = send("GET", "/v1/files", null, "authorization", "Bearer " + GATEWAY_KEY);
        assertThat(ok.statusCode()).isEqualTo(200);
        FakeUpstream.Recorded got = upstream.take();
        assertThat(got.headers().get("authorization")).isEqualTo("Bearer " + OPENAI_KEY);
        assertThat(got.headers().toString()).doesNotContain(GATEWAY_KEY);
    }

    @Test
    void aPassthroughNamingAModelTheKeyMayNotUseIsForbidden() throws Exception {
        HttpResponse<String> json = send("POST", "/v1/images/generations", "{\"model\":\"gpt-image-1\",\"prompt\":\"x\"}",
                "authorization", "Bearer " + GATEWAY_KEY, "content-type", "application/json");
        assertThat(json.statusCode()).isEqualTo(403);
        assertThat(json.body()).contains("may not use model");
        HttpResponse<String> path = send("POST", "/v1beta/models/gemini-test:batchGenerateContent", "{}",
                "x-goog-api-key", GATEWAY_KEY, "content-type", "application/json");
        assertThat(path.statusCode()).isEqualTo(403);
        assertThat(upstream.pending()).isZero();
    }
}
