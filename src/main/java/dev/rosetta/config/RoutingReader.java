package dev.rosetta.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.config.ModelGroupConfig.Hedge;
import dev.rosetta.config.ModelGroupConfig.Retry;
import dev.rosetta.config.ModelGroupConfig.Strategy;
import dev.rosetta.config.ModelGroupConfig.Target;
import dev.rosetta.config.ModelGroupConfig.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads model groups ({@code targets}, {@code strategy}, {@code retry}, {@code timeouts}, {@code hedge},
 * {@code context_window_fallbacks}, {@code content_policy_fallbacks} on {@code models[]} entries), key
 * pools ({@code api_keys} on providers) and the {@code routing:} section, each problem with its path.
 */
final class RoutingReader {

    static final Set<String> MODEL_KEYS = Set.of("targets", "strategy", "retry", "timeouts", "hedge",
            "context_window_fallbacks", "content_policy_fallbacks");
    private static final Set<String> TARGET_KEYS = Set.of("provider", "upstream_model", "weight", "cost");
    private static final Set<String> RETRY_KEYS = Set.of("attempts", "backoff", "max_backoff");
    private static final Set<String> TIMEOUT_KEYS = Set.of("connect", "first_token", "idle", "total");
    private static final Set<String> HEDGE_KEYS = Set.of("after", "max");
    private static final Set<String> ROUTING_KEYS = Set.of("breaker", "key_cooldown");
    private static final Set<String> BREAKER_KEYS = Set.of("window", "min_calls", "failure_rate", "cooldown");

    private final ConfigLoader loader;

    private RoutingReader(ConfigLoader loader) {
        this.loader = loader;
    }

    /** The first of a provider's {@code api_keys}, which stands for its key where one key is needed. */
    static Optional<String> firstPoolKey(ConfigLoader loader, JsonNode provider, String path) {
        JsonNode keys = provider.get("api_keys");
        if (keys == null || !keys.isArray() || keys.isEmpty()) {
            return Optional.empty();
        }
        return element(loader, keys, 0, path + ".api_keys");
    }

    static RoutingConfig read(ConfigLoader loader, JsonNode root, List<ProviderConfig> providers) {
        return new RoutingReader(loader).read(root, providers);
    }

    private RoutingConfig read(JsonNode root, List<ProviderConfig> providers) {
        Map<String, List<Secret>> pools = pools(root.get("providers"));
        Map<String, ModelGroupConfig> groups = new HashMap<>();
        JsonNode ms = root.get("models");
        Set<String> providerNames = new HashSet<>();
        providers.forEach(p -> providerNames.add(p.name()));
        Set<String> modelNames = new HashSet<>();
        if (ms != null && ms.isArray()) {
            ms.forEach(m -> {
                if (m.path("name").isTextual()) {
                    modelNames.add(m.get("name").asText());
                }
            });
            for (int i = 0; i < ms.size(); i++) {
                JsonNode m = ms.get(i);
                if (m.isObject() && m.path("name").isTextual()) {
                    group(m, "models[" + i + "]", providerNames, modelNames, pools.keySet())
                            .ifPresent(g -> groups.put(g.model(), g));
                }
            }
        }
        RoutingConfig.Breaker breaker = RoutingConfig.Breaker.DEFAULT;
        Duration keyCooldown = RoutingConfig.NONE.keyCooldown();
        JsonNode routing = root.get("routing");
        if (routing != null && !routing.isNull()) {
            if (!routing.isObject()) {
                loader.problem("routing: expected a mapping");
            } else {
                loader.unknownKeys(routing, "routing.", ROUTING_KEYS);
                keyCooldown = positive(routing, "key_cooldown", "routing.").orElse(keyCooldown);
                breaker = breaker(routing.get("breaker"));
            }
        }
        boolean watch = loader.bool(root, "watch_config", "").orElse(false);
        return new RoutingConfig(groups, pools, breaker, keyCooldown, watch);
    }

    private Map<String, List<Secret>> pools(JsonNode ps) {
        Map<String, List<Secret>> pools = new HashMap<>();
        if (ps == null || !ps.isArray()) {
            return pools;
        }
        for (int i = 0; i < ps.size(); i++) {
            JsonNode p = ps.get(i);
            String path = "providers[" + i + "]";
            JsonNode keys = p.get("api_keys");
            if (keys == null || keys.isNull() || !p.path("name").isTextual()) {
                continue;
            }
            if (!keys.isArray() || keys.isEmpty()) {
                loader.problem(path + ".api_keys: expected a list of at least one key");
                continue;
            }
            if (p.hasNonNull("api_key")) {
                loader.problem(path + ".api_keys: give either api_key or api_keys, not both");
            }
            List<Secret> secrets = new ArrayList<>();
            for (int k = 0; k < keys.size(); k++) {
                element(loader, keys, k, path + ".api_keys").ifPresent(s -> {
                    if (s.isBlank()) {
                        loader.problem(path + ".api_keys: a key is empty");
                    } else {
                        secrets.add(new Secret(s));
                    }
                });
            }
            if (!secrets.isEmpty()) {
                pools.put(p.get("name").asText(), secrets);
            }
        }
        return pools;
    }

    private Optional<ModelGroupConfig> group(JsonNode m, String path, Set<String> providers, Set<String> models,
                                             Set<String> pooled) {
        String name = m.get("name").asText();
        boolean routed = MODEL_KEYS.stream().anyMatch(m::hasNonNull);
        List<Target> targets = new ArrayList<>();
        JsonNode ts = m.get("targets");
        if (ts != null && !ts.isNull()) {
            if (m.hasNonNull("provider")) {
                loader.problem(path + ".targets: give either provider or targets, not both");
            }
            if (!ts.isArray() || ts.isEmpty()) {
                loader.problem(path + ".targets: expected a list of at least one target");
            } else {
                for (int i = 0; i < ts.size(); i++) {
                    target(ts.get(i), path + ".targets[" + i + "]", providers).ifPresent(targets::add);
                }
            }
        } else if (m.path("provider").isTextual()) {
            String provider = m.get("provider").asText();
            routed |= pooled.contains(provider);
            targets.add(new Target(provider, Optional.empty(), 1, Optional.empty()));
        }
        if (!routed) {
            return Optional.empty();
        }
        Strategy strategy = loader.string(m, "strategy", path + ".").map(s -> Strategy.fromWireName(s).orElseGet(() -> {
            loader.problem(path + ".strategy: expected ordered, weighted, least_busy, lowest_latency or lowest_cost, got \""
                    + s + "\"");
            return Strategy.ORDERED;
        })).orElse(Strategy.ORDERED);
        return Optional.of(new ModelGroupConfig(name, targets, strategy, retry(m.get("retry"), path + ".retry"),
                timeouts(m.get("timeouts"), path + ".timeouts"), hedge(m.get("hedge"), path + ".hedge"),
                fallbacks(m, "context_window_fallbacks", path, name, models),
                fallbacks(m, "content_policy_fallbacks", path, name, models)));
    }

    private Optional<Target> target(JsonNode t, String path, Set<String> providers) {
        if (!t.isObject()) {
            loader.problem(path + ": expected a mapping such as {provider: oai, upstream_model: gpt-5}");
            return Optional.empty();
        }
        loader.unknownKeys(t, path + ".", TARGET_KEYS);
        Optional<String> provider = loader.required(t, "provider", path);
        provider.ifPresent(p -> {
            if (!providers.contains(p)) {
                loader.problem(path + ".provider: unknown provider \"" + p + "\"");
            }
        });
        Optional<String> upstream = loader.string(t, "upstream_model", path + ".");
        int weight = number(t, "weight", path + ".").map(w -> {
            if (w < 0 || w != Math.floor(w) || w > 1_000_000) {
                loader.problem(path + ".weight: expected a whole number from 0 to 1000000, got " + t.get("weight"));
                return 1;
            }
            return (int) (double) w;
        }).orElse(1);
        Optional<Double> cost = number(t, "cost", path + ".").filter(c -> {
            if (c < 0) {
                loader.problem(path + ".cost: must not be negative");
                return false;
            }
            return true;
        });
        return provider.map(p -> new Target(p, upstream, weight, cost));
    }

    private Retry retry(JsonNode r, String path) {
        if (r == null || r.isNull()) {
            return Retry.DEFAULT;
        }
        if (!r.isObject()) {
            loader.problem(path + ": expected a mapping such as {attempts: 3, backoff: 250ms, max_backoff: 5s}");
            return Retry.DEFAULT;
        }
        loader.unknownKeys(r, path + ".", RETRY_KEYS);
        Optional<Integer> attempts = number(r, "attempts", path + ".").flatMap(a -> {
            if (a < 1 || a > 20 || a != Math.floor(a)) {
                loader.problem(path + ".attempts: expected a whole number from 1 to 20, got " + r.get("attempts"));
                return Optional.empty();
            }
            return Optional.of((int) (double) a);
        });
        Duration backoff = loader.duration(r, "backoff", path + ".").orElse(Retry.DEFAULT.backoff());
        Duration max = loader.duration(r, "max_backoff", path + ".").orElse(Retry.DEFAULT.maxBackoff());
        if (max.compareTo(backoff) < 0) {
            loader.problem(path + ".max_backoff: must not be shorter than backoff");
        }
        return new Retry(attempts, backoff, max);
    }

    private Timeouts timeouts(JsonNode t, String path) {
        if (t == null || t.isNull()) {
            return Timeouts.NONE;
        }
        if (!t.isObject()) {
            loader.problem(path + ": expected a mapping such as {connect: 5s, first_token: 20s, idle: 60s, total: 600s}");
            return Timeouts.NONE;
        }
        loader.unknownKeys(t, path + ".", TIMEOUT_KEYS);
        String prefix = path + ".";
        return new Timeouts(positive(t, "connect", prefix), positive(t, "first_token", prefix), positive(t, "idle", prefix),
                positive(t, "total", prefix));
    }

    private Optional<Hedge> hedge(JsonNode h, String path) {
        if (h == null || h.isNull()) {
            return Optional.empty();
        }
        if (!h.isObject()) {
            loader.problem(path + ": expected a mapping such as {after: 1500ms, max: 1}");
            return Optional.empty();
        }
        loader.unknownKeys(h, path + ".", HEDGE_KEYS);
        Optional<Duration> after = positive(h, "after", path + ".");
        if (after.isEmpty() && h.get("after") == null) {
            loader.problem(path + ".after: required");
        }
        int max = number(h, "max", path + ".").map(x -> {
            if (x < 1 || x > 3 || x != Math.floor(x)) {
                loader.problem(path + ".max: expected 1, 2 or 3, got " + h.get("max"));
                return 1;
            }
            return (int) (double) x;
        }).orElse(1);
        return after.map(a -> new Hedge(a, max));
    }

    private List<String> fallbacks(JsonNode m, String key, String path, String self, Set<String> models) {
        JsonNode list = m.get(key);
        List<String> out = new ArrayList<>();
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            loader.problem(path + "." + key + ": expected a list of model names");
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            String p = path + "." + key + "[" + i + "]";
            JsonNode e = list.get(i);
            if (!e.isTextual()) {
                loader.problem(p + ": expected a model name");
            } else if (e.asText().equals(self)) {
                loader.problem(p + ": a model cannot be its own fallback");
            } else if (!models.contains(e.asText())) {
                loader.problem(p + ": unknown model \"" + e.asText() + "\"");
            } else {
                out.add(e.asText());
            }
        }
        return out;
    }

    private RoutingConfig.Breaker breaker(JsonNode b) {
        RoutingConfig.Breaker d = RoutingConfig.Breaker.DEFAULT;
        if (b == null || b.isNull()) {
            return d;
        }
        if (!b.isObject()) {
            loader.problem("routing.breaker: expected a mapping such as {window: 20, min_calls: 5, failure_rate: 50, cooldown: 30s}");
            return d;
        }
        loader.unknownKeys(b, "routing.breaker.", BREAKER_KEYS);
        int window = whole(b, "window", "routing.breaker.", 1, 10_000).orElse(d.window());
        int min = whole(b, "min_calls", "routing.breaker.", 1, 10_000).orElse(d.minCalls());
        if (min > window) {
            loader.problem("routing.breaker.min_calls: must not be more than window (" + window + ")");
        }
        float rate = number(b, "failure_rate", "routing.breaker.").map(r -> {
            if (r <= 0 || r > 100) {
                loader.problem("routing.breaker.failure_rate: expected a percentage above 0 and at most 100, got " + r);
                return d.failureRate();
            }
            return (float) (double) r;
        }).orElse(d.failureRate());
        Duration cooldown = positive(b, "cooldown", "routing.breaker.").orElse(d.cooldown());
        return new RoutingConfig.Breaker(window, Math.min(min, window), rate, cooldown);
    }

    private Optional<Integer> whole(JsonNode n, String key, String prefix, int min, int max) {
        return number(n, key, prefix).flatMap(x -> {
            if (x < min || x > max || x != Math.floor(x)) {
                loader.problem(prefix + key + ": expected a whole number from " + min + " to " + max + ", got " + n.get(key));
                return Optional.empty();
            }
            return Optional.of((int) (double) x);
        });
    }

    private Optional<Double> number(JsonNode n, String key, String prefix) {
        return loader.string(n, key, prefix).flatMap(s -> {
            try {
                return Optional.of(Double.parseDouble(s.trim()));
            } catch (NumberFormatException e) {
                loader.problem(prefix + key + ": expected a number, got \"" + s + "\"");
                return Optional.empty();
            }
        });
    }

    private Optional<Duration> positive(JsonNode n, String key, String prefix) {
        return loader.duration(n, key, prefix).filter(d -> {
            if (d.isZero() || d.isNegative()) {
                loader.problem(prefix + key + ": must be longer than 0");
                return false;
            }
            return true;
        });
    }

    /** Element {@code i} of a list of strings, with {@code ${VAR}} substituted; problems as {@code path[i]}. */
    private static Optional<String> element(ConfigLoader loader, JsonNode list, int i, String path) {
        ObjectNode holder = JsonNodeFactory.instance.objectNode();
        holder.set("[" + i + "]", list.get(i));
        return loader.string(holder, "[" + i + "]", path);
    }
}
