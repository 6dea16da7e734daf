package dev.rosetta.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** TLS upstreams: certificates are verified, and HTTP/2 is negotiated by ALPN. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsUpstreamTest {

    private final Vertx vertx = Vertx.vertx();
    private final SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    private final AtomicReference<HttpVersion> seenVersion = new AtomicReference<>();
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    TlsUpstreamTest() throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setUseAlpn(true)
                        .setKeyCertOptions(cert.keyCertOptions()))
                .requestHandler(req -> req.body().onSuccess(b -> {
                    seenVersion.set(req.version());
                    req.response().putHeader("content-type", "application/json").end("{\"id\":\"tls-ok\"}");
                }));
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTrustedUpstreamIsReachedOverHttp2() throws Exception {
        try (TestGateway gateway = TestGateway.start(config("    ca_file: " + cert.certificatePath() + "\n"))) {
            HttpResponse<String> resp = post(gateway);
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.body()).isEqualTo("{\"id\":\"tls-ok\"}");
            assertThat(seenVersion.get()).isEqualTo(HttpVersion.HTTP_2);
        }
    }

    @Test
    void anUntrustedCertificateIsRefusedWith502() throws Exception {
        seenVersion.set(null);
        try (TestGateway gateway = TestGateway.start(config(""))) {
            HttpResponse<String> resp = post(gateway);
            assertThat(resp.statusCode()).isEqualTo(502);
            assertThat(resp.body()).contains("TLS handshake with upstream provider oai failed");
            assertThat(seenVersion.get()).isNull();
        }
    }

    private String config(String extra) {
        return """
                providers:
                  - name: oai
                    type: openai
                    base_url: https://localhost:%d/v1
                    api_key: ${OPENAI_API_KEY}
                %smodels:
                  - name: gpt-test
                    provider: oai
                """.formatted(server.actualPort(), extra);
    }

    private HttpResponse<String> post(TestGateway gateway) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-test\",\"messages\":[]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
