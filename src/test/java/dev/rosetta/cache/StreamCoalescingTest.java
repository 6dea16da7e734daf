package dev.rosetta.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.DialectClient.Result;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * With {@code coalesce_streams: true}, a streaming request identical to one in flight waits for the
 * leader's stream to end, then gets it replayed whole from the cache (it does not follow the leader
 * event by event): one provider call, every client a well-formed stream.
 */
class StreamCoalescingTest {

    @Test
    void streamFollowersWaitForTheLeadersEndThenReplayIt() throws Exception {
        try (FakeUpstream fake = new FakeUpstream();
             TestGateway g = TestGateway.start("""
                     port: 0
                     providers:
                       - name: ant
                         type: anthropic
                         base_url: %s
                         api_key: ${ANTHROPIC_API_KEY}
                     models:
                       - name: claude-test
                         provider: ant
                     cache: {coalesce_streams: true}
                     """.formatted(fake.baseUrl()))) {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            AtomicInteger calls = new AtomicInteger();
            fake.answer(r -> {
                calls.incrementAndGet();
                List<Step> steps = new ArrayList<>();
                ProviderAnswers.opening(Dialect.ANTHROPIC, "together").forEach(e -> steps.add(Step.write(e)));
                steps.add(new Step.Await(gate));
                ProviderAnswers.closing(Dialect.ANTHROPIC).forEach(e -> steps.add(Step.write(e)));
                return new Reply(200, Map.of("content-type", "text/event-stream"), steps, true);
            });
            DialectClient client = new DialectClient(g.url());
            CompletableFuture<Result> leader = CompletableFuture.supplyAsync(
                    () -> client.send(Dialect.ANTHROPIC, "claude-test", true, "stream together?"));
            fake.take();
            CompletableFuture<Result> follower = CompletableFuture.supplyAsync(
                    () -> client.send(Dialect.ANTHROPIC, "claude-test", true, "stream together?"));
            ResponseCache.Shared cache = g.gateway().cache().orElseThrow();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cache.waiting() < 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(cache.waiting()).isEqualTo(1);
            gate.complete(null);
            Result first = leader.get(10, TimeUnit.SECONDS);
            Result second = follower.get(10, TimeUnit.SECONDS);
            assertThat(first.headers().firstValue("x-rosetta-cache")).contains("miss");
            assertThat(second.headers().firstValue("x-rosetta-cache")).contains("hit");
            assertThat(second.body()).startsWith("event: message_start").contains("together")
                    .contains("\"stop_reason\":\"end_turn\"").endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
            assertThat(calls).hasValue(1);
        }
    }
}
