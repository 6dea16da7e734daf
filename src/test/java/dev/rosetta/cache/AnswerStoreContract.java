package dev.rosetta.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.GenerationSettings;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.testing.MovableClock;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AnswerStore} promises, run against each: an answer comes back as stored (every kind
 * of block, provider signatures, stop reason and usage); scopes and keys never mix; nothing past its
 * expiry on the store's clock is returned; a later put replaces; an entry over the cap is not stored.
 */
abstract class AnswerStoreContract {

    /** Starts at 2026-01-01; the store under test reads it. */
    protected static final MovableClock CLOCK = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));

    /** A store whose entry cap is {@link #ENTRY_CAP} bytes, reading {@link #CLOCK}. */
    protected abstract AnswerStore store();

    protected static final long ENTRY_CAP = 64 * 1024;

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static CacheKey key(String scope) {
        ChatRequest r = new ChatRequest(Optional.empty(), List.of(), List.of(), List.of(), Optional.empty(),
                Optional.empty(), GenerationSettings.defaults(), Optional.empty(), Optional.empty(), Map.of(), false,
                false, Extensions.none());
        return new CacheKey(scope, "m|p|u", UUID.randomUUID().toString(), r);
    }

    static ChatResponse everyKindOfBlock(String text) {
        return new ChatResponse("msg_1", "model-x", 1741569952, List.of(
                new ContentBlock.Thinking("thinking…", Optional.of("sig-abc")),
                new ContentBlock.RedactedThinking("redacted-data"),
                new ContentBlock.EncryptedReasoning("rs_1", "enc", List.of("summary one", "summary two")),
                ContentBlock.Text.of(text),
                new ContentBlock.Refusal("no"),
                new ContentBlock.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}", Optional.of("thought-sig"),
                        Optional.empty())),
                StopReason.TOOL_USE, Optional.of("END"), new Usage(50, 300, 7, 17, 5));
    }

    private static CachedAnswer answer(ChatResponse r, long ttlMillis) {
        long now = CLOCK.millis();
        return new CachedAnswer(r, now, now + ttlMillis);
    }

    @Test
    void anAnswerComesBackAsStored() {
        CacheKey k = key("t=a");
        CachedAnswer a = answer(everyKindOfBlock("Hello, 世界 \"quoted\"\n"), 60_000);
        await(store().put(k, a));
        assertThat(await(store().get(k))).contains(a);
    }

    @Test
    void anUnknownKeyIsAMiss() {
        assertThat(await(store().get(key("t=a")))).isEmpty();
    }

    @Test
    void scopesDoNotMix() {
        CacheKey a = key("t=a");
        CacheKey b = new CacheKey("t=b", a.target(), a.digest(), a.request());
        await(store().put(a, answer(everyKindOfBlock("for a"), 60_000)));
        assertThat(await(store().get(b))).isEmpty();
        assertThat(await(store().get(a))).isPresent();
    }

    @Test
    void anEntryPastItsExpiryIsNotReturned() {
        CacheKey k = key("t=a");
        await(store().put(k, answer(everyKindOfBlock("soon gone"), 60_000)));
        CLOCK.advance(59_000);
        assertThat(await(store().get(k))).isPresent();
        CLOCK.advance(2_000);
        assertThat(await(store().get(k))).isEmpty();
    }

    @Test
    void aLaterPutReplaces() {
        CacheKey k = key("t=a");
        await(store().put(k, answer(everyKindOfBlock("old"), 60_000)));
        CachedAnswer newer = answer(everyKindOfBlock("new"), 60_000);
        await(store().put(k, newer));
        assertThat(await(store().get(k))).contains(newer);
    }

    @Test
    void anEntryOverTheCapIsNotStored() {
        CacheKey k = key("t=a");
        // random text: it does not compress below the cap either
        StringBuilder big = new StringBuilder();
        java.util.Random random = new java.util.Random(1);
        while (big.length() < 3 * ENTRY_CAP) {
            big.append((char) ('!' + random.nextInt(90)));
        }
        await(store().put(k, answer(everyKindOfBlock(big.toString()), 60_000)));
        assertThat(await(store().get(k))).isEmpty();
    }

    @Test
    void removeDropsTheEntry() {
        CacheKey k = key("t=a");
        await(store().put(k, answer(everyKindOfBlock("x"), 60_000)));
        await(store().remove(k));
        assertThat(await(store().get(k))).isEmpty();
    }
}
