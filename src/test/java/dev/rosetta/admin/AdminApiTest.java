package dev.rosetta.admin;

import static dev.rosetta.testing.TestGateway.ADMIN_KEY;
import static dev.rosetta.testing.TestGateway.GATEWAY_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.auth.KeySecret;
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

/** The admin API over HTTP against a gateway with {@code auth: keys} and an in-memory SQLite store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
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

    private record Answer(int status, JsonNode json) {
    }

    private Answer admin(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, body, ADMIN_KEY);
    }

    private Answer call(String method, String path, String body, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    private int chat(String key) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).header("authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void nothingWithoutTheAdminKeyAndAClientKeyIsNotOne() throws Exception {
        for (String key : new String[] {null, "wrong", GATEWAY_KEY}) {
            Answer a = call("GET", "/admin/v1/tenants", null, key);
            assertThat(a.status()).isEqualTo(401);
            assertThat(a.json().at("/error/type").asText()).isEqualTo("unauthorized");
            assertThat(a.json().at("/error/message").asText()).isNotEmpty();
        }
        assertThat(call("POST", "/admin/v1/tenants", "{\"name\":\"sneaky\"}", GATEWAY_KEY).status()).isEqualTo(401);
        assertThat(admin("GET", "/admin/v1/tenants/sneaky", null).status()).isEqualTo(404);
    }

    @Test
    void tenantsAreCreatedListedChangedAndDeclaredOnesAreReadOnly() throws Exception {
        Answer created = admin("POST", "/admin/v1/tenants",
                "{\"name\":\"team-t\",\"models\":[\"mock-*\"],\"metadata\":{\"owner\":\"t\"}}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("source").asText()).isEqualTo("store");
        assertThat(admin("POST", "/admin/v1/tenants", "{\"name\":\"team-t\"}").status()).isEqualTo(409);
        assertThat(admin("POST", "/admin/v1/tenants", "{\"name\":\"team-a\"}").status()).isEqualTo(409);
        assertThat(admin("POST", "/admin/v1/tenants", "{\"name\":\"bad name\"}").json().at("/error/type").asText())
                .isEqualTo("invalid_request");

        JsonNode list = admin("GET", "/admin/v1/tenants", null).json().get("data");
        assertThat(list.findValuesAsText("name")).contains("team-a", "team-off", "team-t");
        assertThat(admin("GET", "/admin/v1/tenants/team-a", null).json().get("source").asText()).isEqualTo("config");

        Answer patched = admin("PATCH", "/admin/v1/tenants/team-t", "{\"disabled\":true}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("disabled").asBoolean()).isTrue();
        assertThat(patched.json().get("models").get(0).asText()).isEqualTo("mock-*");
        Answer readOnly = admin("PATCH", "/admin/v1/tenants/team-a", "{\"disabled\":true}");
        assertThat(readOnly.status()).isEqualTo(409);
        assertThat(readOnly.json().at("/error/type").asText()).isEqualTo("read_only");
        assertThat(admin("DELETE", "/admin/v1/tenants/team-t", null).status()).isEqualTo(204);
        assertThat(admin("GET", "/admin/v1/tenants/team-t", null).status()).isEqualTo(404);
    }

    @Test
    void aKeyIsShownOnceWorksAtOnceAndStopsWhenDisabledOrRevoked() throws Exception {
        Answer created = admin("POST", "/admin/v1/keys", "{\"tenant\":\"team-a\",\"name\":\"dyn\",\"models\":[\"mock-gpt\"]}");
        assertThat(created.status()).isEqualTo(201);
        String secret = created.json().get("key").asText();
        String id = created.json().get("id").asText();
        assertThat(KeySecret.wellFormed(secret)).isTrue();
        assertThat(created.json().get("prefix").asText()).isEqualTo(secret.substring(0, 11));
        assertThat(chat(secret)).isEqualTo(200);

        Answer shown = admin("GET", "/admin/v1/keys/" + id, null);
        assertThat(shown.json().has("key")).isFalse();
        assertThat(shown.json().get("last_used_at").asText()).endsWith("Z");
        assertThat(created.json().has("last_used_at")).isFalse();
        assertThat(shown.json().toString()).doesNotContain(secret).doesNotContain(KeySecret.hash(secret));
        assertThat(admin("GET", "/admin/v1/keys?tenant=team-a", null).json().get("data").findValuesAsText("id"))
                .contains(id, "cfg_a-main");
        assertThat(admin("GET", "/admin/v1/keys", null).json().toString()).doesNotContain(secret);

        assertThat(admin("PATCH", "/admin/v1/keys/" + id, "{\"disabled\":true}").status()).isEqualTo(200);
        assertThat(chat(secret)).isEqualTo(401);
        assertThat(admin("PATCH", "/admin/v1/keys/" + id, "{\"disabled\":false,\"name\":\"dyn2\"}").status()).isEqualTo(200);
        assertThat(chat(secret)).isEqualTo(200);
        assertThat(admin("PATCH", "/admin/v1/keys/" + id, "{\"models\":[\"other-*\"]}").status()).isEqualTo(400);

        assertThat(admin("DELETE", "/admin/v1/keys/" + id, null).status()).isEqualTo(204);
        assertThat(chat(secret)).isEqualTo(401);
        assertThat(admin("GET", "/admin/v1/keys/" + id, null).status()).isEqualTo(404);
        assertThat(admin("DELETE", "/admin/v1/keys/cfg_a-main", null).json().at("/error/type").asText())
                .isEqualTo("read_only");
    }

    private int listFiles(String key) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/files")).header("authorization",
                "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void passthroughIsOffForATenantUntilGivenAndAKeyCanTakeItAway() throws Exception {
        Answer tenant = admin("POST", "/admin/v1/tenants", "{\"name\":\"team-p\",\"models\":[\"mock-*\"]}");
        assertThat(tenant.json().get("passthrough").asBoolean()).isFalse();
        Answer key = admin("POST", "/admin/v1/keys", "{\"tenant\":\"team-p\",\"name\":\"p1\"}");
        assertThat(key.json().get("passthrough").asBoolean()).isTrue();
        String secret = key.json().get("key").asText();
        assertThat(listFiles(secret)).isEqualTo(403);
        assertThat(chat(secret)).isEqualTo(200);

        assertThat(admin("PATCH", "/admin/v1/tenants/team-p", "{\"passthrough\":true}").json().get("passthrough")
                .asBoolean()).isTrue();
        // Past the check: no provider of this gateway serves OpenAI's files API.
        assertThat(listFiles(secret)).isNotEqualTo(403);
        String id = key.json().get("id").asText();
        assertThat(admin("PATCH", "/admin/v1/keys/" + id, "{\"passthrough\":false}").json().get("passthrough")
                .asBoolean()).isFalse();
        assertThat(listFiles(secret)).isEqualTo(403);
        assertThat(admin("GET", "/admin/v1/keys/" + id, null).json().get("passthrough").asBoolean()).isFalse();
        assertThat(admin("PATCH", "/admin/v1/tenants/team-p", "{\"passthrough\":\"yes\"}").status()).isEqualTo(400);
    }

    @Test
    void aKeyMayOnlyNarrowItsTenantsModels() throws Exception {
        admin("POST", "/admin/v1/tenants", "{\"name\":\"narrow-t\",\"models\":[\"mock-gpt\"]}");
        Answer a = admin("POST", "/admin/v1/keys", "{\"tenant\":\"narrow-t\",\"name\":\"k\",\"models\":[\"mock-*\"]}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().at("/error/message").asText()).contains("can only narrow");
        assertThat(admin("POST", "/admin/v1/keys", "{\"tenant\":\"nobody\",\"name\":\"k\"}").status()).isEqualTo(400);
        assertThat(admin("POST", "/admin/v1/keys", "{\"tenant\":\"narrow-t\",\"name\":\"k\",\"colour\":1}").status())
                .isEqualTo(400);
    }

    @Test
    void rotationWithGraceKeepsTheOldSecretUntilThenAndWithoutGraceNot() throws Exception {
        Answer created = admin("POST", "/admin/v1/keys", "{\"tenant\":\"team-a\",\"name\":\"rot\"}");
        String id = created.json().get("id").asText();
        String first = created.json().get("key").asText();

        Answer graced = admin("POST", "/admin/v1/keys/" + id + "/rotate", "{\"grace\":\"1h\"}");
        assertThat(graced.status()).isEqualTo(200);
        String second = graced.json().get("key").asText();
        assertThat(second).isNotEqualTo(first);
        assertThat(graced.json().has("previous_secret_until")).isTrue();
        assertThat(chat(first)).isEqualTo(200);
        assertThat(chat(second)).isEqualTo(200);

        String third = admin("POST", "/admin/v1/keys/" + id + "/rotate", "{}").json().get("key").asText();
        assertThat(chat(first)).isEqualTo(401);
        assertThat(chat(second)).isEqualTo(401);
        assertThat(chat(third)).isEqualTo(200);
    }

    @Test
    void everyChangeIsAuditedNewestFirstAndNoSecretReachesTheLogs() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture()) {
            Answer created = admin("POST", "/admin/v1/keys", "{\"tenant\":\"team-a\",\"name\":\"aud\"}");
            String id = created.json().get("id").asText();
            admin("DELETE", "/admin/v1/keys/" + id, null);

            JsonNode events = admin("GET", "/admin/v1/audit?limit=2", null).json().get("data");
            assertThat(events).hasSize(2);
            assertThat(events.get(0).get("action").asText()).isEqualTo("revoke");
            assertThat(events.get(1).get("action").asText()).isEqualTo("create");
            assertThat(events.get(1).get("entity_id").asText()).isEqualTo(id);
            assertThat(events.get(1).get("actor").asText()).isEqualTo("127.0.0.1");
            assertThat(events.get(1).at("/detail/name").asText()).isEqualTo("aud");
            assertThat(String.join("\n", log.lines())).doesNotContain(created.json().get("key").asText())
                    .doesNotContain(ADMIN_KEY);
        }
    }

    @Test
    void theOpenApiDescriptionCoversEveryEndpoint() throws Exception {
        Answer a = admin("GET", "/admin/v1/openapi.json", null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(a.json().get("paths").fieldNames()).toIterable().containsExactlyInAnyOrder("/tenants",
                "/tenants/{name}", "/keys", "/keys/{id}", "/keys/{id}/rotate", "/audit", "/usage", "/usage/requests", "/playground",
                "/openapi.json");
        assertThat(call("GET", "/admin/v1/openapi.json", null, null).status()).isEqualTo(401);
    }

    @Test
    void limitsAreSetShownChangedKeptOnRotationAndEnforcedAtOnce() throws Exception {
        Answer created = admin("POST", "/admin/v1/keys", "{\"tenant\":\"team-a\",\"name\":\"limited\","
                + "\"limits\":{\"rpm\":2},\"model_limits\":{\"mock-g*\":{\"tpm\":100000}}}");
        assertThat(created.status()).isEqualTo(201);
        String secret = created.json().get("key").asText();
        String id = created.json().get("id").asText();
        assertThat(created.json().get("limits").toString()).isEqualTo("{\"rpm\":2}");
        assertThat(created.json().get("model_limits").toString()).isEqualTo("{\"mock-g*\":{\"tpm\":100000}}");
        assertThat(chat(secret)).isEqualTo(200);
        assertThat(chat(secret)).isEqualTo(200);
        assertThat(chat(secret)).isEqualTo(429);

        Answer patched = admin("PATCH", "/admin/v1/keys/" + id, "{\"limits\":{\"rpm\":1000}}");
        assertThat(patched.json().get("limits").toString()).isEqualTo("{\"rpm\":1000}");
        assertThat(patched.json().get("model_limits").toString()).isEqualTo("{\"mock-g*\":{\"tpm\":100000}}");
        assertThat(chat(secret)).isEqualTo(200);

        Answer rotated = admin("POST", "/admin/v1/keys/" + id + "/rotate", "{}");
        assertThat(rotated.json().get("limits").toString()).isEqualTo("{\"rpm\":1000}");
        assertThat(admin("PATCH", "/admin/v1/keys/" + id, "{\"limits\":null,\"model_limits\":{}}").json()
                .has("limits")).isFalse();
        assertThat(admin("GET", "/admin/v1/keys/" + id, null).json().has("model_limits")).isFalse();

        Answer bad = admin("PATCH", "/admin/v1/keys/" + id, "{\"limits\":{\"rpm\":0,\"rph\":1}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().at("/error/message").asText()).contains("limits.rpm: expected a positive whole number")
                .contains("limits.rph: unknown limit");

        Answer tenant = admin("POST", "/admin/v1/tenants", "{\"name\":\"team-lim\",\"limits\":{\"concurrent\":4}}");
        assertThat(tenant.json().get("limits").toString()).isEqualTo("{\"concurrent\":4}");
        assertThat(admin("GET", "/admin/v1/tenants/team-lim", null).json().get("limits").toString())
                .isEqualTo("{\"concurrent\":4}");
    }
}
