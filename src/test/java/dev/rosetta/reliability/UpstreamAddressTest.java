package dev.rosetta.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Security basics (issue 6): where a request goes upstream comes only from the configuration. A model
 * name a prefix route passes through (into the Gemini path, or a body), headers naming other hosts,
 * and a Gemini path version cannot move it to another host, path or query.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamAddressTest {

    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.start("""
            providers:
              - name: gem
                type: gemini
                base_url: %1$s
                api_key: ${GEMINI_API_KEY}
              - name: oai
                type: openai
                base_url: %1$s/v1
                api_key: ${OPENAI_API_KEY}
            models:
              - name: gemini-*
                provider: gem
              - name: gpt-*
                provider: oai
            """.formatted(upstream.baseUrl()));
    private final DialectClient client = new DialectClient(gateway.url());

    UpstreamAddressTest() {
        upstream.answer(r -> ProviderAnswers.streamed(r.path(), r.bodyText())
                ? Reply.sse(ProviderAnswers.stream(ProviderAnswers.dialectOf(r.path()), "TAGok"))
                : Reply.json(200, ProviderAnswers.json(ProviderAnswers.dialectOf(r.path()), "TAGok")));
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemini-x/../../../admin", "gemini-x?key=stolen&alt=json", "gemini-x#frag",
        "gemini-x@evil.example:80", "gemini-x/%2e%2e/%2e%2e/admin", "gemini-x\\..\\admin", "gemini-x%00"})
    void aHostileGeminiModelNameStaysOneEncodedPathSegment(String model) {
        String path = "/v1beta/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8) + ":generateContent";
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .header("content-type", "application/json").header("x-goog-api-key", "client-key")
                .header("x-forwarded-host", "evil.example").header("forwarded", "host=evil.example")
                .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(Dialect.GEMINI, model, false, "hi"))).build();
        DialectClient.Result r = client.send(request);
        assertThat(r.status()).as("%s", r).isIn(200, 400, 404);
        if (r.status() == 200) {
            Recorded got = upstream.take();
            assertThat(got.path()).startsWith("/v1beta/models/").endsWith(":generateContent");
            assertThat(got.path().substring("/v1beta/models/".length())).doesNotContain("/");
            assertThat(got.query()).doesNotContain("stolen");
            assertThat(got.headers().get("host")).isEqualTo("127.0.0.1:" + upstream.port());
            assertThat(got.headers().get("x-forwarded-host")).isNull();
            assertThat(got.headers().get("x-goog-api-key")).isEqualTo(TestGateway.GEMINI_KEY);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-x\r\nHost: evil.example", "gpt-x\",\"base_url\":\"http://evil.example",
        "gpt-http://evil.example/v1"})
    void aHostileOpenAiModelNameOnlyEndsUpInTheBody(String model) {
        String body = "{\"model\":" + quote(model) + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .header("content-type", "application/json").header("authorization", "Bearer client-key")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        DialectClient.Result r = client.send(request);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1/chat/completions");
        assertThat(got.headers().get("host")).isEqualTo("127.0.0.1:" + upstream.port());
        assertThat(List.of(got.headers().getAll("host"))).hasSize(1);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }
}
