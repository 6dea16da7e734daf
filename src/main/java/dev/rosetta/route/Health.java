package dev.rosetta.route;

import dev.rosetta.config.RoutingConfig;
import dev.rosetta.config.Secret;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The health of every target and key pool, shared by every event loop and kept across reloads: a
 * target that still exists after a reload keeps its breaker, latency and in-flight count.
 */
public final class Health {

    private final Clock clock;
    private final Map<String, TargetHealth> targets = new ConcurrentHashMap<>();
    private final Map<String, KeyPool> pools = new ConcurrentHashMap<>();
    private volatile RoutingConfig config;

    public Health(RoutingConfig config, Clock clock) {
        this.clock = clock;
        this.config = config;
        pools(config);
    }

    /** Takes a reloaded configuration: new targets and pools start fresh, existing ones keep their state. */
    public void reconfigure(RoutingConfig next) {
        this.config = next;
        pools(next);
    }

    private void pools(RoutingConfig c) {
        c.keyPools().forEach((provider, keys) -> {
            KeyPool old = pools.get(provider);
            if (old == null || !old.sameKeys(keys)) {
                pools.put(provider, new KeyPool(keys, clock, c.keyCooldown()));
            }
        });
        pools.keySet().retainAll(c.keyPools().keySet());
    }

    public TargetHealth of(Target t) {
        return targets.computeIfAbsent(t.id(), id -> new TargetHealth(id, config.breaker(), clock));
    }

    public Optional<KeyPool> pool(String provider) {
        return Optional.ofNullable(pools.get(provider));
    }

    public Clock clock() {
        return clock;
    }

    /** Every target seen so far, by id, in name order. */
    public Map<String, TargetHealth> targets() {
        return new java.util.TreeMap<>(targets);
    }

    public Map<String, KeyPool> pools() {
        return new LinkedHashMap<>(new java.util.TreeMap<>(pools));
    }

    /** Forgets targets no model names any more. */
    public void retainTargets(java.util.Set<String> ids) {
        targets.keySet().retainAll(ids);
    }

    static boolean same(List<Secret> a, List<Secret> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).value().equals(b.get(i).value())) {
                return false;
            }
        }
        return true;
    }
}
