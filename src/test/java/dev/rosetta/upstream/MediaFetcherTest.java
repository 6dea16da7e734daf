package dev.rosetta.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Media by URL for providers that need it inline: fetched, bounded, never from internal addresses by default. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MediaFetcherTest {

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2, 3};
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer images;
    private final FakeUpstream upstream = new FakeUpstream();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    MediaFetcherTest() throws Exception {
        images = vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/big.png")) {
                req.response().putHeader("content-type", "image/png").end(Buffer.buffer(new byte[64 * 1024]));
            } else {
                req.response().putHeader("content-type", "image/png; charset=binary").end(Buffer.buffer(PNG));
            }
        });
        images.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() throws Exception {
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void internalAddressesAreRecognised() throws Exception {
        for (String internal : new String[] {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "::1", "fc00::1", "fe80::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1"}) {
            assertThat(MediaFetcher.isInternal(InetAddress.getByName(internal))).as(internal).isTrue();
        }
        for (String external : new String[] {"8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"}) {
            assertThat(MediaFetcher.isInternal(InetAddress.getByName(external))).as(external).isFalse();
        }
    }

    @Test
    void anImageUrlIsInlinedForGemini() throws Exception {
        try (TestGateway gateway = gateway("fetch_private_addresses: true\n")) {
            upstream.answer(Reply.json(200, "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"a cat\"}]},"
                    + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":2}}"));
            HttpResponse<String> resp = post(gateway, imageRequest("/cat.png"));
            assertThat(resp.statusCode()).isEqualTo(200);
            JsonNode sent = JSON.readTree(upstream.take().body());
            JsonNode inline = sent.at("/contents/0/parts/1/inlineData");
            assertThat(inline.path("mimeType").asText()).isEqualTo("image/png");
            assertThat(Base64.getDecoder().decode(inline.path("data").asText())).isEqualTo(PNG);
        }
    }

    @Test
    void internalAddressesAreRefusedByDefault() throws Exception {
        try (TestGateway gateway = gateway("")) {
            upstream.answer(Reply.json(500, "{}"));
            HttpResponse<String> resp = post(gateway, imageRequest("/cat.png"));
            assertThat(resp.statusCode()).isEqualTo(400);
            assertThat(resp.body()).contains("internal addresses are not fetched", "\"type\":\"invalid_request_error\"");
            assertThat(upstream.pending()).isZero();
        }
    }

    @Test
    void aBodyOverTheLimitIsRefused() throws Exception {
        try (TestGateway gateway = gateway("fetch_private_addresses: true\nfetch_max_size: 16KiB\n")) {
            upstream.answer(Reply.json(500, "{}"));
            HttpResponse<String> resp = post(gateway, imageRequest("/big.png"));
            assertThat(resp.statusCode()).isEqualTo(400);
            assertThat(resp.body()).contains("larger than 16384 bytes");
            assertThat(upstream.pending()).isZero();
        }
    }

    private String imageRequest(String path) {
        return "{\"model\":\"gemini-test\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what is it\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://127.0.0.1:" + images.actualPort() + path + "\"}}]}]}";
    }

    private TestGateway gateway(String extra) {
        return TestGateway.start(extra + """
                providers:
                  - name: gem
                    type: gemini
                    base_url: %s
                    api_key: ${GEMINI_API_KEY}
                models:
                  - name: gemini-test
                    provider: gem
                """.formatted(upstream.baseUrl()));
    }

    private HttpResponse<String> post(TestGateway gateway, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
