package dev.rosetta.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.config.ConfigLoader;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.CountingProxy;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The egress proxy (issue 18), with a local proxy that counts what it carries. The TLS upstream is named
 * {@code api.upstream.test}, a name only the proxy resolves: an answer proves the call went through it.
 * The environment is a map given to the config loader, never the process's own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EgressProxyTest {

    private static final String HOST = "api.upstream.test";
    private static final String PROXY_PASSWORD = "proxy-SECRET-pass-77";

    private final Vertx vertx = Vertx.vertx();
    private final SelfSignedCertificate cert = SelfSignedCertificate.create(HOST);
    private final SelfSignedCertificate localCert = SelfSignedCertificate.create("localhost");
    private final AtomicInteger upstreamCalls = new AtomicInteger();
    private final HttpServer tlsUpstream;
    private final HttpServer plainUpstream;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final java.nio.file.Path localCertFile;

    EgressProxyTest() throws Exception {
        localCertFile = java.nio.file.Files.createTempFile("egress-localhost", ".pem");
        java.nio.file.Files.copy(java.nio.file.Path.of(localCert.certificatePath()), localCertFile,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        localCertFile.toFile().deleteOnExit();
        tlsUpstream = listen(new HttpServerOptions().setSsl(true).setUseAlpn(true).setKeyCertOptions(cert.keyCertOptions()));
        plainUpstream = listen(new HttpServerOptions());
    }

    private HttpServer listen(HttpServerOptions options) throws Exception {
        HttpServer s = vertx.createHttpServer(options).requestHandler(req -> {
            if (req.path().endsWith(".png")) {
                req.response().putHeader("content-type", "image/png").end(Buffer.buffer(new byte[] {1, 2, 3}));
                return;
            }
            req.body().onSuccess(b -> {
                upstreamCalls.incrementAndGet();
                Dialect d = ProviderAnswers.dialectOf(req.path());
                if (ProviderAnswers.streamed(req.path(), b.toString())) {
                    req.response().putHeader("content-type", "text/event-stream").end(ProviderAnswers.stream(d, "proxied"));
                } else {
                    req.response().putHeader("content-type", "application/json").end(ProviderAnswers.json(d, "proxied"));
                }
            });
        });
        s.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return s;
    }

    @AfterAll
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void everyProviderCallTunnelsThroughHttpsProxyStreamsIncluded() throws Exception {
        try (CountingProxy proxy = new CountingProxy(Map.of(HOST, "127.0.0.1"));
             TestGateway gw = gateway(tlsProviders(""), Map.of("HTTPS_PROXY", proxy.url("")))) {
            int before = upstreamCalls.get();
            assertThat(post(gw, "/v1/chat/completions", chat("gpt-test", false)).body()).contains("proxied");
            assertThat(post(gw, "/v1/chat/completions", chat("gpt-test", true)).body()).contains("proxied", "[DONE]");
            assertThat(post(gw, "/v1/messages", anthropic("claude-test")).body()).contains("proxied");
            assertThat(upstreamCalls.get() - before).isEqualTo(3);
            assertThat(proxy.tunnels()).isPositive();
            assertThat(proxy.targets()).allMatch(t -> t.equals("CONNECT " + HOST + ":" + tlsUpstream.actualPort()));
        }
    }

    @Test
    void lowercaseVariablesWorkToo() throws Exception {
        try (CountingProxy proxy = new CountingProxy(Map.of(HOST, "127.0.0.1"));
             TestGateway gw = gateway(tlsProviders(""), Map.of("https_proxy", proxy.url("")))) {
            assertThat(post(gw, "/v1/chat/completions", chat("gpt-test", false)).statusCode()).isEqualTo(200);
            assertThat(proxy.tunnels()).isPositive();
        }
    }

    @Test
    void noProxyHostsAreReachedDirectly() throws Exception {
        for (String noProxy : List.of("localhost", ".localhost", "*", "other.example, localhost:" + tlsUpstream.actualPort())) {
            try (CountingProxy proxy = new CountingProxy(Map.of());
                 TestGateway gw = gateway(tlsProviders("").replace("https://" + HOST, "https://localhost"),
                         Map.of("HTTPS_PROXY", proxy.url(""), "NO_PROXY", noProxy), localCert)) {
                assertThat(post(gw, "/v1/chat/completions", chat("gpt-test", false)).statusCode()).as(noProxy).isEqualTo(200);
                assertThat(proxy.tunnels()).as(noProxy).isZero();
            }
        }
    }

    @Test
    void aProxyRequiringCredentialsGetsThemAndTheyNeverShow() throws Exception {
        try (CountingProxy proxy = new CountingProxy(Map.of(HOST, "127.0.0.1"), Optional.of("team"), Optional.of(PROXY_PASSWORD))) {
            try (TestGateway gw = gateway(tlsProviders(""), Map.of("HTTPS_PROXY", proxy.url("team:" + PROXY_PASSWORD)))) {
                assertThat(post(gw, "/v1/chat/completions", chat("gpt-test", false)).statusCode()).isEqualTo(200);
                assertThat(proxy.tunnels()).isPositive();
                assertThat(proxy.refused()).isZero();
            }
            try (TestGateway gw = gateway(tlsProviders(""), Map.of("HTTPS_PROXY", proxy.url("team:wrong-password-123")))) {
                HttpResponse<String> resp = post(gw, "/v1/chat/completions", chat("gpt-test", false));
                assertThat(resp.statusCode()).isEqualTo(502);
                assertThat(proxy.refused()).isPositive();
                assertThat(resp.body()).doesNotContain("wrong-password-123", PROXY_PASSWORD);
            }
            int refused = proxy.refused();
            try (TestGateway gw = gateway(tlsProviders(""), Map.of("HTTPS_PROXY", proxy.url("")))) {
                assertThat(post(gw, "/v1/chat/completions", chat("gpt-test", false)).statusCode()).isEqualTo(502);
                assertThat(proxy.refused()).isGreaterThan(refused); // 407 without credentials
            }
        }
    }

    @Test
    void aProvidersOwnProxyWinsAndDirectOptsOut() throws Exception {
        try (CountingProxy global = new CountingProxy(Map.of(HOST, "127.0.0.1"));
             CountingProxy own = new CountingProxy(Map.of(HOST, "127.0.0.1"), Optional.of("u"), Optional.of(PROXY_PASSWORD))) {
            String yaml = tlsProviders("").replaceFirst("(?m)^(    api_key: \\$\\{OPENAI_API_KEY\\})$",
                    "$1\n    proxy: " + own.url("u:" + PROXY_PASSWORD));
            try (TestGateway gw = gateway("proxy: " + global.url("") + "\n" + yaml, Map.of())) {
                assertThat(post(gw, "/v1/chat/completions", chat("gpt-test", false)).statusCode()).isEqualTo(200);
                assertThat(post(gw, "/v1/messages", anthropic("claude-test")).statusCode()).isEqualTo(200);
                assertThat(own.targets()).isNotEmpty().allMatch(t -> t.startsWith("CONNECT "));
                assertThat(global.tunnels()).isPositive();
            }
        }
        try (CountingProxy global = new CountingProxy(Map.of())) {
            String yaml = tlsProviders("").replace("https://" + HOST, "https://localhost").replaceFirst("(?m)^(    api_key: \\$\\{OPENAI_API_KEY\\})$",
                    "$1\n    proxy: direct");
            try (TestGateway gw = gateway(yaml, Map.of("HTTPS_PROXY", global.url("")), localCert)) {
                assertThat(post(gw, "/v1/chat/completions", chat("gpt-test", false)).statusCode()).isEqualTo(200);
                assertThat(global.tunnels()).isZero();
            }
        }
    }

    @Test
    void plainHttpUpstreamsAreProxiedWithCredentials() throws Exception {
        try (CountingProxy proxy = new CountingProxy(Map.of(HOST, "127.0.0.1"), Optional.of("team"), Optional.of(PROXY_PASSWORD));
             TestGateway gw = gateway("""
                     providers:
                       - name: oai
                         type: openai
                         base_url: http://%s:%d/v1
                         api_key: ${OPENAI_API_KEY}
                     models:
                       - name: gpt-test
                         provider: oai
                     """.formatted(HOST, plainUpstream.actualPort()), Map.of("HTTP_PROXY", proxy.url("team:" + PROXY_PASSWORD)))) {
            assertThat(post(gw, "/v1/chat/completions", chat("gpt-test", true)).body()).contains("proxied", "[DONE]");
            assertThat(proxy.forwarded()).isPositive();
            assertThat(proxy.tunnels()).isZero();
            assertThat(proxy.targets()).allMatch(t -> t.startsWith("POST http://" + HOST + ":"));
        }
    }

    @Test
    void mediaFetchesGoThroughTheProxy() throws Exception {
        try (CountingProxy proxy = new CountingProxy(Map.of());
             TestGateway gw = gateway("""
                     fetch_private_addresses: true
                     providers:
                       - name: gem
                         type: gemini
                         base_url: http://127.0.0.1:%d
                         api_key: ${GEMINI_API_KEY}
                         proxy: direct
                     models:
                       - name: gemini-test
                         provider: gem
                     """.formatted(plainUpstream.actualPort()), Map.of("HTTP_PROXY", proxy.url("")))) {
            String image = "http://127.0.0.1:" + plainUpstream.actualPort() + "/cat.png";
            HttpResponse<String> resp = post(gw, "/v1/chat/completions", "{\"model\":\"gemini-test\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + image + "\"}}]}]}");
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(proxy.targets()).containsExactly("GET " + image);
        }
    }

    private String tlsProviders(String extra) {
        return """
                providers:
                  - name: oai
                    type: openai
                    base_url: https://%1$s:%2$d/v1
                    api_key: ${OPENAI_API_KEY}
                    ca_file: %3$s
                  - name: ant
                    type: anthropic
                    base_url: https://%1$s:%2$d
                    api_key: ${ANTHROPIC_API_KEY}
                    ca_file: %3$s
                models:
                  - name: gpt-test
                    provider: oai
                  - name: claude-test
                    provider: ant
                    max_tokens: 64
                %4$s""".formatted(HOST, tlsUpstream.actualPort(), cert.certificatePath(), extra);
    }

    private TestGateway gateway(String yaml, Map<String, String> proxyEnv) {
        return gateway(yaml, proxyEnv, null);
    }

    /** @param localhostCert when the upstream is named localhost: the certificate to serve and trust instead */
    private TestGateway gateway(String yaml, Map<String, String> proxyEnv, SelfSignedCertificate localhostCert) {
        if (localhostCert != null) {
            tlsUpstream.updateSSLOptions(new io.vertx.core.net.ServerSSLOptions().setKeyCertOptions(localhostCert.keyCertOptions()))
                    .toCompletionStage().toCompletableFuture().join();
            yaml = yaml.replace(cert.certificatePath(), localhostCert.certificatePath());
        } else {
            tlsUpstream.updateSSLOptions(new io.vertx.core.net.ServerSSLOptions().setKeyCertOptions(cert.keyCertOptions()))
                    .toCompletionStage().toCompletableFuture().join();
        }
        Map<String, String> env = new HashMap<>(proxyEnv);
        env.put("OPENAI_API_KEY", TestGateway.OPENAI_KEY);
        env.put("ANTHROPIC_API_KEY", TestGateway.ANTHROPIC_KEY);
        env.put("GEMINI_API_KEY", TestGateway.GEMINI_KEY);
        return TestGateway.start(ConfigLoader.parse("port: 0\n" + yaml, env::get));
    }

    private static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private static String anthropic(String model) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private HttpResponse<String> post(TestGateway gw, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.url() + path)).header("content-type", "application/json");
        if (path.equals("/v1/messages")) {
            b.header("anthropic-version", "2023-06-01");
        }
        return http.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
