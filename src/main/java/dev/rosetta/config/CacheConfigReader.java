package dev.rosetta.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code cache:} and the {@code cache:} of model entries. Problems are reported with their path.
 */
final class CacheConfigReader {

    private static final Set<String> KEYS = Set.of("enabled", "ttl", "max_size", "max_entry_size", "scope", "coalesce",
            "coalesce_streams", "redis_key_prefix", "tenants", "keys");
    private static final Set<String> OVERRIDE_KEYS = Set.of("enabled", "ttl");

    private final ConfigLoader loader;

    CacheConfigReader(ConfigLoader loader) {
        this.loader = loader;
    }

    CacheConfig read(JsonNode root) {
        JsonNode c = root.get("cache");
        Map<String, CacheConfig.Override> models = models(root.get("models"));
        if (c == null || c.isNull()) {
            return models.isEmpty() ? CacheConfig.OFF : new CacheConfig(false, CacheConfig.DEFAULT_TTL,
                    CacheConfig.DEFAULT_MAX_SIZE, CacheConfig.DEFAULT_MAX_ENTRY_SIZE, CacheConfig.Scope.TENANT, true,
                    false, CacheConfig.DEFAULT_PREFIX, models, Map.of(), Map.of());
        }
        if (!c.isObject()) {
            loader.problem("cache: expected a mapping such as {enabled: true, ttl: 1h}");
            return CacheConfig.OFF;
        }
        loader.unknownKeys(c, "cache.", KEYS);
        Duration ttl = positive(loader.duration(c, "ttl", "cache."), "cache.ttl").orElse(CacheConfig.DEFAULT_TTL);
        CacheConfig.Scope scope = loader.string(c, "scope", "cache.").map(s -> switch (s) {
            case "tenant" -> CacheConfig.Scope.TENANT;
            case "global" -> CacheConfig.Scope.GLOBAL;
            default -> {
                loader.problem("cache.scope: expected tenant or global, got \"" + s + "\"");
                yield CacheConfig.Scope.TENANT;
            }
        }).orElse(CacheConfig.Scope.TENANT);
        long maxSize = loader.size(c, "max_size", "cache.").orElse(CacheConfig.DEFAULT_MAX_SIZE);
        long maxEntry = loader.size(c, "max_entry_size", "cache.").orElse(Math.min(maxSize, CacheConfig.DEFAULT_MAX_ENTRY_SIZE));
        if (maxSize <= 0) {
            loader.problem("cache.max_size: must be more than 0");
        }
        if (maxEntry <= 0 || maxEntry > maxSize) {
            loader.problem("cache.max_entry_size: must be more than 0 and at most cache.max_size");
        }
        return new CacheConfig(loader.bool(c, "enabled", "cache.").orElse(true), ttl, maxSize, maxEntry, scope,
                loader.bool(c, "coalesce", "cache.").orElse(true),
                loader.bool(c, "coalesce_streams", "cache.").orElse(false),
                loader.string(c, "redis_key_prefix", "cache.").orElse(CacheConfig.DEFAULT_PREFIX), models,
                named(c.get("tenants"), "cache.tenants"), named(c.get("keys"), "cache.keys"));
    }

    private Map<String, CacheConfig.Override> models(JsonNode list) {
        Map<String, CacheConfig.Override> out = new HashMap<>();
        if (list == null || !list.isArray()) {
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            if (e.isObject() && e.hasNonNull("cache") && e.path("name").isTextual()) {
                override(e.get("cache"), "models[" + i + "].cache").ifPresent(o -> out.put(e.get("name").asText(), o));
            }
        }
        return out;
    }

    private Map<String, CacheConfig.Override> named(JsonNode node, String path) {
        Map<String, CacheConfig.Override> out = new HashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            loader.problem(path + ": expected a mapping of names to {enabled, ttl}");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            override(e.getValue(), path + "." + e.getKey()).ifPresent(o -> out.put(e.getKey(), o));
        }
        return out;
    }

    private Optional<CacheConfig.Override> override(JsonNode node, String path) {
        if (!node.isObject()) {
            loader.problem(path + ": expected a mapping such as {enabled: false} or {ttl: 10m}");
            return Optional.empty();
        }
        loader.unknownKeys(node, path + ".", OVERRIDE_KEYS);
        return Optional.of(new CacheConfig.Override(loader.bool(node, "enabled", path + "."),
                positive(loader.duration(node, "ttl", path + "."), path + ".ttl")));
    }

    private Optional<Duration> positive(Optional<Duration> d, String path) {
        if (d.isPresent() && (d.get().isZero() || d.get().isNegative())) {
            loader.problem(path + ": must be more than 0");
            return Optional.empty();
        }
        return d;
    }
}
