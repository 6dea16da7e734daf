package dev.rosetta.pipeline;

import dev.rosetta.config.ProviderConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which OpenAI-type providers have shown they offer no token counter ({@code /responses/input_tokens}):
 * OpenAI has one, OpenAI-compatible servers mostly do not. Learnt from the first "no such endpoint"
 * answer and kept for the life of the process, so later counts go straight to the local estimate.
 *
 * <p>One instance is shared by every event loop. The map is built once, before any event loop
 * starts, and never changes; each entry is an {@link AtomicBoolean}, so reads and the one write are
 * lock-free and never block an event loop. Two loops may both ask before either learns the answer:
 * that costs one extra upstream call, never a wrong result.
 */
public final class TokenCounters {

    private final Map<String, AtomicBoolean> missing;

    public TokenCounters(List<ProviderConfig> providers) {
        Map<String, AtomicBoolean> m = new HashMap<>();
        providers.forEach(p -> m.put(p.name(), new AtomicBoolean()));
        this.missing = Map.copyOf(m);
    }

    /** Whether the provider may have a counter: false once it answered that it has none. */
    public boolean offered(String provider) {
        AtomicBoolean m = missing.get(provider);
        return m == null || !m.get();
    }

    /** Remembers that the provider has no counter. */
    public void markMissing(String provider) {
        AtomicBoolean m = missing.get(provider);
        if (m != null) {
            m.set(true);
        }
    }
}
