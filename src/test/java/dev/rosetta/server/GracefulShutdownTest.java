package dev.rosetta.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.TestGateway;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GracefulShutdownTest {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void inFlightStreamsFinishWhileNewRequestsGet503InTheirDialect() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream()) {
            TestGateway gateway = TestGateway.withProviders(upstream);
            CompletableFuture<Void> gate = new CompletableFuture<>();
            upstream.answer(Reply.stream("text/event-stream", List.of(
                    Step.write("data: {\"n\":1}\n\n"), new Step.Await(gate), Step.write("data: [DONE]\n\n")), true));
            HttpResponse<InputStream> stream = http.send(post(gateway, "/v1/chat/completions",
                    "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[]}"), HttpResponse.BodyHandlers.ofInputStream());
            BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
            assertThat(reader.readLine()).isEqualTo("data: {\"n\":1}");

            CompletableFuture<Void> stopped = gateway.gateway().shutdown(Duration.ofSeconds(10))
                    .toCompletionStage().toCompletableFuture();

            HttpResponse<String> refused = http.send(post(gateway, "/v1/messages",
                    "{\"model\":\"claude-test\",\"max_tokens\":1,\"messages\":[]}"), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"api_error\"");
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(stopped).isNotDone();

            gate.complete(null);
            assertThat(reader.readLine()).isEmpty();
            assertThat(reader.readLine()).isEqualTo("data: [DONE]");
            stopped.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void theGracePeriodBoundsTheWait() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream()) {
            TestGateway gateway = TestGateway.withProviders(upstream);
            upstream.answer(Reply.stream("text/event-stream", List.of(
                    Step.write("data: {\"n\":1}\n\n"), new Step.Await(new CompletableFuture<>())), false));
            HttpResponse<InputStream> stream = http.send(post(gateway, "/v1/chat/completions",
                    "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[]}"), HttpResponse.BodyHandlers.ofInputStream());
            new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8)).readLine();
            long start = System.nanoTime();
            gateway.gateway().shutdown(Duration.ofMillis(300)).toCompletionStage().toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }

    private static HttpRequest post(TestGateway gateway, String path, String body) {
        return HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
