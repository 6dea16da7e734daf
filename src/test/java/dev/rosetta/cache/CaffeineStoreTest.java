package dev.rosetta.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaffeineStoreTest extends AnswerStoreContract {

    private final CaffeineStore store = new CaffeineStore(1024 * 1024, ENTRY_CAP, CLOCK);

    @Override
    protected AnswerStore store() {
        return store;
    }

    @Test
    void theBytesHeldStayWithinTheBound() {
        CaffeineStore small = new CaffeineStore(64 * 1024, 16 * 1024, CLOCK);
        List<CacheKey> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            CacheKey k = key("t=a");
            keys.add(k);
            await(small.put(k, new CachedAnswer(everyKindOfBlock("x".repeat(2000)), CLOCK.millis(),
                    CLOCK.millis() + 60_000)));
        }
        AnswerStore.Stats stats = small.stats();
        assertThat(stats.bytes()).isLessThanOrEqualTo(64 * 1024);
        assertThat(stats.evictions()).isPositive();
        // which entries stay is Caffeine's admission policy; that some do is ours
        assertThat(keys.stream().filter(k -> await(small.get(k)).isPresent()).count()).isPositive();
    }
}
