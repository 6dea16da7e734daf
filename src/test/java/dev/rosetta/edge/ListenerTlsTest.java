package dev.rosetta.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS on the listener (issue 18): every client dialect, plain and streamed, over HTTP/2 and HTTP/1.1
 * chosen by ALPN; a certificate swapped on disk is served to new connections without a restart; a
 * PKCS#12 key store works as well as PEM; HEAD on the probes; and on HTTP/2 a client resetting its
 * stream cancels the upstream call as closing an HTTP/1.1 connection does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListenerTlsTest {

    private final Path dir = Files.createTempDirectory("rosetta-tls");
    private final Path certFile = dir.resolve("cert.pem");
    private final Path keyFile = dir.resolve("key.pem");
    private final SelfSignedCertificate first = SelfSignedCertificate.create("localhost");
    private final SelfSignedCertificate second = SelfSignedCertificate.create("localhost");
    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway;
    private final SSLContext trust;

    ListenerTlsTest() throws Exception {
        install(first);
        gateway = TestGateway.start("""
                port: 0
                tls:
                  cert: %s
                  key: %s
                  check_interval: 100ms
                providers:
                  - name: mock
                    type: mock
                  - name: oai
                    type: openai
                    base_url: %s/v1
                    api_key: ${OPENAI_API_KEY}
                models:
                  - name: mock-gpt
                    provider: mock
                  - name: mock-claude
                    provider: mock
                  - name: mock-gemini
                    provider: mock
                  - name: slow-gpt
                    provider: oai
                """.formatted(certFile, keyFile, upstream.baseUrl()));
        trust = trusting(cert(first), cert(second));
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    enum Call {
        CHAT("/v1/chat/completions", "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "\"chat.completion\""),
        CHAT_STREAM("/v1/chat/completions", "{\"model\":\"mock-gpt\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "[DONE]"),
        RESPONSES("/v1/responses", "{\"model\":\"mock-gpt\",\"input\":\"hi\"}", "\"completed\""),
        RESPONSES_STREAM("/v1/responses", "{\"model\":\"mock-gpt\",\"stream\":true,\"input\":\"hi\"}", "response.completed"),
        MESSAGES("/v1/messages", "{\"model\":\"mock-claude\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "\"end_turn\""),
        MESSAGES_STREAM("/v1/messages", "{\"model\":\"mock-claude\",\"max_tokens\":32,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "message_stop"),
        GEMINI("/v1beta/models/mock-gemini:generateContent", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}", "\"STOP\""),
        GEMINI_STREAM("/v1beta/models/mock-gemini:streamGenerateContent?alt=sse", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}", "\"STOP\"");

        final String path;
        final String body;
        final String expect;

        Call(String path, String body, String expect) {
            this.path = path;
            this.body = body;
            this.expect = expect;
        }
    }

    @ParameterizedTest
    @EnumSource(Call.class)
    void everyDialectOverHttp2AndHttp11(Call call) throws Exception {
        for (HttpClient.Version v : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + call.path))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(call.body));
            if (call.path.startsWith("/v1/messages")) {
                b.header("anthropic-version", "2023-06-01");
            }
            HttpResponse<String> resp = client(v).send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(resp.version()).as(call + " " + v).isEqualTo(v);
            assertThat(resp.statusCode()).as(call + " " + v).isEqualTo(200);
            assertThat(resp.body()).as(call + " " + v).contains(call.expect);
        }
    }

    @Test
    void probesAnswerHeadWithoutABody() throws Exception {
        for (HttpClient.Version v : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
            for (String path : List.of("/health", "/ready")) {
                HttpResponse<String> resp = client(v).send(HttpRequest.newBuilder(URI.create(url() + path))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(resp.statusCode()).as(path + " " + v).isEqualTo(200);
                assertThat(resp.body()).isEmpty();
            }
        }
    }

    @Test
    void onlyModernProtocolsAreOffered() throws Exception {
        SSLContext tls11 = SSLContext.getInstance("TLSv1.1");
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store(cert(first), cert(second)));
        tls11.init(null, tmf.getTrustManagers(), null);
        try (var socket = (javax.net.ssl.SSLSocket) tls11.getSocketFactory().createSocket("127.0.0.1", gateway.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.1"});
            org.assertj.core.api.Assertions.assertThatThrownBy(socket::startHandshake).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void aSwappedCertificateIsServedWithoutARestart() throws Exception {
        Certificate before = peer();
        Certificate next = before.equals(cert(first)) ? cert(second) : cert(first);
        install(next.equals(cert(first)) ? first : second);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Certificate now = peer();
        while (!now.equals(next) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            now = peer();
        }
        assertThat(now).isEqualTo(next);
        // and a half-written file is not taken: the server keeps its certificate and still answers
        Files.writeString(certFile, "-----BEGIN CERTIFICATE-----\nnot a certificate\n");
        assertThat(peer()).isEqualTo(next);
        install(next.equals(cert(first)) ? first : second);
    }

    @Test
    void aPkcs12KeyStoreServesToo() throws Exception {
        Path p12 = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "rosetta", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
                "-storepass", "p12-pass-word", "-keypass", "p12-pass-word").redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            ks.load(in, "p12-pass-word".toCharArray());
        }
        try (TestGateway gw = TestGateway.start("""
                port: 0
                tls: {pkcs12: %s, password: p12-pass-word}
                providers: [{name: mock, type: mock}]
                models: [{name: mock-gpt, provider: mock}]
                """.formatted(p12))) {
            HttpClient c = HttpClient.newBuilder().sslContext(trusting(ks.getCertificate("rosetta"))).build();
            HttpResponse<String> resp = c.send(HttpRequest.newBuilder(URI.create("https://localhost:" + gw.port() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
    }

    /** HTTP/2 has no connection to close per request: the stream reset is the disconnect. */
    @Test
    void anHttp2StreamResetCancelsTheUpstreamCall() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        upstream.answer(Reply.stream("text/event-stream", List.of(
                Step.write(ProviderAnswers.opening(Dialect.OPENAI_CHAT, "first").get(0)), new Step.Await(never)), false));
        Vertx vertx = Vertx.vertx();
        try {
            var client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
                    .setProtocolVersion(HttpVersion.HTTP_2).setTrustOptions(new PemTrustOptions()
                            .addCertValue(Buffer.buffer(pem(first))).addCertValue(Buffer.buffer(pem(second)))));
            CompletableFuture<HttpVersion> version = new CompletableFuture<>();
            CompletableFuture<String> firstChunk = new CompletableFuture<>();
            var request = client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost")
                    .setPort(gateway.port()).setURI("/v1/chat/completions")).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            request.putHeader("content-type", "application/json");
            request.response().onSuccess(resp -> {
                version.complete(resp.version());
                resp.handler(chunk -> firstChunk.complete(chunk.toString()));
            });
            request.end("{\"model\":\"slow-gpt\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(version.get(10, TimeUnit.SECONDS)).isEqualTo(HttpVersion.HTTP_2);
            assertThat(firstChunk.get(10, TimeUnit.SECONDS)).contains("first");
            request.reset();
            upstream.connectionClosed().get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (gateway.gateway().inFlight() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(gateway.gateway().inFlight()).isZero();
        } finally {
            never.complete(null);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Backpressure on HTTP/2 is the stream's flow-control window: a client that stops reading pauses the upstream. */
    @Test
    void anHttp2ClientThatStopsReadingPausesTheUpstream() throws Exception {
        byte[] event = ProviderAnswers.delta(Dialect.OPENAI_CHAT, "x".repeat(1000)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        int times = 32 * 1024 * 1024 / event.length;
        upstream.answer(Reply.stream("text/event-stream", List.of(new Step.Flood(event, times, written)), true));
        Vertx vertx = Vertx.vertx();
        try {
            var client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
                    .setProtocolVersion(HttpVersion.HTTP_2).setTrustOptions(new PemTrustOptions()
                            .addCertValue(Buffer.buffer(pem(first))).addCertValue(Buffer.buffer(pem(second)))));
            CompletableFuture<HttpVersion> version = new CompletableFuture<>();
            var request = client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost")
                    .setPort(gateway.port()).setURI("/v1/chat/completions")).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            request.putHeader("content-type", "application/json");
            request.response().onSuccess(resp -> {
                resp.pause(); // never reads: no WINDOW_UPDATE goes back
                version.complete(resp.version());
            });
            request.end("{\"model\":\"slow-gpt\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(version.get(10, TimeUnit.SECONDS)).isEqualTo(HttpVersion.HTTP_2);
            long last = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (written.get() != last && System.nanoTime() < deadline) {
                last = written.get();
                Thread.sleep(300);
            }
            assertThat(written.get()).as("bytes the upstream got to send").isLessThan((long) times * event.length / 2);
            request.reset();
            upstream.connectionClosed().get(10, TimeUnit.SECONDS);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** The slow-client bound holds on HTTP/2 too: a connection left idle after a reset stream is closed at it. */
    @Test
    void anHttp2ConnectionIdleAfterAResetStreamIsClosedAtTheReadBound() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        upstream.answer(Reply.stream("text/event-stream", List.of(
                Step.write(ProviderAnswers.opening(Dialect.OPENAI_CHAT, "first").get(0)), new Step.Await(never)), false));
        Vertx vertx = Vertx.vertx();
        try (TestGateway bounded = TestGateway.start("""
                port: 0
                request_read_timeout: 500ms
                tls: {cert: %s, key: %s}
                providers: [{name: oai, type: openai, base_url: "%s/v1", api_key: "${OPENAI_API_KEY}"}]
                models: [{name: slow-gpt, provider: oai}]
                """.formatted(certFile, keyFile, upstream.baseUrl()))) {
            var client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
                    .setProtocolVersion(HttpVersion.HTTP_2).setHttp2KeepAliveTimeout(300).setTrustOptions(new PemTrustOptions()
                            .addCertValue(Buffer.buffer(pem(first))).addCertValue(Buffer.buffer(pem(second)))));
            CompletableFuture<String> firstChunk = new CompletableFuture<>();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            var request = client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost")
                    .setPort(bounded.port()).setURI("/v1/chat/completions")).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            request.connection().closeHandler(v -> closed.complete(null));
            request.putHeader("content-type", "application/json");
            request.response().onSuccess(resp -> resp.handler(chunk -> firstChunk.complete(chunk.toString())));
            request.end("{\"model\":\"slow-gpt\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(firstChunk.get(10, TimeUnit.SECONDS)).contains("first");
            request.reset();
            closed.get(10, TimeUnit.SECONDS); // Vert.x's own idle timeout would take 10 minutes
        } finally {
            never.complete(null);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private String url() {
        return "https://localhost:" + gateway.port();
    }

    private HttpClient client(HttpClient.Version v) {
        return HttpClient.newBuilder().version(v).sslContext(trust).build();
    }

    private Certificate peer() throws Exception {
        HttpResponse<String> resp = client(HttpClient.Version.HTTP_1_1).send(
                HttpRequest.newBuilder(URI.create(url() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        return resp.sslSession().orElseThrow().getPeerCertificates()[0];
    }

    private void install(SelfSignedCertificate c) throws Exception {
        // written beside and moved into place, as certificate tools do
        Path tmpCert = dir.resolve("cert.tmp");
        Path tmpKey = dir.resolve("key.tmp");
        Files.copy(Path.of(c.certificatePath()), tmpCert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of(c.privateKeyPath()), tmpKey, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmpKey, keyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmpCert, certFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] pem(SelfSignedCertificate c) throws Exception {
        return Files.readAllBytes(Path.of(c.certificatePath()));
    }

    private static Certificate cert(SelfSignedCertificate c) throws Exception {
        return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem(c)));
    }

    private static KeyStore store(Certificate... certs) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        for (int i = 0; i < certs.length; i++) {
            ks.setCertificateEntry("c" + i, certs[i]);
        }
        return ks;
    }

    private static SSLContext trusting(Certificate... certs) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store(certs));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
