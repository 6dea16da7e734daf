package dev.rosetta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real process: SIGTERM drains in-flight streams, refuses new requests in dialect, and exits 0. */
class ProcessShutdownTest {

    @TempDir
    Path dir;

    @Test
    void sigtermLetsStreamsFinishRefusesNewRequestsAndExitsZero() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream()) {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            upstream.answer(Reply.stream("text/event-stream", List.of(Step.write("data: {\"n\":1}\n\n"),
                    new Step.Await(gate), Step.write("data: [DONE]\n\n")), true));
            Path config = dir.resolve("rosetta.yaml");
            Files.writeString(config, """
                    shutdown_grace: 20s
                    providers:
                      - name: oai
                        type: openai
                        base_url: %s/v1
                        api_key: sk-process-test-key-123
                    models:
                      - name: gpt-test
                        provider: oai
                    """.formatted(upstream.baseUrl()));
            Process gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.rosetta.Main", "--config", config.toString(),
                    "--port", "0").redirectErrorStream(true).start();
            try {
                BufferedReader log = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
                String url = null;
                Pattern listening = Pattern.compile("listening on (http://\\S+)");
                for (String line; url == null && (line = log.readLine()) != null; ) {
                    Matcher m = listening.matcher(line);
                    if (m.find()) {
                        url = m.group(1);
                    }
                }
                assertThat(url).isNotNull();
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpResponse<InputStream> stream = http.send(post(url, "/v1/chat/completions",
                        "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[]}"), HttpResponse.BodyHandlers.ofInputStream());
                BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
                assertThat(events.readLine()).isEqualTo("data: {\"n\":1}");

                gateway.destroy(); // SIGTERM
                // Until the signal is handled an unknown model is a quick 404 (a real one would wait on the
                // fake's gated stream); once draining, every new request is a 503.
                HttpResponse<String> refused = null;
                for (int i = 0; i < 250; i++) {
                    refused = http.send(post(url, "/v1/messages", "{\"model\":\"no-such-model\",\"max_tokens\":1,\"messages\":[]}"),
                            HttpResponse.BodyHandlers.ofString());
                    if (refused.statusCode() == 503) {
                        break;
                    }
                    Thread.sleep(20);
                }
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.body()).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"api_error\"");
                assertThat(gateway.isAlive()).isTrue();

                gate.complete(null);
                assertThat(events.readLine()).isEmpty();
                assertThat(events.readLine()).isEqualTo("data: [DONE]");
                assertThat(gateway.waitFor(15, TimeUnit.SECONDS)).isTrue();
                assertThat(gateway.exitValue()).isZero();
            } finally {
                gateway.destroyForcibly();
            }
        }
    }

    private static HttpRequest post(String url, String path, String body) {
        return HttpRequest.newBuilder(URI.create(url + path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
