package dev.rosetta.auth;

import static dev.rosetta.testing.TestGateway.ADMIN_KEY;
import static dev.rosetta.testing.TestGateway.GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.NARROW_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.UNKNOWN_GATEWAY_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.AccessLogCapture;
import dev.rosetta.testing.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code auth: keys} over plain HTTP: what each dialect's client sees on the wire, and the access log. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeysOverHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String GEMINI = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private TestGateway gateway;

    @BeforeAll
    void start() {
        gateway = TestGateway.withKeys();
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json");
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void everySdkPlacementOfTheKeyWorksOnEveryPath() throws Exception {
        assertThat(post("/v1/chat/completions", CHAT, "x-goog-api-key", GATEWAY_KEY).statusCode()).isEqualTo(200);
        assertThat(post("/v1/chat/completions?key=" + GATEWAY_KEY, CHAT).statusCode()).isEqualTo(200);
        assertThat(post("/v1beta/models/mock-gemini:generateContent", GEMINI, "authorization", "Bearer " + GATEWAY_KEY)
                .statusCode()).isEqualTo(200);
        assertThat(post("/v1/messages", "{\"model\":\"mock-claude\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}", "x-api-key", GATEWAY_KEY, "anthropic-version", "2023-06-01").statusCode())
                .isEqualTo(200);
    }

    @Test
    void eachDialectGetsItsOwnShapeOfTheBadKeyAnswer() throws Exception {
        HttpResponse<String> openAi = post("/v1/chat/completions", CHAT);
        assertThat(openAi.statusCode()).isEqualTo(401);
        assertThat(json(openAi).at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(json(openAi).at("/error/code").asText()).isEqualTo("invalid_api_key");

        HttpResponse<String> anthropic = post("/v1/messages", "{}", "x-api-key", UNKNOWN_GATEWAY_KEY,
                "anthropic-version", "2023-06-01");
        assertThat(anthropic.statusCode()).isEqualTo(401);
        assertThat(json(anthropic).at("/type").asText()).isEqualTo("error");
        assertThat(json(anthropic).at("/error/type").asText()).isEqualTo("authentication_error");

        HttpResponse<String> gemini = post("/v1beta/models/mock-gemini:generateContent", GEMINI,
                "x-goog-api-key", UNKNOWN_GATEWAY_KEY);
        assertThat(gemini.statusCode()).isEqualTo(400);
        JsonNode g = json(gemini).get("error");
        assertThat(g.get("code").asInt()).isEqualTo(400);
        assertThat(g.get("status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(g.at("/details/0/@type").asText()).isEqualTo("type.googleapis.com/google.rpc.ErrorInfo");
        assertThat(g.at("/details/0/reason").asText()).isEqualTo("API_KEY_INVALID");
        assertThat(gemini.body()).doesNotContain(UNKNOWN_GATEWAY_KEY);

        HttpResponse<String> geminiForbidden = post("/v1beta/models/mock-gemini:generateContent", GEMINI,
                "x-goog-api-key", NARROW_GATEWAY_KEY);
        assertThat(geminiForbidden.statusCode()).isEqualTo(403);
        assertThat(json(geminiForbidden).at("/error/status").asText()).isEqualTo("PERMISSION_DENIED");
    }

    @Test
    void healthAndReadinessNeedNoKeyAndTheAdminKeyIsNotAClientKey() throws Exception {
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/ready").statusCode()).isEqualTo(200);
        assertThat(post("/v1/chat/completions", CHAT, "authorization", "Bearer " + ADMIN_KEY).statusCode())
                .isEqualTo(401);
        assertThat(get("/v1/models").statusCode()).isEqualTo(401);
        assertThat(get("/v1beta/models").statusCode()).isEqualTo(400);
    }

    @Test
    void theAccessLogNamesTheTenantAndKeyButNeverTheSecret() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture()) {
            HttpResponse<String> ok = post("/v1/chat/completions", CHAT, "authorization", "Bearer " + GATEWAY_KEY);
            HttpResponse<String> bad = post("/v1/chat/completions", CHAT, "authorization", "Bearer " + UNKNOWN_GATEWAY_KEY);
            String okLine = log.await(ok.headers().firstValue("x-rosetta-request-id").orElseThrow());
            String badLine = log.await(bad.headers().firstValue("x-rosetta-request-id").orElseThrow());

            assertThat(okLine).contains("\"tenant\":\"team-a\",\"key_id\":\"cfg_a-main\",\"key_name\":\"a-main\"")
                    .contains("\"status\":200");
            assertThat(badLine).contains("\"status\":401").doesNotContain("key_id");
            assertThat(String.join("\n", log.lines())).doesNotContain(GATEWAY_KEY).doesNotContain(UNKNOWN_GATEWAY_KEY);
        }
    }

    @Test
    void repeatedFailuresFromOneAddressAreSlowedDown() throws Exception {
        // A gateway of its own: its throttle counts only this test's failures.
        try (TestGateway own = TestGateway.withKeys()) {
            String url = own.url() + "/v1/chat/completions";
            HttpRequest wrong = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(CHAT))
                    .header("authorization", "Bearer " + UNKNOWN_GATEWAY_KEY).build();
            for (int i = 0; i < FailedAuthThrottle.DEFAULT_BURST; i++) {
                assertThat(http.send(wrong, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            }
            HttpResponse<String> throttled = http.send(HttpRequest.newBuilder(URI.create(url))
                    .POST(HttpRequest.BodyPublishers.ofString(CHAT)).header("authorization", "Bearer " + GATEWAY_KEY)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(throttled.statusCode()).isEqualTo(429);
            assertThat(throttled.headers().firstValue("retry-after")).isPresent();
            assertThat(throttled.body()).contains("too many failed authentications");
        }
    }

    @Test
    void withTheStoreUnreachableFromTheStartRequestsGet503NotA401AndTheReplicaIsNotReady() throws Exception {
        String yaml = TestGateway.KEYS_YAML.replace("store: \"sqlite::memory:\"",
                "store: \"postgresql://nobody@127.0.0.1:9/none\"");
        try (TestGateway cold = TestGateway.start(yaml)) {
            HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create(cold.url() + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(CHAT)).header("authorization", "Bearer " + GATEWAY_KEY)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(chat.statusCode()).isEqualTo(503);
            assertThat(chat.headers().firstValue("retry-after")).contains("1");
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(cold.url() + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(json(ready).get("keys").asText()).contains("no keys loaded yet");
            assertThat(json(ready).get("store_error").asText()).isNotEmpty();
        }
    }
}
