package dev.rosetta.store;

import static dev.rosetta.testing.TestGateway.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways sharing one PostgreSQL, as two replicas would: a key created through A works on B,
 * revoked through B it fails on A, and a rotation's grace holds on both, each within
 * {@link KeyService#POLL_MILLIS} plus a load. The deadline asserted is 2 s, double the promise,
 * because this box is shared; the measured delays are printed.
 */
class ReplicasSharingPostgresTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String schema;
    private TestGateway a;
    private TestGateway b;

    @BeforeEach
    void start() {
        PostgresTestDatabase.require();
        schema = PostgresTestDatabase.freshSchema();
        String yaml = TestGateway.KEYS_YAML.replace("store: \"sqlite::memory:\"", "store: \"postgresql://"
                + PostgresTestDatabase.USER + "@" + PostgresTestDatabase.URL.substring("jdbc:postgresql://".length())
                + "?schema=" + schema + "\"");
        a = TestGateway.start(yaml);
        b = TestGateway.start(yaml);
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
            b.close();
        }
        if (schema != null) {
            PostgresTestDatabase.drop(schema);
        }
    }

    private JsonNode admin(TestGateway g, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(g.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 204);
        return r.body().isEmpty() ? null : JSON.readTree(r.body());
    }

    private int chat(TestGateway g, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(g.url() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).header("authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /**
     * Milliseconds until {@code g}'s snapshot shows key {@code id} with the given prefix (or, for null,
     * without the key); fails after 2 s. Watched through the admin API, which reads the same snapshot as
     * the admit stage: polling with the key itself would trip the failed-authentication throttle.
     */
    private long until(TestGateway g, String id, String prefix) throws Exception {
        long start = System.nanoTime();
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(g.url() + "/admin/v1/keys/" + id))
                    .header("authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
            boolean seen = prefix == null ? r.statusCode() == 404
                    : r.statusCode() == 200 && JSON.readTree(r.body()).get("prefix").asText().equals(prefix);
            if (seen) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            assertThat(System.nanoTime() - start).as("seen within 2 s").isLessThan(2_000_000_000L);
            Thread.sleep(20);
        }
    }

    @Test
    void aKeyCreatedOnAWorksOnBRevokedOnBFailsOnAAndRotationGraceHoldsOnBoth() throws Exception {
        JsonNode created = admin(a, "POST", "/admin/v1/keys", "{\"tenant\":\"team-a\",\"name\":\"shared\"}");
        String key = created.get("key").asText();
        String id = created.get("id").asText();
        assertThat(chat(a, key)).isEqualTo(200);
        long createdOnB = until(b, id, created.get("prefix").asText());
        assertThat(chat(b, key)).isEqualTo(200);

        JsonNode rotation = admin(b, "POST", "/admin/v1/keys/" + id + "/rotate", "{\"grace\":\"1h\"}");
        String rotated = rotation.get("key").asText();
        long rotatedOnA = until(a, id, rotation.get("prefix").asText());
        assertThat(chat(a, rotated)).isEqualTo(200);
        assertThat(chat(a, key)).isEqualTo(200);
        assertThat(chat(b, key)).isEqualTo(200);

        admin(b, "DELETE", "/admin/v1/keys/" + id, null);
        assertThat(chat(b, rotated)).isEqualTo(401);
        long revokedOnA = until(a, id, null);
        assertThat(chat(a, rotated)).isEqualTo(401);
        assertThat(chat(a, key)).isEqualTo(401);

        System.out.printf("replica propagation: create %d ms, rotate %d ms, revoke %d ms%n", createdOnB, rotatedOnA,
                revokedOnA);
    }

    @Test
    void whenTheStoreGoesAwayTheLastSnapshotKeepsServingAndReadySaysSo() throws Exception {
        JsonNode created = admin(a, "POST", "/admin/v1/keys", "{\"tenant\":\"team-a\",\"name\":\"survivor\"}");
        String key = created.get("key").asText();
        PostgresTestDatabase.drop(schema);
        long start = System.nanoTime();
        JsonNode ready;
        do {
            assertThat(System.nanoTime() - start).as("/ready reports the store within 5 s").isLessThan(5_000_000_000L);
            Thread.sleep(50);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(a.url() + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            ready = JSON.readTree(r.body());
        } while (!ready.has("keys"));
        assertThat(ready.get("keys").asText()).contains("serving the last snapshot");
        assertThat(chat(a, key)).isEqualTo(200);
        assertThat(chat(a, dev.rosetta.testing.TestGateway.UNKNOWN_GATEWAY_KEY)).isEqualTo(401);
    }
}
