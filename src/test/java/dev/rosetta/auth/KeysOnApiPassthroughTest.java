package dev.rosetta.auth;

import static dev.rosetta.testing.TestGateway.GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.NARROW_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.OFF_TENANT_GATEWAY_KEY;
import static dev.rosetta.testing.TestGateway.OPENAI_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.genai.Client;
import com.google.genai.types.File;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.google.genai.types.UploadFileConfig;
import dev.rosetta.dialect.opaque.StateSealer;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    private static final String STATE_SECRET = "upload-grant-test-secret-4e1f9a";
    /** Grants as this gateway seals them (same secret), to forge expired ones for a real key. */
    private static final UploadGrants GRANTS = new UploadGrants(StateSealer.withSecret(STATE_SECRET), Duration.ofHours(1));

    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.start("""
            port: 0
            auth: keys
            state_secret: %2$s
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
                passthrough: true
              - name: closed
                models: [gemini-test]
            keys:
              - name: k
                tenant: t
                key: ${GW_KEY}
              - name: k-no-api
                tenant: t
                key: ${GW_OFF_KEY}
                passthrough: false
              - name: c
                tenant: closed
                key: ${GW_NARROW_KEY}
            """.formatted(upstream.baseUrl(), STATE_SECRET));
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

    @Test
    void passthroughNamingNoModelIsForbiddenInEachDialectUnlessTheTenantAndKeyAllowIt() throws Exception {
        ObjectMapper json = new ObjectMapper();
        HttpResponse<String> openAi = send("GET", "/v1/files", null, "authorization", "Bearer " + NARROW_GATEWAY_KEY);
        assertThat(openAi.statusCode()).isEqualTo(403);
        assertThat(json.readTree(openAi.body()).at("/error/code").asText()).isEqualTo("passthrough_not_allowed");
        assertThat(openAi.body()).contains("passthrough off");
        HttpResponse<String> narrowedKey = send("GET", "/v1/files", null, "authorization", "Bearer " + OFF_TENANT_GATEWAY_KEY);
        assertThat(narrowedKey.statusCode()).isEqualTo(403);
        HttpResponse<String> gemini = send("GET", "/v1beta/files", null, "x-goog-api-key", NARROW_GATEWAY_KEY);
        assertThat(gemini.statusCode()).isEqualTo(403);
        assertThat(json.readTree(gemini.body()).at("/error/status").asText()).isEqualTo("PERMISSION_DENIED");
        HttpResponse<String> upload = send("POST", "/upload/v1beta/files", "{\"file\":{}}", "content-type",
                "application/json", "x-goog-api-key", NARROW_GATEWAY_KEY, "x-goog-upload-command", "start");
        assertThat(upload.statusCode()).isEqualTo(403);
        assertThat(upstream.pending()).isZero();

        // A request naming a model is judged by the models alone.
        upstream.answer(Reply.json(200, "{\"name\":\"batches/1\"}"));
        assertThat(send("POST", "/v1beta/models/gemini-test:batchGenerateContent", "{}", "x-goog-api-key",
                NARROW_GATEWAY_KEY, "content-type", "application/json").statusCode()).isEqualTo(200);
        upstream.take();
    }

    /** The upstream's answer to a resumable upload's start, and to its chunks. */
    private void geminiUploads(String uploadId) {
        upstream.answer(r -> "start".equals(r.headers().get("x-goog-upload-command"))
                ? new Reply(200, Map.of("x-goog-upload-url", "https://generativelanguage.googleapis.com/upload/v1beta/files"
                        + "?upload_id=" + uploadId + "&upload_protocol=resumable", "x-goog-upload-status", "active"),
                        List.of(), true)
                : Reply.json(200, r.headers().get("x-goog-upload-command").contains("finalize")
                        ? "{\"file\":{\"name\":\"files/" + uploadId + "\",\"state\":\"ACTIVE\"}}" : "",
                        Map.of("x-goog-upload-status", "final")));
    }

    /** Starts an upload with the gateway key and returns the upload URL the gateway handed back. */
    private String startUpload(String uploadId) throws Exception {
        geminiUploads(uploadId);
        HttpResponse<String> start = send("POST", "/upload/v1beta/files", "{\"file\":{}}", "content-type",
                "application/json", "x-goog-api-key", GATEWAY_KEY, "x-goog-upload-protocol", "resumable",
                "x-goog-upload-command", "start");
        assertThat(start.statusCode()).isEqualTo(200);
        upstream.take();
        return start.headers().firstValue("x-goog-upload-url").orElseThrow();
    }

    private HttpResponse<String> finish(String uploadUrl) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uploadUrl)).header("x-goog-upload-command", "upload, finalize")
                .header("x-goog-upload-offset", "0").POST(HttpRequest.BodyPublishers.ofString("hello bytes")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aGeminiUploadStartedWithAKeyIsFinishedWithoutOneThroughItsGrant() throws Exception {
        String url = startUpload("UP-1");
        assertThat(url).startsWith(gateway.url() + "/upload/v1beta/files?upload_id=UP-1&upload_protocol=resumable"
                + "&rosetta_provider=gem&" + UploadGrants.PARAM + "=").doesNotContain(GATEWAY_KEY);

        HttpResponse<String> done = finish(url);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("files/UP-1");
        FakeUpstream.Recorded got = upstream.take();
        assertThat(got.query()).isEqualTo("upload_id=UP-1&upload_protocol=resumable");
        assertThat(got.headers().get("x-goog-api-key")).isEqualTo(TestGateway.GEMINI_KEY);
        assertThat(got.bodyText()).isEqualTo("hello bytes");
    }

    @Test
    void aForgedExpiredOrMisdirectedGrantIsGooglesInvalidApiKey() throws Exception {
        String url = startUpload("UP-2");
        String token = url.substring(url.indexOf(UploadGrants.PARAM + "=") + UploadGrants.PARAM.length() + 1);
        UploadGrants.Grant grant = GRANTS.open(token).orElseThrow();
        assertThat(grant.uploadId()).isEqualTo("UP-2");
        String expired = new UploadGrants(StateSealer.withSecret(STATE_SECRET), Duration.ofHours(-1))
                .issue(grant.keyId(), "gem", "/upload/v1beta/files", "UP-2", System.currentTimeMillis());
        String revoked = GRANTS.issue("key-that-is-gone", "gem", "/upload/v1beta/files", "UP-2",
                System.currentTimeMillis());
        // A middle character: the last one of unpadded base64 may carry bits the decoder ignores.
        int mid = token.length() / 2;
        String tampered = token.substring(0, mid) + (token.charAt(mid) == 'A' ? 'B' : 'A') + token.substring(mid + 1);
        String base = gateway.url() + "/upload/v1beta/files?upload_id=UP-2&upload_protocol=resumable&rosetta_provider=gem&"
                + UploadGrants.PARAM + "=";
        Map<String, String> refused = Map.of(
                "tampered", base + tampered,
                "expired", base + expired,
                "revoked key", base + revoked,
                "another upload", url.replace("upload_id=UP-2", "upload_id=UP-3"),
                "another provider", url.replace("rosetta_provider=gem", "rosetta_provider=oai"),
                "no grant", url.substring(0, url.indexOf("&" + UploadGrants.PARAM)));
        ObjectMapper json = new ObjectMapper();
        for (Map.Entry<String, String> c : refused.entrySet()) {
            HttpResponse<String> r = finish(c.getValue());
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
            JsonNode error = json.readTree(r.body()).get("error");
            assertThat(error.get("status").asText()).as(c.getKey()).isEqualTo("INVALID_ARGUMENT");
            assertThat(error.at("/details/0/reason").asText()).as(c.getKey()).isEqualTo("API_KEY_INVALID");
        }
        assertThat(finish(base + revoked).body()).contains("key-that-is-gone").contains("revoked");
        assertThat(upstream.pending()).isZero();
        // A grant is for the upload path only: elsewhere the request still needs a key.
        assertThat(send("GET", "/v1beta/files?rosetta_provider=gem&upload_id=UP-2&" + UploadGrants.PARAM + "=" + token,
                null).statusCode()).isEqualTo(400);
        assertThat(upstream.pending()).isZero();
    }

    @Test
    void theGoogleGenAiSdkUploadsAFileWithAGatewayKey() {
        geminiUploads("SDK-1");
        try (Client client = Client.builder().apiKey(GATEWAY_KEY).httpOptions(HttpOptions.builder()
                .baseUrl(gateway.url()).apiVersion("v1beta").retryOptions(HttpRetryOptions.builder().attempts(1).build())
                .build()).build()) {
            File file = client.files.upload("sdk bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    UploadFileConfig.builder().mimeType("text/plain").build());
            assertThat(file.name()).hasValue("files/SDK-1");
        }
        assertThat(upstream.take().headers().get("x-goog-upload-command")).isEqualTo("start");
        FakeUpstream.Recorded bytes = upstream.take();
        assertThat(bytes.headers().get("x-goog-upload-command")).contains("finalize");
        assertThat(bytes.headers().get("x-goog-api-key")).isEqualTo(TestGateway.GEMINI_KEY);
        assertThat(bytes.bodyText()).isEqualTo("sdk bytes");
    }
}
