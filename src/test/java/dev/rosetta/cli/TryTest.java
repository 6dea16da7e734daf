package dev.rosetta.cli;

import static dev.rosetta.testing.TestGateway.ADMIN_KEY;
import static dev.rosetta.testing.TestGateway.ANTHROPIC_KEY;
import static dev.rosetta.testing.TestGateway.GATEWAY_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code rosetta try} through a gateway in front of fake providers: every client dialect, whole and
 * streamed, prints the provider's answer; {@code --show-wire} (the admin playground) shows the client's
 * request, the converted request the provider received, its answer and the client's, keys redacted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TryTest {

    private FakeUpstream fake;
    private TestGateway gateway;

    @BeforeAll
    void start() {
        fake = new FakeUpstream().answer(r -> {
            Dialect d = ProviderAnswers.dialectOf(r.path());
            return ProviderAnswers.streamed(r.path(), r.bodyText()) ? Reply.sse(ProviderAnswers.stream(d, "Hello from " + d))
                    : Reply.json(200, ProviderAnswers.json(d, "Hello from " + d));
        });
        gateway = TestGateway.start("""
                port: 0
                auth: keys
                store: "sqlite::memory:"
                admin_key: ${ROSETTA_ADMIN_KEY}
                providers:
                  - name: oai
                    type: openai
                    base_url: %1$s/v1
                    api_key: ${OPENAI_API_KEY}
                  - name: ant
                    type: anthropic
                    base_url: %1$s
                    api_key: ${ANTHROPIC_API_KEY}
                  - name: gem
                    type: gemini
                    base_url: %1$s
                    api_key: ${GEMINI_API_KEY}
                  - name: mock
                    type: mock
                models:
                  - name: gpt-fake
                    provider: oai
                  - name: claude-fake
                    provider: ant
                    upstream_model: claude-up
                  - name: gemini-fake
                    provider: gem
                  - name: mock-gpt
                    provider: mock
                tenants:
                  - name: t
                keys:
                  - name: k
                    tenant: t
                    key: ${GW_KEY}
                """.formatted(fake.baseUrl()));
    }

    @AfterAll
    void stop() {
        gateway.close();
        fake.close();
    }

    private record Run(int code, String out, String err) {
    }

    private Run tryIt(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("try"));
        all.addAll(List.of(args));
        all.addAll(List.of("--url", gateway.url()));
        int code = RosettaCli.run(all.toArray(String[]::new), Map.of("ROSETTA_API_KEY", GATEWAY_KEY,
                "ROSETTA_ADMIN_KEY", ADMIN_KEY), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "{0} client, {1} provider, stream {2}")
    @CsvSource({
            "openai, claude-fake, ANTHROPIC, false", "openai, gemini-fake, GEMINI, true",
            "responses, claude-fake, ANTHROPIC, false", "responses, gpt-fake, OPENAI_RESPONSES, true",
            "anthropic, gpt-fake, OPENAI_CHAT, false", "anthropic, gemini-fake, GEMINI, true",
            "gemini, claude-fake, ANTHROPIC, false", "gemini, gpt-fake, OPENAI_CHAT, true",
            "openai, gpt-fake, OPENAI_CHAT, true", "anthropic, claude-fake, ANTHROPIC, true"})
    void everyDialectPrintsTheProvidersAnswerWholeAndStreamed(String dialect, String model, Dialect provider,
                                                             boolean stream) {
        Run r = stream ? tryIt(model, "Say hello", "--dialect", dialect, "--stream") : tryIt(model, "Say hello", "--dialect", dialect);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("Hello from " + provider);
        String sent = fake.take().bodyText();
        assertThat(sent).contains("Say hello");
    }

    @ParameterizedTest(name = "{0} client, stream {1}")
    @CsvSource({"openai, false", "openai, true", "responses, false", "responses, true", "anthropic, false",
            "anthropic, true", "gemini, false", "gemini, true"})
    void showWirePrintsTheFourBodiesOfTheTrip(String dialect, boolean stream) {
        Run r = stream ? tryIt("claude-fake", "Say hello", "-d", dialect, "--stream", "--show-wire")
                : tryIt("claude-fake", "Say hello", "-d", dialect, "--show-wire");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("== client request (" + dialect + ")", "== upstream request (ant/claude-up)",
                "== upstream response", "== client response (HTTP 200)", "== answer\nHello from ANTHROPIC");
        // the provider got Anthropic Messages for its own model name, whatever the client spoke
        String upstream = r.out().substring(r.out().indexOf("== upstream request"), r.out().indexOf("== upstream response"));
        assertThat(upstream).contains("\"model\" : \"claude-up\"").contains("\"max_tokens\"").contains("Say hello");
        if (stream) {
            assertThat(r.out()).contains("event: content_block_delta");
        }
        assertThat(r.out()).doesNotContain(ANTHROPIC_KEY).doesNotContain(ADMIN_KEY);
        fake.take();
    }

    @Test
    void thePlaygroundAnswersTheDocumentedContract() throws Exception {
        HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.url() + "/admin/v1/playground"))
                .header("authorization", "Bearer " + ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"dialect\":\"gemini\",\"model\":\"gpt-fake\",\"prompt\":\"Say hello\",\"stream\":true}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        JsonNode o = AdminClient.JSON.readTree(resp.body());
        assertThat(o.properties().stream().map(Map.Entry::getKey).toList()).containsExactlyInAnyOrder(
                "client_request", "upstream_request", "upstream_response", "client_response", "status", "target");
        assertThat(o.get("client_request").asText()).contains("\"contents\"");
        assertThat(o.get("upstream_request").asText()).contains("\"messages\"").contains("\"stream\":true");
        assertThat(o.get("upstream_response").asText()).contains("data: [DONE]");
        assertThat(o.get("client_response").asText()).startsWith("data: {\"candidates\"");
        assertThat(o.get("status").asInt()).isEqualTo(200);
        assertThat(o.get("target").asText()).isEqualTo("oai/gpt-fake");
        fake.take();

        HttpResponse<String> mock = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.url() + "/admin/v1/playground"))
                .header("authorization", "Bearer " + ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"dialect\":\"anthropic\",\"model\":\"mock-gpt\",\"prompt\":\"hi\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode m = AdminClient.JSON.readTree(mock.body());
        assertThat(m.get("upstream_request").isNull()).isTrue();
        assertThat(m.get("target").asText()).isEqualTo("mock/mock-gpt");
        assertThat(m.get("client_response").asText()).contains("\"type\":\"message\"");

        HttpResponse<String> noKey = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.url() + "/admin/v1/playground"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mock-gpt\",\"prompt\":\"hi\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noKey.statusCode()).isEqualTo(401);
        HttpResponse<String> bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.url() + "/admin/v1/playground")).header("authorization", "Bearer " + ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"dialect\":\"cobol\",\"model\":\"mock-gpt\",\"prompt\":\"hi\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("dialect");
    }

    @Test
    void aPlaygroundTokenIsNoClientKey() throws Exception {
        // Without a registered capture the header admits nothing: the request needs a key as any other.
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.url() + "/v1/chat/completions")).header("x-rosetta-playground", "0123456789abcdef")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
    }

    @Test
    void withoutAKeyTheGatewaysRefusalIsPrintedAndTheExitIsOne() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RosettaCli.run(new String[] {"try", "mock-gpt", "hi", "--url", gateway.url()}, Map.of(),
                new PrintWriter(out), new PrintWriter(err));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("HTTP 401");
    }
}
