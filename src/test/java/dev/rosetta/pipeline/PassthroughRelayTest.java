package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.AccessLogCapture;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.TestGateway;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Same-dialect relay over raw HTTP: exact bytes, headers, live streaming, cancellation, usage. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PassthroughRelayTest {

    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.withProviders(upstream);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void forwardsTheBodyByteForByteButTheModel() throws Exception {
        String body = "{ \"messages\" : [{\"role\":\"user\",\"content\":\"h\\u00e9 \u00e9\"}],\n  \"model\" : \"gpt-test\","
                + "\"zz_unknown\":{\"big\":12345678901234567890123,\"f\":1.50000,\"e\":1E3},\"temperature\":0.70}";
        upstream.answer(Reply.json(200, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"extra\":[1.0]}",
                Map.of("x-request-id", "req-up-1", "x-ratelimit-remaining-requests", "99", "set-cookie", "a=b")));

        HttpResponse<String> resp = post("/v1/chat/completions", body, Map.of("authorization", "Bearer client-key-1"));

        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1/chat/completions");
        assertThat(got.bodyText()).isEqualTo(body.replace("\"gpt-test\"", "\"gpt-upstream\""));
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.body()).isEqualTo("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"extra\":[1.0]}");
        assertThat(resp.headers().firstValue("x-request-id")).hasValue("req-up-1");
        assertThat(resp.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("99");
        assertThat(resp.headers().firstValue("set-cookie")).isEmpty();
    }

    @Test
    void sendsTheProviderKeyInItsOwnHeaderAndNeverTheClients() throws Exception {
        String body = "{\"model\":\"claude-test\",\"max_tokens\":5,\"messages\":[]}";
        upstream.answer(Reply.json(200, "{}"));
        post("/v1/messages", body, Map.of("x-api-key", "client-key-2", "authorization", "Bearer client-key-3",
                "anthropic-version", "2023-06-01", "anthropic-beta", "tools-2024", "cookie", "s=1",
                "proxy-authorization", "Basic eA==", "user-agent", "my-app/1.0"));

        Recorded got = upstream.take();
        assertThat(got.headers().get("x-api-key")).isEqualTo(TestGateway.ANTHROPIC_KEY);
        assertThat(got.headers().get("authorization")).isNull();
        assertThat(got.headers().get("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(got.headers().get("anthropic-beta")).isEqualTo("tools-2024");
        assertThat(got.headers().get("cookie")).isNull();
        assertThat(got.headers().get("proxy-authorization")).isNull();
        assertThat(got.headers().get("user-agent")).startsWith("my-app/1.0").contains("rosetta/");
        assertThat(got.headers().toString()).doesNotContain("client-key");
    }

    @Test
    void geminiModelIsReplacedInThePathAndTheClientKeyDropped() throws Exception {
        String body = "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}";
        upstream.answer(Reply.sse("data: {\"candidates\":[]}\r\n\r\n"));
        HttpResponse<String> resp = post("/v1beta/models/gemini-test:streamGenerateContent?alt=sse&key=client-key-4",
                body, Map.of());

        Recorded got = upstream.take();
        assertThat(got.path()).isEqualTo("/v1beta/models/gemini-upstream:streamGenerateContent");
        assertThat(got.query()).isEqualTo("alt=sse");
        assertThat(got.headers().get("x-goog-api-key")).isEqualTo(TestGateway.GEMINI_KEY);
        assertThat(got.bodyText()).isEqualTo(body);
        assertThat(resp.body()).isEqualTo("data: {\"candidates\":[]}\r\n\r\n");
    }

    @Test
    void streamsEachEventBeforeTheNextIsSent() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.answer(Reply.stream("text/event-stream", List.of(
                Step.write("data: {\"n\":1}\n\n"), new Step.Await(gate), Step.write("data: {\"n\":2}\n\ndata: [DONE]\n\n")), true));

        HttpResponse<InputStream> resp = http.send(request("/v1/chat/completions",
                "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[]}", Map.of()).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8));

        assertThat(reader.readLine()).isEqualTo("data: {\"n\":1}");
        assertThat(gate).isNotDone();
        gate.complete(null);
        assertThat(reader.readLine()).isEmpty();
        assertThat(reader.readLine()).isEqualTo("data: {\"n\":2}");
        assertThat(reader.readLine()).isEmpty();
        assertThat(reader.readLine()).isEqualTo("data: [DONE]");
    }

    @Test
    void clientDisconnectMidStreamClosesTheUpstreamRequest() throws Exception {
        upstream.answer(Reply.stream("text/event-stream", List.of(
                Step.write("event: message_start\ndata: {\"type\":\"message_start\"}\n\n"),
                new Step.Await(new CompletableFuture<>())), false));
        CompletableFuture<Void> closed = upstream.connectionClosed();
        try (Socket s = new Socket("127.0.0.1", gateway.port())) {
            String body = "{\"model\":\"claude-test\",\"stream\":true,\"max_tokens\":5,\"messages\":[]}";
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data: {\"type\":\"message_start\"")) {
                // headers and chunk sizes
            }
            assertThat(line).isNotNull();
            assertThat(closed).isNotDone();
        }
        closed.get(1, TimeUnit.SECONDS);
    }

    @Test
    void upstreamCutMidStreamEndsWithAnErrorEventInTheClientsDialect() throws Exception {
        upstream.answer(Reply.stream("text/event-stream", List.of(
                Step.write("event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: content_block_delta\ndata: {\"ty"),
                new Step.Pause(50), new Step.Cut()), false));
        HttpResponse<String> resp = post("/v1/messages",
                "{\"model\":\"claude-test\",\"stream\":true,\"max_tokens\":5,\"messages\":[]}", Map.of());
        assertThat(resp.statusCode()).isEqualTo(200);
        // The half-sent event is not relayed: the error event follows the last complete one.
        assertThat(resp.body()).isEqualTo("event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
                + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":"
                + "\"upstream provider ant closed the connection mid-response\"}}\n\n");
    }

    static List<org.junit.jupiter.params.provider.Arguments> wholeStreams() {
        return List.of(
                org.junit.jupiter.params.provider.Arguments.of("/v1/chat/completions",
                        "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[]}",
                        "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n"),
                org.junit.jupiter.params.provider.Arguments.of("/v1/responses",
                        "{\"model\":\"gpt-test\",\"stream\":true,\"input\":\"x\"}",
                        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":0}\n\n"
                                + "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":1}\n\n"),
                org.junit.jupiter.params.provider.Arguments.of("/v1/messages",
                        "{\"model\":\"claude-test\",\"stream\":true,\"max_tokens\":5,\"messages\":[]}",
                        "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
                                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"),
                org.junit.jupiter.params.provider.Arguments.of("/v1beta/models/gemini-test:streamGenerateContent?alt=sse",
                        "{\"contents\":[]}",
                        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n"));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("wholeStreams")
    void aConnectionClosedAfterTheStreamsLastEventEndsTheAnswerCleanly(String path, String body, String stream)
            throws Exception {
        upstream.answer(Reply.stream("text/event-stream", List.of(Step.write(stream), new Step.Pause(50), new Step.Cut()),
                false));
        HttpResponse<String> resp = post(path, body, Map.of());
        assertThat(resp.statusCode()).isEqualTo(200);
        // No error frame after a whole answer: the client's SDK would throw the complete answer away.
        assertThat(resp.body()).isEqualTo(stream);
    }

    @Test
    void usageIsReadFromPassingStreamsForTheAccessLog() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture()) {
            upstream.answer(Reply.sse(
                    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":11,"
                            + "\"cache_read_input_tokens\":5,\"output_tokens\":1}}}\n\n",
                    "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":7}}\n\n",
                    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
            post("/v1/messages", "{\"model\":\"claude-test\",\"stream\":true,\"max_tokens\":5,\"messages\":[]}", Map.of());
            // Match this request's line: an earlier test's request may still be logging as this one starts.
            String line = log.await("\"model\":\"claude-test\",\"provider\":\"ant\",\"status\":200");
            assertThat(line).contains("\"provider\":\"ant\"", "\"status\":200", "\"stream\":true",
                    "\"tokens_in\":16", "\"tokens_out\":7", "\"tokens_cached\":5", "\"dialect\":\"anthropic\"");

            upstream.answer(Reply.json(200, "{\"id\":\"x\",\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":4,"
                    + "\"prompt_tokens_details\":{\"cached_tokens\":8},\"completion_tokens_details\":{\"reasoning_tokens\":3}}}"));
            post("/v1/chat/completions", "{\"model\":\"gpt-test\",\"messages\":[]}", Map.of());
            String chat = log.await("\"model\":\"gpt-test\",\"provider\":\"oai\",\"status\":200");
            assertThat(chat).contains("\"tokens_in\":20", "\"tokens_out\":4", "\"tokens_cached\":8",
                    "\"tokens_reasoning\":3");
            assertThat(log.lines()).noneMatch(l -> l.contains("SECRET") || l.contains("client-key"));
        }
    }

    @Test
    void upstreamErrorsInTheSameDialectAreRelayedAsTheyAre() throws Exception {
        String error = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
        upstream.answer(Reply.json(529, error, Map.of("retry-after", "3")));
        HttpResponse<String> resp = post("/v1/messages", "{\"model\":\"claude-test\",\"max_tokens\":5,\"messages\":[]}",
                Map.of());
        assertThat(resp.statusCode()).isEqualTo(529);
        assertThat(resp.body()).isEqualTo(error);
        assertThat(resp.headers().firstValue("retry-after")).hasValue("3");
    }

    @Test
    void anUpstreamErrorEchoingTheProviderKeyIsRedacted() throws Exception {
        upstream.answer(Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: "
                + TestGateway.OPENAI_KEY + "\",\"type\":\"invalid_request_error\"}}"));
        HttpResponse<String> resp = post("/v1/chat/completions", "{\"model\":\"gpt-test\",\"messages\":[]}", Map.of());
        assertThat(resp.statusCode()).isEqualTo(401);
        assertThat(resp.body()).isEqualTo("{\"error\":{\"message\":\"Incorrect API key provided: [redacted]\","
                + "\"type\":\"invalid_request_error\"}}");
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedWith413() throws Exception {
        try (TestGateway small = TestGateway.start("""
                max_body_size: 1KiB
                providers:
                  - name: mock
                    type: mock
                models:
                  - name: mock-gpt
                    provider: mock
                """)) {
            byte[] big = ("{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5000) + "\"}]}")
                    .getBytes(StandardCharsets.UTF_8);
            HttpRequest req = HttpRequest.newBuilder(URI.create(small.url() + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
                    .build();
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).isEqualTo(413);
            assertThat(resp.body()).contains("\"type\":\"invalid_request_error\"", "exceeds the gateway's limit");
        }
    }

    @Test
    void aBodyArrivingInPiecesIsForwardedWhole() throws Exception {
        String body = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "é".repeat(3000) + "\"}]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String expected = body.replace("\"gpt-test\"", "\"gpt-upstream\"");
        for (boolean chunked : new boolean[] {false, true}) {
            upstream.answer(Reply.json(200, "{\"id\":\"x\"}"));
            try (Socket s = new Socket("127.0.0.1", gateway.port())) {
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                        + (chunked ? "transfer-encoding: chunked\r\n" : "content-length: " + bytes.length + "\r\n")
                        + "\r\n").getBytes(StandardCharsets.US_ASCII));
                // Pieces split inside a multi-byte character, each sent and flushed apart.
                int[] cuts = {0, 7, 1001, 1002, 4555, bytes.length};
                for (int i = 0; i + 1 < cuts.length; i++) {
                    int n = cuts[i + 1] - cuts[i];
                    if (chunked) {
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(bytes, cuts[i], n);
                    if (chunked) {
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                    Thread.sleep(20);
                }
                if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                assertThat(in.readLine()).as("chunked=" + chunked).isEqualTo("HTTP/1.1 200 OK");
            }
            Recorded got = upstream.take();
            assertThat(got.bodyText()).as("chunked=" + chunked).isEqualTo(expected);
        }
    }

    @Test
    void gatewayErrorsUseTheClientsDialect() throws Exception {
        assertThat(post("/v1/chat/completions", "{\"model\":\"gpt-test\",", Map.of()).body())
                .startsWith("{\"error\":{\"message\":\"malformed JSON").contains("\"type\":\"invalid_request_error\"");
        assertThat(post("/v1/messages", "[1]", Map.of()).body())
                .isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
                        + "\"request body must be a JSON object at $\"}}");
        HttpResponse<String> gemini = post("/v1beta/models/nope:generateContent", "{\"contents\":[]}", Map.of());
        assertThat(gemini.statusCode()).isEqualTo(404);
        assertThat(gemini.body()).isEqualTo("{\"error\":{\"code\":404,\"message\":\"model \\\"nope\\\" is not served by "
                + "this gateway\",\"status\":\"NOT_FOUND\"}}");
        HttpResponse<String> missing = post("/v1/chat/completions", "{\"messages\":[]}", Map.of());
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("\"param\":\"model\"");
        HttpResponse<String> unknownPath = post("/v1/nothing", "{}", Map.of("anthropic-version", "2023-06-01"));
        assertThat(unknownPath.statusCode()).isEqualTo(404);
        assertThat(unknownPath.body()).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\"");
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        return http.send(request(path, body, headers).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach((k, v) -> {
            if (!k.equals("connection")) {
                b.header(k, v);
            }
        });
        return b;
    }
}
