package dev.rosetta.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Load (issue 6): {@value #DEFAULT_STREAMS} concurrent streaming requests through the gateway to a
 * fake provider that streams each answer over a few seconds, spread over every client dialect and
 * provider type (same-dialect relay and conversion). Every stream must complete with its own content
 * only (each delta is tagged with its stream's tag and sequence number, checked in order), and the
 * live heap with all streams in flight must stay under 512 MB.
 *
 * <p>System properties: {@code rosetta.load.streams} (default {@value #DEFAULT_STREAMS}) and
 * {@code rosetta.load.seconds}, how long each upstream stream lasts (default
 * {@value #DEFAULT_SECONDS}, CI-friendly; the figure is 10:
 * {@code ./mvnw test -Dtest=ConcurrentStreamsLoadTest -Drosetta.load.seconds=10}). Figures are
 * printed and written to {@code target/reliability/load.txt}.
 */
class ConcurrentStreamsLoadTest {

    static final int DEFAULT_STREAMS = 1000;
    static final int DEFAULT_SECONDS = 3;
    private static final int DELTAS = 10;
    private static final long HEAP_BOUND = 512L * 1024 * 1024;
    private static final Pattern TAGS = Pattern.compile("TAG(\\d+)s(\\d+)");

    @Test
    void aThousandConcurrentStreamsCompleteUnmixedInBoundedHeap() throws Exception {
        int streams = Integer.getInteger("rosetta.load.streams", DEFAULT_STREAMS);
        int seconds = Integer.getInteger("rosetta.load.seconds", DEFAULT_SECONDS);
        long gap = seconds * 1000L / DELTAS;
        try (FakeUpstream upstream = new FakeUpstream();
             TestGateway gateway = TestGateway.withProviders(upstream, "120s")) {
            AtomicInteger opened = new AtomicInteger();
            // Streams start moving only once all are open, so all are in flight together.
            CompletableFuture<Void> allOpen = new CompletableFuture<>();
            upstream.answer(r -> {
                Dialect u = ProviderAnswers.dialectOf(r.path());
                String tag = ProviderAnswers.tag(r.bodyText());
                List<Step> steps = new ArrayList<>();
                StringBuilder open = new StringBuilder();
                ProviderAnswers.opening(u, tag + "s0").forEach(open::append);
                steps.add(Step.write(open.toString()));
                steps.add(new Step.Await(allOpen));
                for (int i = 1; i <= DELTAS; i++) {
                    steps.add(new Step.Pause(gap));
                    steps.add(Step.write(ProviderAnswers.delta(u, tag + "s" + i)));
                }
                StringBuilder close = new StringBuilder();
                ProviderAnswers.closing(u).forEach(close::append);
                steps.add(Step.write(close.toString()));
                if (opened.incrementAndGet() == streams) {
                    allOpen.complete(null);
                }
                return Reply.stream("text/event-stream", steps, true);
            });
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(30)).build();
            List<Dialect> dialects = List.of(Dialect.values());
            List<String> models = List.of("gpt-test", "claude-test", "gemini-test");

            AtomicLong maxUsed = new AtomicLong();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    maxUsed.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            System.gc();
            long baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                Dialect d = dialects.get(i % 4);
                String model = models.get((i / 4) % 3);
                String tag = "TAG" + i;
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + DialectClient.path(d, model, true)))
                        .timeout(Duration.ofSeconds(seconds + 60L))
                        .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(d, model, true, tag)))
                        .header("content-type", "application/json");
                if (d == Dialect.ANTHROPIC) {
                    b.header("anthropic-version", "2023-06-01");
                }
                futures.add(http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()));
            }
            // Mid-stream, with every stream open: the live heap (after a full collection).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 30L);
            while (opened.get() < streams && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            int inFlightAtPeak = gateway.gateway().inFlight();
            long openMillis = (System.nanoTime() - start) / 1_000_000;
            System.gc();
            long liveAtPeak = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();

            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(seconds + 120L, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            sampler.interrupt();

            for (int i = 0; i < streams; i++) {
                HttpResponse<String> r = futures.get(i).get();
                assertThat(r.statusCode()).as("stream %d", i).isEqualTo(200);
                Set<String> seen = new LinkedHashSet<>();
                Set<String> owners = new LinkedHashSet<>();
                Matcher m = TAGS.matcher(r.body());
                while (m.find()) {
                    owners.add(m.group(1));
                    seen.add(m.group(2));
                }
                assertThat(owners).as("tags in stream %d", i).containsExactly(Integer.toString(i));
                assertThat(seen).as("deltas of stream %d in order", i).containsExactly(
                        java.util.stream.IntStream.rangeClosed(0, DELTAS).mapToObj(Integer::toString).toArray(String[]::new));
                assertThat(r.body()).as("stream %d ends without error", i).doesNotContain("\"error\":{").doesNotContain("event: error");
            }
            String figures = String.format("streams=%d seconds=%d all_open_ms=%d elapsed_ms=%d in_flight_at_peak=%d "
                            + "heap_baseline_mb=%d heap_live_at_peak_mb=%d heap_max_sampled_mb=%d (process: gateway, fake upstream and clients)",
                    streams, seconds, openMillis, millis, inFlightAtPeak, baseline >> 20, liveAtPeak >> 20, maxUsed.get() >> 20);
            System.out.println("load: " + figures);
            java.nio.file.Files.createDirectories(java.nio.file.Path.of("target/reliability"));
            java.nio.file.Files.writeString(java.nio.file.Path.of("target/reliability/load.txt"), figures + "\n");
            assertThat(inFlightAtPeak).isEqualTo(streams);
            assertThat(liveAtPeak).as(figures).isLessThan(HEAP_BOUND);
            assertThat(millis).as(figures).isLessThan(seconds * 1000L + 60_000);
            long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (gateway.gateway().inFlight() > 0 && System.nanoTime() < drained) {
                Thread.sleep(10);
            }
            assertThat(gateway.gateway().inFlight()).isZero();
        }
    }
}
