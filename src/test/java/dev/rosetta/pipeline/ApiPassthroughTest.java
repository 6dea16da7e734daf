package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.AccessLogCapture;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The rest of each provider's API, passed through over real HTTP: what the provider receives (path,
 * method, query, headers, body, its own key and never the client's), what the client gets back
 * (status, headers, body as sent), streaming both ways, and Gemini's resumable upload through the gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiPassthroughTest {

    private static final String CLIENT_KEY = "client-key-NEVER-UPSTREAM";

    private final FakeUpstream upstream = new FakeUpstream();
    // The 64 MiB upload takes a few seconds on a busy machine; the provider timeout bounds the whole exchange.
    private final TestGateway gateway = TestGateway.withProviders(upstream, "60s");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void openAiModerationsGoesToTheProviderWithItsKeyAndComesBackAsSent() throws Exception {
        String answer = "{\"id\":\"modr-1\",\"model\":\"omni-moderation-latest\",\"results\":[{\"flagged\":false}]}";
        upstream.answer(Reply.json(200, answer, Map.of("x-request-id", "req-9", "openai-processing-ms", "12",
                "set-cookie", "__cf_bm=x", "x-custom-upstream", "kept")));
        String body = "{\"model\":\"omni-moderation-latest\", \"input\":\"hello\"}";
        try (AccessLogCapture log = new AccessLogCapture()) {
            HttpResponse<String> resp = send("POST", "/v1/moderations", body, Map.of(
                    "authorization", "Bearer " + CLIENT_KEY, "content-type", "application/json",
                    "openai-beta", "assistants=v2", "cookie", "s=1"));

            Recorded got = upstream.take();
            assertThat(got.method()).isEqualTo("POST");
            assertThat(got.path()).isEqualTo("/v1/moderations");
            assertThat(got.bodyText()).isEqualTo(body);
            assertThat(got.headers().get("authorization")).isEqualTo("Bearer " + TestGateway.OPENAI_KEY);
            assertThat(got.headers().get("openai-beta")).isEqualTo("assistants=v2");
            assertThat(got.headers().get("cookie")).isNull();
            assertThat(got.headers().toString()).doesNotContain(CLIENT_KEY);
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.body()).isEqualTo(answer);
            assertThat(resp.headers().firstValue("x-request-id")).hasValue("req-9");
            assertThat(resp.headers().firstValue("x-custom-upstream")).hasValue("kept");
            assertThat(resp.headers().firstValue("set-cookie")).isEmpty();
            String line = log.await("\"path\":\"/v1/moderations\"");
            assertThat(line).contains("\"method\":\"POST\"", "\"provider\":\"oai\"", "\"status\":200",
                    "\"bytes_in\":" + body.length(), "\"bytes_out\":" + answer.length(), "\"latency_ms\":")
                    .doesNotContain("hello");
        }
    }

    @Test
    void aModelTheGatewayServesIsRenamedInAJsonBody() throws Exception {
        upstream.answer(Reply.json(200, "{}"));
        send("POST", "/v1/images/generations", "{\"prompt\":\"a cat\",\"model\":\"gpt-test\",\"n\":1}",
                Map.of("content-type", "application/json"));
        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1/images/generations");
        assertThat(got.bodyText()).isEqualTo("{\"prompt\":\"a cat\",\"model\":\"gpt-upstream\",\"n\":1}");
    }

    @Test
    void storedResponsesAreRetrievedListedAndDeletedWithTheirQuery() throws Exception {
        upstream.answer(Reply.json(200, "{\"id\":\"resp_1\",\"object\":\"response\"}"));
        HttpResponse<String> get = send("GET", "/v1/responses/resp_1?include%5B%5D=reasoning.encrypted_content",
                null, Map.of());
        Recorded got = upstream.take();
        assertThat(got.method()).isEqualTo("GET");
        assertThat(got.path()).isEqualTo("/v1/responses/resp_1");
        assertThat(got.query()).isEqualTo("include%5B%5D=reasoning.encrypted_content");
        assertThat(get.body()).isEqualTo("{\"id\":\"resp_1\",\"object\":\"response\"}");

        upstream.answer(Reply.json(200, "{\"id\":\"resp_1\",\"deleted\":true}"));
        assertThat(send("DELETE", "/v1/responses/resp_1", null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(upstream.take().method()).isEqualTo("DELETE");

        upstream.answer(Reply.json(200, "{\"object\":\"list\",\"data\":[]}"));
        send("POST", "/v1/responses/resp_1/cancel", null, Map.of());
        assertThat(upstream.take().path()).isEqualTo("/v1/responses/resp_1/cancel");
        upstream.answer(Reply.json(200, "{\"object\":\"list\",\"data\":[]}"));
        send("GET", "/v1/responses/resp_1/input_items?limit=5", null, Map.of());
        assertThat(upstream.take().path()).isEqualTo("/v1/responses/resp_1/input_items");
    }

    @Test
    void anthropicBatchesKeepTheirBetaHeaderAndGetTheProvidersKey() throws Exception {
        upstream.answer(Reply.json(200, "{\"id\":\"msgbatch_1\",\"type\":\"message_batch\"}"));
        HttpResponse<String> resp = send("GET", "/v1/messages/batches/msgbatch_1", null, Map.of(
                "x-api-key", CLIENT_KEY, "anthropic-version", "2023-06-01",
                "anthropic-beta", "message-batches-2024-09-24"));

        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1/messages/batches/msgbatch_1");
        assertThat(got.headers().get("x-api-key")).isEqualTo(TestGateway.ANTHROPIC_KEY);
        assertThat(got.headers().get("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(got.headers().get("anthropic-beta")).isEqualTo("message-batches-2024-09-24");
        assertThat(got.headers().get("authorization")).isNull();
        assertThat(resp.body()).isEqualTo("{\"id\":\"msgbatch_1\",\"type\":\"message_batch\"}");
    }

    @Test
    void filesGoToAnthropicForAnAnthropicClientAndToOpenAiOtherwise() throws Exception {
        upstream.answer(Reply.json(200, "{\"data\":[]}"));
        send("GET", "/v1/files", null, Map.of("anthropic-version", "2023-06-01", "anthropic-beta", "files-api-2025-04-14"));
        Recorded anthropic = upstream.take();
        assertThat(anthropic.path()).isEqualTo("/v1/files");
        assertThat(anthropic.headers().get("x-api-key")).isEqualTo(TestGateway.ANTHROPIC_KEY);
        assertThat(anthropic.headers().get("anthropic-beta")).isEqualTo("files-api-2025-04-14");

        upstream.answer(Reply.json(200, "{\"data\":[]}"));
        send("GET", "/v1/files", null, Map.of("authorization", "Bearer " + CLIENT_KEY));
        Recorded openai = upstream.take();
        assertThat(openai.path()).isEqualTo("/v1/files");
        assertThat(openai.headers().get("authorization")).isEqualTo("Bearer " + TestGateway.OPENAI_KEY);
        assertThat(openai.headers().get("x-api-key")).isNull();
    }

    @Test
    void anthropicModelByIdGoesUpstreamUnderTheUpstreamName() throws Exception {
        upstream.answer(Reply.json(200, "{\"type\":\"model\",\"id\":\"claude-upstream\"}"));
        HttpResponse<String> resp = send("GET", "/v1/models/claude-test", null, Map.of("anthropic-version", "2023-06-01"));
        assertThat(upstream.take().path()).isEqualTo("/v1/models/claude-upstream");
        assertThat(resp.body()).isEqualTo("{\"type\":\"model\",\"id\":\"claude-upstream\"}");
    }

    @Test
    void geminiCachedContentsDropTheClientsKeyFromTheQuery() throws Exception {
        upstream.answer(Reply.json(200, "{\"cachedContents\":[]}"));
        HttpResponse<String> resp = send("GET", "/v1beta/cachedContents?pageSize=2&key=" + CLIENT_KEY, null,
                Map.of("x-goog-api-key", CLIENT_KEY));

        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1beta/cachedContents");
        assertThat(got.query()).isEqualTo("pageSize=2");
        assertThat(got.headers().get("x-goog-api-key")).isEqualTo(TestGateway.GEMINI_KEY);
        assertThat(resp.body()).isEqualTo("{\"cachedContents\":[]}");
    }

    @Test
    void geminiBatchGenerateContentNamesTheUpstreamModelInThePath() throws Exception {
        upstream.answer(Reply.json(200, "{\"name\":\"batches/1\"}"));
        String body = "{\"batch\":{\"displayName\":\"b\",\"inputConfig\":{\"fileName\":\"files/x\"}}}";
        send("POST", "/v1beta/models/gemini-test:batchGenerateContent", body, Map.of("content-type", "application/json"));
        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1beta/models/gemini-upstream:batchGenerateContent");
        assertThat(got.bodyText()).isEqualTo(body);
    }

    @Test
    void anUpstreamErrorPassesAsItIsButTheProvidersKeyIsRedacted() throws Exception {
        String error = "{\"error\":{\"code\":400,\"message\":\"API key " + TestGateway.GEMINI_KEY + " has no access\","
                + "\"status\":\"INVALID_ARGUMENT\"}}";
        upstream.answer(Reply.json(400, error, Map.of("x-goog-trace", "t1")));
        HttpResponse<String> resp = send("GET", "/v1beta/files/abc", null, Map.of());
        assertThat(resp.statusCode()).isEqualTo(400);
        assertThat(resp.body()).doesNotContain(TestGateway.GEMINI_KEY)
                .isEqualTo(error.replace(TestGateway.GEMINI_KEY, "[redacted]"));
        assertThat(resp.headers().firstValue("x-goog-trace")).hasValue("t1");
    }

    /** A client of each family that uploads and downloads files through {@code /v1/files}. */
    enum FilesClient {
        OPENAI(Map.of("authorization", "Bearer " + CLIENT_KEY), "authorization", "Bearer " + TestGateway.OPENAI_KEY),
        ANTHROPIC(Map.of("x-api-key", CLIENT_KEY, "anthropic-version", "2023-06-01", "anthropic-beta", "files-api-2025-04-14"),
                "x-api-key", TestGateway.ANTHROPIC_KEY);

        final Map<String, String> headers;
        final String keyHeader;
        final String providerKey;

        FilesClient(Map<String, String> headers, String keyHeader, String providerKey) {
            this.headers = headers;
            this.keyHeader = keyHeader;
            this.providerKey = providerKey;
        }

        HttpRequest.Builder sign(HttpRequest.Builder b) {
            headers.forEach(b::header);
            return b;
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(FilesClient.class)
    void aMultipartUploadOf64MiBStreamsThroughWithoutBeingHeld(FilesClient client) throws Exception {
        upstream.answer(Reply.json(200, "{\"id\":\"file-1\",\"object\":\"file\"}"));
        String boundary = "----rosetta-test-boundary";
        byte[] head = ("--" + boundary + "\r\ncontent-disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--" + boundary
                + "\r\ncontent-disposition: form-data; name=\"file\"; filename=\"big.jsonl\"\r\n"
                + "content-type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        long payload = 64L * 1024 * 1024;
        long total = head.length + payload + tail.length;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        // The client stops after its first 8 MiB until the provider has begun receiving: a gateway that
        // read the body whole before forwarding (or applied max_body_size, 32 MiB) could never finish.
        InputStream first = new PayloadStream(8L * 1024 * 1024, 1, sent);
        InputStream gate = new InputStream() {
            private boolean waited;

            @Override
            public int read() throws IOException {
                if (!waited) {
                    waited = true;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (upstream.bodyBytesReceived() == 0) {
                        if (System.nanoTime() > deadline) {
                            throw new IOException("the provider received nothing while the client was still sending");
                        }
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                }
                return -1;
            }
        };
        InputStream rest = new PayloadStream(payload - 8L * 1024 * 1024, 2, sent);
        InputStream body = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                new java.io.ByteArrayInputStream(head), first, gate, rest, new java.io.ByteArrayInputStream(tail))));
        MessageDigest headDigest = MessageDigest.getInstance("SHA-256");

        HttpResponse<String> resp = http.send(client.sign(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/files")))
                .header("content-type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), total))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.body()).isEqualTo("{\"id\":\"file-1\",\"object\":\"file\"}");
        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1/files");
        assertThat(got.headers().get("content-type")).isEqualTo("multipart/form-data; boundary=" + boundary);
        assertThat(got.headers().get(client.keyHeader)).isEqualTo(client.providerKey);
        assertThat(got.headers().toString()).doesNotContain(CLIENT_KEY);
        assertThat((long) got.body().length).isEqualTo(total);
        byte[] received = got.body();
        headDigest.update(received, head.length, (int) payload);
        assertThat(headDigest.digest()).isEqualTo(sent.digest());
        assertThat(new String(received, 0, head.length, StandardCharsets.US_ASCII))
                .isEqualTo(new String(head, StandardCharsets.US_ASCII));
    }

    @Test
    void aClientThatLeavesMidUploadEndsTheRequestAs499() throws Exception {
        upstream.answer(Reply.json(200, "{}"));
        try (AccessLogCapture log = new AccessLogCapture(); Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5_000);
            s.getOutputStream().write(("POST /v1/uploads/upload_1/parts HTTP/1.1\r\nhost: x\r\n"
                    + "content-type: multipart/form-data; boundary=b\r\ncontent-length: 10485760\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(new byte[1024 * 1024]);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (upstream.bodyBytesReceived() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(upstream.bodyBytesReceived()).as("bytes the provider got before the client left").isPositive();
            s.setSoLinger(true, 0);
            s.close();
            assertThat(log.await("\"path\":\"/v1/uploads/upload_1/parts\"")).contains("\"status\":499")
                    .containsPattern("\"bytes_in\":[1-9]");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (gateway.gateway().inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(gateway.gateway().inFlight()).isZero();
        assertThat(upstream.pending()).as("requests the provider saw complete").isZero();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(FilesClient.class)
    void aBinaryDownloadComesBackByteForByte(FilesClient client) throws Exception {
        byte[] content = new byte[6 * 1024 * 1024 + 17];
        new Random(7).nextBytes(content);
        List<Step> steps = new java.util.ArrayList<>();
        for (int off = 0; off < content.length; off += 1 << 20) {
            steps.add(new Step.Write(java.util.Arrays.copyOfRange(content, off, Math.min(content.length, off + (1 << 20)))));
        }
        upstream.answer(Reply.stream("application/octet-stream", steps, true));
        HttpResponse<byte[]> resp = http.send(client.sign(HttpRequest.newBuilder(URI.create(gateway.url()
                + "/v1/files/file-1/content"))).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1/files/file-1/content");
        assertThat(got.headers().get(client.keyHeader)).isEqualTo(client.providerKey);
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("content-type")).hasValue("application/octet-stream");
        assertThat(resp.body()).isEqualTo(content);
    }

    @Test
    void aClientThatStopsReadingADownloadPausesTheProviderAndLeavingResetsIt() throws Exception {
        byte[] chunk = new byte[64 * 1024];
        int times = 1024;
        AtomicLong written = new AtomicLong();
        upstream.answer(Reply.stream("application/octet-stream", List.of(new Step.Flood(chunk, times, written)), true));
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5_000);
            s.getOutputStream().write("GET /v1/files/file-big/content HTTP/1.1\r\nhost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            long last = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (written.get() != last && System.nanoTime() < deadline) {
                last = written.get();
                Thread.sleep(300);
            }
            assertThat(written.get()).as("bytes the provider got to send").isLessThan((long) times * chunk.length / 2);
            s.setSoLinger(true, 0);
        }
        upstream.connectionClosed().get(5, TimeUnit.SECONDS);
    }

    @Test
    void geminiResumableUploadUrlPointsBackAtTheGatewayAndTheBytesReachTheProvider() throws Exception {
        upstream.answer(r -> r.query().isEmpty()
                ? new Reply(200, Map.of("x-goog-upload-url",
                        "https://generativelanguage.googleapis.com/upload/v1beta/files?upload_id=UP-1&upload_protocol=resumable",
                        "x-goog-upload-status", "active", "x-goog-upload-chunk-granularity", "8388608"), List.of(), true)
                : Reply.json(200, "{\"file\":{\"name\":\"files/abc\",\"state\":\"ACTIVE\"}}",
                        Map.of("x-goog-upload-status", "final")));
        HttpResponse<String> start = send("POST", "/upload/v1beta/files", "{\"file\":{\"displayName\":\"a.txt\"}}", Map.of(
                "content-type", "application/json", "x-goog-api-key", CLIENT_KEY, "x-goog-upload-protocol", "resumable",
                "x-goog-upload-command", "start", "x-goog-upload-header-content-length", "11",
                "x-goog-upload-header-content-type", "text/plain"));
        Recorded started = upstream.take();
        assertThat(started.path()).isEqualTo("/upload/v1beta/files");
        assertThat(started.headers().get("x-goog-upload-command")).isEqualTo("start");
        assertThat(started.headers().get("x-goog-upload-header-content-length")).isEqualTo("11");
        assertThat(started.headers().get("x-goog-api-key")).isEqualTo(TestGateway.GEMINI_KEY);
        String uploadUrl = start.headers().firstValue("x-goog-upload-url").orElseThrow();
        assertThat(uploadUrl).isEqualTo(gateway.url()
                + "/upload/v1beta/files?upload_id=UP-1&upload_protocol=resumable&rosetta_provider=gem");

        HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(uploadUrl))
                .header("x-goog-upload-command", "upload, finalize").header("x-goog-upload-offset", "0")
                .header("x-goog-api-key", CLIENT_KEY).header("content-type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello bytes")).build(), HttpResponse.BodyHandlers.ofString());
        Recorded uploaded = upstream.take();
        assertThat(uploaded.path()).isEqualTo("/upload/v1beta/files");
        assertThat(uploaded.query()).isEqualTo("upload_id=UP-1&upload_protocol=resumable");
        assertThat(uploaded.headers().get("x-goog-upload-command")).isEqualTo("upload, finalize");
        assertThat(uploaded.headers().get("x-goog-upload-offset")).isEqualTo("0");
        assertThat(uploaded.headers().get("x-goog-api-key")).isEqualTo(TestGateway.GEMINI_KEY);
        assertThat(uploaded.bodyText()).isEqualTo("hello bytes");
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.headers().firstValue("x-goog-upload-status")).hasValue("final");
        assertThat(done.body()).isEqualTo("{\"file\":{\"name\":\"files/abc\",\"state\":\"ACTIVE\"}}");
    }

    @Test
    void theUploadUrlTakesTheOriginTheClientReachedThroughAProxy() throws Exception {
        upstream.answer(new Reply(200, Map.of("x-goog-upload-url",
                upstream.baseUrl() + "/upload/v1beta/files?upload_id=UP-2"), List.of(), true));
        HttpResponse<String> start = send("POST", "/upload/v1beta/files", "{}", Map.of("content-type", "application/json",
                "x-forwarded-proto", "https", "x-forwarded-host", "llm.example.com"));
        upstream.take();
        assertThat(start.headers().firstValue("x-goog-upload-url"))
                .hasValue("https://llm.example.com/upload/v1beta/files?upload_id=UP-2&rosetta_provider=gem");
    }

    @Test
    void theUploadUrlKeepsPathAndQueryBelowTheProvidersBasePath() {
        dev.rosetta.config.ProviderConfig behindProxy = new dev.rosetta.config.ProviderConfig("g 1",
                dev.rosetta.dialect.ProviderType.GEMINI, "https://proxy.corp/gemini", new dev.rosetta.config.Secret("k"),
                Duration.ofSeconds(1), Duration.ofSeconds(1), java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty());
        assertThat(ApiPassthrough.uploadUrl("https://proxy.corp/gemini/upload/v1beta/files?upload_id=a%2Bb&x=1",
                behindProxy, "http://127.0.0.1:8080"))
                .isEqualTo("http://127.0.0.1:8080/upload/v1beta/files?upload_id=a%2Bb&x=1&rosetta_provider=g+1");
        assertThat(ApiPassthrough.uploadUrl("https://generativelanguage.googleapis.com/upload/v1beta/files",
                behindProxy, "https://gw"))
                .isEqualTo("https://gw/upload/v1beta/files?rosetta_provider=g+1");
        assertThat(ApiPassthrough.query("key=abc&pageSize=2&rosetta_provider=x&alt=sse")).isEqualTo("?pageSize=2&alt=sse");
        assertThat(ApiPassthrough.query("key=abc")).isEmpty();
    }

    @Test
    void pathsThatCouldResolveElsewhereUpstreamAreNotPassedThrough() throws Exception {
        upstream.answer(Reply.json(200, "{}"));
        for (String path : List.of("/v1/files/%2e%2e/chat/completions", "/v1/files/..%2Fchat", "/v1/filesystem",
                "/v1beta/files/a/%2E%2E/%2E%2E/models")) {
            HttpResponse<String> resp = send("GET", path, null, Map.of());
            assertThat(resp.statusCode()).as(path).isEqualTo(404);
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5_000);
            s.getOutputStream().write("GET /v1/files/../chat/completions HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 404");
        }
        assertThat(upstream.pending()).isZero();
    }

    @Test
    void aModelServedByTheMockIsRefusedInTheClientsDialect() throws Exception {
        HttpResponse<String> resp = send("POST", "/v1/moderations", "{\"model\":\"mock-gpt\",\"input\":\"x\"}",
                Map.of("content-type", "application/json"));
        assertThat(resp.statusCode()).isEqualTo(400);
        assertThat(resp.body()).contains("\"error\":{", "mock", "/v1/moderations");
    }

    private HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code length} pseudo-random bytes from {@code seed}, fed to {@code digest} as they are read. */
    private static final class PayloadStream extends InputStream {
        private final Random random;
        private final MessageDigest digest;
        private long left;

        PayloadStream(long length, long seed, MessageDigest digest) {
            this.random = new Random(seed);
            this.digest = digest;
            this.left = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, Math.min(left, 64 * 1024));
            byte[] chunk = new byte[n];
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, b, off, n);
            digest.update(chunk);
            left -= n;
            return n;
        }
    }
}
