package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.AccessLogCapture;
import dev.rosetta.testing.FakeUpstream;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Streams converted live between dialects, over raw HTTP: timing, failures before and after the first byte. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamConversionTest {

    private static final String START = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
            + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-upstream\",\"content\":[],\"stop_reason\":null,"
            + "\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
    private static final String DELTA1 = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n";
    private static final String DELTA2 = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\" world\"}}\n\n";
    private static final String END = "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
            + "\"usage\":{\"output_tokens\":6}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    private static final String CHAT_STREAM = "{\"model\":\"claude-test\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.start("""
            stream_idle_timeout: 1s
            stream_first_byte_timeout: 1s
            keepalive_interval: 200ms
            providers:
              - name: ant
                type: anthropic
                base_url: %1$s
                api_key: ${ANTHROPIC_API_KEY}
              - name: oai
                type: openai
                base_url: %1$s/v1
                api_key: ${OPENAI_API_KEY}
            models:
              - name: claude-test
                provider: ant
                upstream_model: claude-upstream
              - name: gpt-test
                provider: oai
            """.formatted(upstream.baseUrl()));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void eachDeltaReachesTheClientBeforeTheNextIsSent() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.answer(Reply.stream("text/event-stream", List.of(Step.write(START + DELTA1), new Step.Await(gate),
                Step.write(DELTA2 + END)), true));
        HttpResponse<InputStream> resp = http.send(post("/v1/chat/completions", CHAT_STREAM),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        BufferedReader reader = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8));
        String line;
        List<String> seen = new ArrayList<>();
        while ((line = reader.readLine()) != null && !line.contains("\"content\":\"Hello\"")) {
            seen.add(line);
        }
        assertThat(line).isNotNull();
        assertThat(gate).isNotDone();
        assertThat(String.join("\n", seen)).contains("\"role\":\"assistant\"");
        gate.complete(null);
        StringBuilder rest = new StringBuilder();
        while ((line = reader.readLine()) != null) {
            rest.append(line).append('\n');
        }
        assertThat(rest.toString()).contains("\"content\":\" world\"", "\"finish_reason\":\"stop\"",
                "\"prompt_tokens\":9", "\"completion_tokens\":6").endsWith("data: [DONE]\n\n");
        assertThat(rest.toString().indexOf("[DONE]")).isEqualTo(rest.toString().lastIndexOf("[DONE]"));
    }

    @Test
    void anErrorEventBeforeAnyContentBecomesAnHttpErrorInTheClientsDialect() throws Exception {
        upstream.answer(Reply.sse("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"Overloaded\"}}\n\n"));
        HttpResponse<String> resp = http.send(post("/v1/chat/completions", CHAT_STREAM), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(529);
        assertThat(resp.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(resp.body()).startsWith("{\"error\":{\"message\":\"Overloaded\"");
    }

    @Test
    void anHttpErrorFromTheUpstreamIsRenderedInTheClientsDialect() throws Exception {
        upstream.answer(Reply.json(429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}",
                java.util.Map.of("retry-after", "7")));
        HttpResponse<String> resp = http.send(post("/v1beta/models/claude-test:streamGenerateContent?alt=sse",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(429);
        assertThat(resp.headers().firstValue("retry-after")).hasValue("7");
        // as Google says when to come back: the retry-after as a google.rpc.RetryInfo detail
        assertThat(resp.body()).isEqualTo("{\"error\":{\"code\":429,\"message\":\"slow down\",\"status\":\"RESOURCE_EXHAUSTED\","
                + "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"7s\"}]}}");
    }

    @Test
    void aCutMidStreamEndsWithTheClientDialectsErrorFrame() throws Exception {
        upstream.answer(Reply.stream("text/event-stream", List.of(Step.write(START + DELTA1), new Step.Pause(50),
                new Step.Cut()), false));
        HttpResponse<String> resp = http.send(post("/v1/chat/completions", CHAT_STREAM), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.body()).contains("\"content\":\"Hello\"").contains("data: {\"error\":")
                .doesNotContain("[DONE]").doesNotContain("finish_reason\":\"stop\"");
    }

    @Test
    void anUpstreamThatStallsPastTheIdleTimeoutFailsTheStreamAndKeepAlivesFlowMeanwhile() throws Exception {
        upstream.answer(Reply.stream("text/event-stream", List.of(Step.write(START + DELTA1),
                new Step.Await(new CompletableFuture<>())), false));
        long start = System.nanoTime();
        HttpResponse<String> resp = http.send(post("/v1beta/models/claude-test:streamGenerateContent?alt=sse",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"), HttpResponse.BodyHandlers.ofString());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.body()).contains("\"text\":\"Hello\"", ": keep-alive")
                .contains("data: {\"error\":{\"code\":504,\"message\":\"upstream provider ant sent nothing between events for 1s\"")
                .doesNotContain("finishReason");
    }

    @Test
    void keepAlivesAreSentWhileTheUpstreamThinks() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.answer(Reply.stream("text/event-stream", List.of(Step.write(START + DELTA1), new Step.Pause(700),
                Step.write(DELTA2 + END)), true));
        HttpResponse<String> resp = http.send(post("/v1/chat/completions", CHAT_STREAM), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.body()).contains(": keep-alive\n\n").endsWith("data: [DONE]\n\n");
        gate.complete(null);

        upstream.answer(Reply.stream("text/event-stream", List.of(Step.write(START + DELTA1), new Step.Pause(700),
                Step.write(DELTA2 + END)), true));
        HttpResponse<String> anthropicClient = http.send(post("/v1beta/models/claude-test:streamGenerateContent?alt=sse",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"), HttpResponse.BodyHandlers.ofString());
        assertThat(anthropicClient.body()).contains(": keep-alive").contains("\"finishReason\":\"STOP\"");
    }

    @Test
    void noEventWithinTheFirstByteTimeoutIsA504() throws Exception {
        upstream.answer(Reply.stream("text/event-stream", List.of(new Step.Await(new CompletableFuture<>())), false));
        HttpResponse<String> resp = http.send(post("/v1/chat/completions", CHAT_STREAM), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(504);
        assertThat(resp.body()).contains("sent no event within 1s");
    }

    @Test
    void aClientThatGoesAwayCancelsTheUpstream() throws Exception {
        upstream.answer(Reply.stream("text/event-stream", List.of(Step.write(START + DELTA1),
                new Step.Await(new CompletableFuture<>())), false));
        CompletableFuture<Void> closed = upstream.connectionClosed();
        try (AccessLogCapture log = new AccessLogCapture(); Socket s = new Socket("127.0.0.1", gateway.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: "
                    + CHAT_STREAM.length() + "\r\n\r\n" + CHAT_STREAM).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.contains("Hello")) {
                // skip to the first delta
            }
            assertThat(line).isNotNull();
            s.close();
            closed.get(1, TimeUnit.SECONDS);
            assertThat(log.await("\"status\":499")).contains("client closed the connection");
        }
    }

    @Test
    void aGeminiClientWithoutAltSseGetsOneJsonArray() throws Exception {
        upstream.answer(Reply.sse(START, DELTA1, DELTA2, END));
        HttpResponse<String> resp = http.send(post("/v1beta/models/claude-test:streamGenerateContent",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("content-type")).hasValue("application/json");
        com.fasterxml.jackson.databind.JsonNode array = new com.fasterxml.jackson.databind.ObjectMapper().readTree(resp.body());
        assertThat(array.isArray()).isTrue();
        StringBuilder text = new StringBuilder();
        array.forEach(c -> c.at("/candidates/0/content/parts").forEach(p -> text.append(p.path("text").asText())));
        assertThat(text.toString()).isEqualTo("Hello world");
        assertThat(array.get(array.size() - 1).at("/candidates/0/finishReason").asText()).isEqualTo("STOP");
    }

    @Test
    void aSlowClientPausesTheUpstreamInsteadOfBufferingTheStream() throws Exception {
        byte[] event = ("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + "x".repeat(900) + "\"}}\n\n").getBytes(StandardCharsets.UTF_8);
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        int times = 32 * 1024 * 1024 / event.length;
        upstream.answer(Reply.stream("text/event-stream", List.of(Step.write(START), new Step.Flood(event, times, written),
                Step.write(END)), true));
        try (Socket s = new Socket()) {
            s.setSoTimeout(15_000);
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.port()));
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: "
                    + CHAT_STREAM.length() + "\r\n\r\n" + CHAT_STREAM).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            in.read(new byte[1024]);
            // The client stops reading: what the upstream manages to send is bounded by the kernel's socket
            // buffers on both sides (a few MB on loopback) and the gateway's write queue, not by the stream's
            // 32 MB. Without backpressure the gateway would read it all into its heap.
            long total = (long) times * event.length;
            long last = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (written.get() != last && written.get() < total && System.nanoTime() < deadline) {
                last = written.get();
                Thread.sleep(1000);
            }
            // With backpressure the upstream stalls well short of the end; without it the gateway would keep
            // reading (into its heap) until the whole stream had been sent.
            assertThat(written.get()).isLessThan(total / 2);
            long received = 0;
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                received += n;
                if (received > (long) total + (1 << 20)) {
                    break;
                }
                if (new String(buf, Math.max(0, n - 20), Math.min(n, 20), StandardCharsets.UTF_8).contains("[DONE]")) {
                    break;
                }
            }
            // Reading again resumes the upstream (the pause did not count as upstream silence).
            assertThat(written.get()).isEqualTo(total);
            assertThat(received).isGreaterThan(30L * 1024 * 1024);
        }
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
