package dev.rosetta.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.auth.KeySecret;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.DialectClient.Result;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a client sees of the response cache over HTTP: the per-request controls, expiry on the gateway's
 * clock, what is never stored, streams filling JSON hits and the reverse, coalescing of identical
 * requests in flight, and tenants kept apart. Each test asks its own question, so entries never meet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponseCacheTest {

    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private FakeUpstream fake;
    private TestGateway gateway;
    private DialectClient client;

    @BeforeAll
    void start() {
        fake = new FakeUpstream();
        gateway = TestGateway.start("""
                port: 0
                providers:
                  - name: oai
                    type: openai
                    base_url: %1$s/v1
                    api_key: ${OPENAI_API_KEY}
                  - name: ant
                    type: anthropic
                    base_url: %1$s
                    api_key: ${ANTHROPIC_API_KEY}
                models:
                  - name: gpt-test
                    provider: oai
                  - name: claude-test
                    provider: ant
                  - name: uncached
                    provider: oai
                    cache: {enabled: false}
                cache:
                  ttl: 10m
                """.formatted(fake.baseUrl()), clock);
        client = new DialectClient(gateway.url());
    }

    @AfterAll
    void stop() {
        gateway.close();
        fake.close();
    }

    private Result chat(String model, String text, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(Dialect.OPENAI_CHAT, model, false, text)));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build());
    }

    private static String cache(Result r) {
        return r.headers().firstValue("x-rosetta-cache").orElse("");
    }

    /** Answers the cache holds now. */
    private long stored() {
        return gateway.gateway().cache().orElseThrow().store().stats().entries();
    }

    /**
     * Answers the cache holds once no request is in flight: an earlier test's request may still be ending,
     * and its answer, stored as it ends, would otherwise count for the next one awaited here.
     */
    private long storedWhenIdle() {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (gateway.gateway().inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(gateway.gateway().inFlight()).isZero();
        return stored();
    }

    /**
     * Until the cache holds {@code n} answers: an answer is stored when its request completes, just after
     * the client has read its last byte, so a client can ask again before that (and then misses, or waits
     * behind the first as a coalesced follower).
     */
    private void awaitStored(long n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (stored() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(stored()).isGreaterThanOrEqualTo(n);
    }

    private void answers(String text) {
        fake.answer(Reply.json(200, ProviderAnswers.json(Dialect.OPENAI_CHAT, text)));
    }

    @Test
    void aSecondIdenticalRequestIsAHitWithItsAge() {
        answers("first");
        long before = storedWhenIdle();
        Result miss = chat("gpt-test", "age?");
        assertThat(cache(miss)).isEqualTo("miss");
        fake.take();
        awaitStored(before + 1);
        clock.advance(30_000);
        Result hit = chat("gpt-test", "age?");
        assertThat(cache(hit)).isEqualTo("hit");
        assertThat(hit.headers().firstValue("age")).contains("30");
        assertThat(hit.json().at("/choices/0/message/content").asText()).isEqualTo("first");
        assertThat(fake.pending()).isZero();
    }

    @Test
    void noStoreNeitherReadsNorWrites() {
        answers("one");
        chat("gpt-test", "no-store?");
        fake.take();
        Result bypass = chat("gpt-test", "no-store?", "cache-control", "no-store");
        assertThat(cache(bypass)).isEqualTo("bypass");
        fake.take(); // the provider was called although an entry exists

        answers("two");
        Result first = chat("gpt-test", "never stored", "cache-control", "no-store");
        fake.take();
        Result again = chat("gpt-test", "never stored");
        assertThat(cache(first)).isEqualTo("bypass");
        assertThat(cache(again)).isEqualTo("miss");
        fake.take();
    }

    @Test
    void noCacheFetchesAndReplacesTheEntry() {
        answers("old");
        chat("gpt-test", "refresh?");
        fake.take();
        answers("new");
        Result refresh = chat("gpt-test", "refresh?", "cache-control", "no-cache");
        assertThat(cache(refresh)).isEqualTo("refresh");
        assertThat(refresh.json().at("/choices/0/message/content").asText()).isEqualTo("new");
        fake.take();
        Result hit = chat("gpt-test", "refresh?");
        assertThat(cache(hit)).isEqualTo("hit");
        assertThat(hit.json().at("/choices/0/message/content").asText()).isEqualTo("new");
    }

    @Test
    void maxAgeRefusesAnOlderEntry() {
        answers("aged");
        chat("gpt-test", "max-age?");
        fake.take();
        clock.advance(20_000);
        Result tooOld = chat("gpt-test", "max-age?", "cache-control", "max-age=10");
        assertThat(cache(tooOld)).isEqualTo("miss");
        fake.take();
        Result fresh = chat("gpt-test", "max-age?", "cache-control", "max-age=10");
        assertThat(cache(fresh)).isEqualTo("hit");
        assertThat(fresh.headers().firstValue("age")).contains("0");
    }

    @Test
    void entriesExpireAfterTheTtlOrTheRequestsShorterOne() {
        answers("ttl");
        chat("gpt-test", "ttl?");
        fake.take();
        clock.advance(Duration.ofMinutes(9).toMillis());
        assertThat(cache(chat("gpt-test", "ttl?"))).isEqualTo("hit");
        clock.advance(Duration.ofMinutes(2).toMillis());
        assertThat(cache(chat("gpt-test", "ttl?"))).isEqualTo("miss");
        fake.take();

        chat("gpt-test", "short ttl?", "x-rosetta-cache-ttl", "10s");
        fake.take();
        clock.advance(11_000);
        assertThat(cache(chat("gpt-test", "short ttl?"))).isEqualTo("miss");
        fake.take();
    }

    @Test
    void aBadTtlHeaderIsRefusedNamingIt() {
        Result r = chat("gpt-test", "bad ttl", "x-rosetta-cache-ttl", "soon");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("x-rosetta-cache-ttl");
    }

    @Test
    void aModelWithTheCacheOffIsNeverCached() {
        answers("off");
        Result first = chat("uncached", "off?");
        fake.take();
        Result second = chat("uncached", "off?");
        fake.take();
        assertThat(cache(first)).isEmpty();
        assertThat(cache(second)).isEmpty();
    }

    @Test
    void errorsAreNotCached() {
        fake.answer(Reply.json(500, ProviderAnswers.error(Dialect.OPENAI_CHAT, 500, "boom")));
        assertThat(chat("gpt-test", "error?").status()).isEqualTo(500);
        fake.take();
        answers("fine");
        Result after = chat("gpt-test", "error?");
        assertThat(cache(after)).isEqualTo("miss");
        assertThat(after.status()).isEqualTo(200);
        fake.take();
    }

    @Test
    void aStreamCutShortIsNotCached() {
        List<Step> steps = new ArrayList<>();
        ProviderAnswers.opening(Dialect.ANTHROPIC, "half").forEach(e -> steps.add(Step.write(e)));
        steps.add(new Step.Cut());
        fake.answer(Reply.stream("text/event-stream", steps, false));
        Result cut = client.send(Dialect.ANTHROPIC, "claude-test", true, "cut?");
        assertThat(cut.body()).contains("error");
        fake.take();
        fake.answer(Reply.sse(ProviderAnswers.stream(Dialect.ANTHROPIC, "whole")));
        assertThat(cache(client.send(Dialect.ANTHROPIC, "claude-test", true, "cut?"))).isEqualTo("miss");
        fake.take();
    }

    @Test
    void aRelayedStreamFillsJsonAndStreamHitsInOtherDialects() {
        fake.answer(Reply.sse(ProviderAnswers.stream(Dialect.ANTHROPIC, "streamed")));
        long before = storedWhenIdle();
        Result filled = client.send(Dialect.ANTHROPIC, "claude-test", true, "stream fill?");
        assertThat(cache(filled)).isEqualTo("miss");
        fake.take();
        awaitStored(before + 1);

        // the same question: Anthropic's body says max_tokens 32, so these do too
        Result json = client.send(Dialect.OPENAI_CHAT, "/v1/chat/completions", ("{\"model\":\"claude-test\","
                + "\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\"stream fill?\"}]}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(cache(json)).isEqualTo("hit");
        assertThat(json.json().at("/choices/0/message/content").asText()).isEqualTo("streamed");
        assertThat(json.json().at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        // the relayed stream's usage: input 1, output 2
        assertThat(json.json().at("/usage/completion_tokens").asLong()).isEqualTo(2);

        // a Gemini client without alt=sse gets its JSON-array stream
        Result array = client.send(Dialect.GEMINI, "/v1beta/models/claude-test:streamGenerateContent",
                ("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"stream fill?\"}]}],"
                        + "\"generationConfig\":{\"maxOutputTokens\":32}}").getBytes(StandardCharsets.UTF_8));
        assertThat(cache(array)).isEqualTo("hit");
        assertThat(array.headers().firstValue("content-type")).contains("application/json");
        assertThat(array.json().isArray()).isTrue();
        assertThat(array.json().toString()).contains("streamed").contains("STOP");
        assertThat(fake.pending()).isZero();
    }

    @Test
    void identicalRequestsInFlightWaitForTheFirst() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        fake.answer(r -> {
            calls.incrementAndGet();
            return new Reply(200, Map.of("content-type", "application/json"), List.of(new Step.Await(gate),
                    Step.write(ProviderAnswers.json(Dialect.OPENAI_CHAT, "once"))), true);
        });
        CompletableFuture<Result> leader = CompletableFuture.supplyAsync(() -> chat("gpt-test", "together?"));
        fake.take();
        List<CompletableFuture<Result>> followers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            followers.add(CompletableFuture.supplyAsync(() -> chat("gpt-test", "together?")));
        }
        ResponseCache.Shared cache = gateway.gateway().cache().orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cache.waiting() < 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(cache.waiting()).isEqualTo(3);
        gate.complete(null);
        assertThat(cache(leader.get(10, TimeUnit.SECONDS))).isEqualTo("miss");
        for (CompletableFuture<Result> f : followers) {
            Result r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(cache(r)).isEqualTo("hit");
            assertThat(r.json().at("/choices/0/message/content").asText()).isEqualTo("once");
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void followersOfALeaderThatFailedCallThemselves() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        fake.answer(r -> calls.incrementAndGet() == 1
                ? new Reply(500, Map.of("content-type", "application/json"), List.of(new Step.Await(gate),
                        Step.write(ProviderAnswers.error(Dialect.OPENAI_CHAT, 500, "boom"))), true)
                : Reply.json(200, ProviderAnswers.json(Dialect.OPENAI_CHAT, "retried")));
        CompletableFuture<Result> leader = CompletableFuture.supplyAsync(() -> chat("gpt-test", "failing leader?"));
        fake.take();
        CompletableFuture<Result> follower = CompletableFuture.supplyAsync(() -> chat("gpt-test", "failing leader?"));
        ResponseCache.Shared cache = gateway.gateway().cache().orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cache.waiting() < 1 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        gate.complete(null);
        assertThat(leader.get(10, TimeUnit.SECONDS).status()).isEqualTo(500);
        Result r = follower.get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().at("/choices/0/message/content").asText()).isEqualTo("retried");
        assertThat(calls).hasValue(2);
    }

    @Test
    void twoTenantsDoNotShareEntries() {
        String keyA = KeySecret.generate();
        String keyB = KeySecret.generate();
        try (TestGateway keyed = TestGateway.start("""
                port: 0
                auth: keys
                store: "sqlite::memory:"
                providers:
                  - name: oai
                    type: openai
                    base_url: %s/v1
                    api_key: ${OPENAI_API_KEY}
                models:
                  - name: gpt-test
                    provider: oai
                tenants:
                  - name: team-a
                  - name: team-b
                keys:
                  - name: a
                    tenant: team-a
                    key: %s
                  - name: a2
                    tenant: team-a
                    key: %s
                  - name: b
                    tenant: team-b
                    key: %s
                cache: {}
                """.formatted(fake.baseUrl(), keyA, KeySecret.generate(), keyB))) {
            DialectClient c = new DialectClient(keyed.url());
            answers("for a");
            Result a = c.send(request(keyed, keyA, "shared?"));
            assertThat(cache(a)).isEqualTo("miss");
            fake.take();
            assertThat(cache(c.send(request(keyed, keyA, "shared?")))).isEqualTo("hit");
            answers("for b");
            Result b = c.send(request(keyed, keyB, "shared?"));
            assertThat(cache(b)).isEqualTo("miss");
            assertThat(b.json().at("/choices/0/message/content").asText()).isEqualTo("for b");
            fake.take();
        }
    }

    private static HttpRequest request(TestGateway g, String key, String text) {
        return HttpRequest.newBuilder(URI.create(g.url() + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(Dialect.OPENAI_CHAT, "gpt-test", false, text)))
                .build();
    }
}
