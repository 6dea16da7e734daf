package dev.rosetta.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown under load (issue 6): with {@value #STREAMS} streams in flight over every dialect
 * pair, a shutdown lets every one of them finish intact, answers new requests 503 in their dialect
 * meanwhile, and completes soon after the last stream ends.
 */
class ShutdownUnderLoadTest {

    private static final int STREAMS = 200;

    @Test
    void inFlightStreamsFinishIntactWhileNewRequestsGet503() throws Exception {
        FakeUpstream upstream = new FakeUpstream();
        TestGateway gateway = TestGateway.withProviders(upstream, "60s");
        try {
            AtomicInteger opened = new AtomicInteger();
            CompletableFuture<Void> release = new CompletableFuture<>();
            upstream.answer(r -> {
                Dialect u = ProviderAnswers.dialectOf(r.path());
                String tag = ProviderAnswers.tag(r.bodyText());
                List<Step> steps = new ArrayList<>();
                ProviderAnswers.opening(u, tag + "a").forEach(e -> steps.add(Step.write(e)));
                steps.add(new Step.Await(release));
                steps.add(new Step.Pause(300));
                steps.add(Step.write(ProviderAnswers.delta(u, tag + "b")));
                ProviderAnswers.closing(u).forEach(e -> steps.add(Step.write(e)));
                opened.incrementAndGet();
                return Reply.stream("text/event-stream", steps, true);
            });
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<String> models = List.of("gpt-test", "claude-test", "gemini-test");
            List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                Dialect d = Dialect.values()[i % 4];
                String model = models.get((i / 4) % 3);
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + DialectClient.path(d, model, true)))
                        .timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(d, model, true, "TAG" + i + "x")));
                if (d == Dialect.ANTHROPIC) {
                    b.header("anthropic-version", "2023-06-01");
                }
                streams.add(http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (opened.get() < STREAMS && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(opened.get()).isEqualTo(STREAMS);

            long start = System.nanoTime();
            CompletableFuture<Void> stopped = gateway.gateway().shutdown(Duration.ofSeconds(20)).toCompletionStage()
                    .toCompletableFuture();
            DialectClient late = new DialectClient(gateway.url());
            for (Dialect d : Dialect.values()) {
                DialectClient.Result r = late.send(d, "gpt-test", false, "TAGlate");
                DialectClient.assertDialectError(d, r, 503);
            }
            release.complete(null);
            for (int i = 0; i < STREAMS; i++) {
                HttpResponse<String> r = streams.get(i).get(30, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as("stream %d", i).isEqualTo(200);
                assertThat(r.body()).as("stream %d", i).contains("TAG" + i + "xa").contains("TAG" + i + "xb")
                        .doesNotContain("\"error\":{");
            }
            stopped.get(10, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).as("shutdown took").isLessThan(10_000);
        } finally {
            upstream.close();
        }
    }
}
