package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
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

/** Provider choice for passed-through requests over HTTP, with its refusals in the client's dialect. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiPassthroughChoiceTest {

    private static final String KEY_A = "sk-provider-A-SECRET-1111";
    private static final String KEY_B = "sk-provider-B-SECRET-2222";

    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.start("""
            max_body_size: 1MiB
            request_read_timeout: 1s
            providers:
              - name: oai-a
                type: openai
                base_url: %1$s/v1
                api_key: %2$s
              - name: oai-b
                type: openai
                base_url: %1$s/v1
                api_key: %3$s
              - name: gem
                type: gemini
                base_url: %1$s
                api_key: ${GEMINI_API_KEY}
                passthrough: false
              - name: gem-on
                type: gemini
                base_url: %1$s
                api_key: ${GEMINI_API_KEY}
            models:
              - name: gpt-b
                provider: oai-b
                upstream_model: gpt-4o
            """.formatted(upstream.baseUrl(), KEY_A, KEY_B));
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void twoProvidersOfTheTypeAndNoModelIsA400ListingTheChoices() throws Exception {
        HttpResponse<String> resp = send("/v1/files", Map.of());
        assertThat(resp.statusCode()).isEqualTo(400);
        assertThat(resp.body()).startsWith("{\"error\":{").contains("x-rosetta-provider", "\\\"oai-a\\\"", "\\\"oai-b\\\"");
        assertThat(upstream.pending()).isZero();
    }

    @Test
    void theHeaderPicksTheProviderAndItsKey() throws Exception {
        upstream.answer(Reply.json(200, "{\"data\":[]}"));
        HttpResponse<String> resp = send("/v1/batches?limit=1", Map.of("x-rosetta-provider", "oai-b"));
        Recorded got = upstream.take();
        assertThat(got.headers().get("authorization")).isEqualTo("Bearer " + KEY_B);
        assertThat(got.headers().get("x-rosetta-provider")).isNull();
        assertThat(got.path()).isEqualTo("/v1/batches");
        assertThat(resp.statusCode()).isEqualTo(200);
    }

    @Test
    void theModelInTheBodyPicksTheProviderWithoutTheHeader() throws Exception {
        upstream.answer(Reply.json(200, "{}"));
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/audio/speech"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-b\",\"input\":\"hi\",\"voice\":\"alloy\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Recorded got = upstream.take();
        assertThat(got.headers().get("authorization")).isEqualTo("Bearer " + KEY_B);
        assertThat(got.bodyText()).isEqualTo("{\"model\":\"gpt-4o\",\"input\":\"hi\",\"voice\":\"alloy\"}");
        assertThat(resp.statusCode()).isEqualTo(200);
    }

    @Test
    void aProviderWithPassthroughOffIsNoChoiceAndNamingItIsA404InTheClientsDialect() throws Exception {
        for (String path : List.of("/v1beta/files", "/upload/v1beta/files")) {
            HttpResponse<String> resp = send(path, Map.of("x-rosetta-provider", "gem"));
            assertThat(resp.statusCode()).isEqualTo(404);
            assertThat(resp.body()).contains("\"status\":\"NOT_FOUND\"", "passthrough: false", "\\\"gem\\\"");
        }
        assertThat(upstream.pending()).isZero();

        upstream.answer(Reply.json(200, "{\"files\":[]}"));
        assertThat(send("/v1beta/files", Map.of()).statusCode()).isEqualTo(200);
        assertThat(upstream.take().path()).isEqualTo("/v1beta/files");
    }

    @Test
    void maxBodySizeBoundsOpenAiJsonButNotAStreamedUploadChunk() throws Exception {
        byte[] big = ("{\"input\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> json = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/moderations"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json.statusCode()).isEqualTo(413);

        upstream.answer(Reply.json(200, "{\"file\":{}}", Map.of("x-goog-upload-status", "final")));
        HttpResponse<String> chunk = http.send(HttpRequest.newBuilder(URI.create(gateway.url()
                        + "/upload/v1beta/files?upload_id=u1&rosetta_provider=gem-on"))
                .header("content-type", "application/json").header("x-goog-upload-command", "upload, finalize")
                .header("x-goog-upload-offset", "0").POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chunk.statusCode()).isEqualTo(200);
        Recorded got = upstream.take();
        assertThat(got.query()).isEqualTo("upload_id=u1");
        assertThat(got.body()).isEqualTo(big);
    }

    @Test
    void anUnknownProviderInTheHeaderIsA400() throws Exception {
        HttpResponse<String> resp = send("/v1/files", Map.of("x-rosetta-provider", "nope"));
        assertThat(resp.statusCode()).isEqualTo(400);
        assertThat(resp.body()).contains("no provider named \\\"nope\\\"");
    }

    @Test
    void anUploadThatStopsArrivingIsA408AndTheProviderSeesNoCompleteRequest() throws Exception {
        upstream.answer(Reply.json(200, "{}"));
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.port()), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST /v1/files HTTP/1.1\r\nhost: x\r\nx-rosetta-provider: oai-a\r\n"
                    + "content-type: multipart/form-data; boundary=b\r\ncontent-length: 100000\r\n\r\n--b\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String head = new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 408");
        }
        assertThat(upstream.bodyBytesReceived()).isEqualTo(5);
        assertThat(upstream.pending()).isZero();
    }

    private HttpResponse<String> send(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path)).GET();
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
