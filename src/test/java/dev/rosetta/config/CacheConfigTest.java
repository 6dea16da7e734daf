package dev.rosetta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code cache:}: its defaults, its overrides by model, tenant and key, and every problem with its path. */
class CacheConfigTest {

    private static final String BASE = """
            providers:
              - name: p
                type: mock
            models:
              - name: m
                provider: p
            """;

    private static GatewayConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, Map.<String, String>of()::get);
    }

    @Test
    void offWithoutASection() {
        assertThat(parse(BASE).cache().anyEnabled()).isFalse();
    }

    @Test
    void anEmptySectionIsOnWithTheDefaults() {
        CacheConfig c = parse(BASE + "cache: {}\n").cache();
        assertThat(c.enabled()).isTrue();
        assertThat(c.ttl()).isEqualTo(Duration.ofHours(1));
        assertThat(c.maxSize()).isEqualTo(256L * 1024 * 1024);
        assertThat(c.scope()).isEqualTo(CacheConfig.Scope.TENANT);
        assertThat(c.coalesce()).isTrue();
        assertThat(c.coalesceStreams()).isFalse();
    }

    @Test
    void everySettingAndOverrideIsRead() {
        CacheConfig c = parse("""
                providers:
                  - name: p
                    type: mock
                models:
                  - name: m
                    provider: p
                    cache: {ttl: 5m}
                  - name: n
                    provider: p
                    cache: {enabled: false}
                cache:
                  enabled: false
                  ttl: 2h
                  max_size: 64MiB
                  max_entry_size: 1MiB
                  scope: global
                  coalesce: false
                  coalesce_streams: true
                  redis_key_prefix: "x:"
                  tenants:
                    team-a: {enabled: true}
                  keys:
                    ci: {ttl: 30s}
                """).cache();
        assertThat(c.enabled()).isFalse();
        assertThat(c.anyEnabled()).isTrue();
        assertThat(c.ttl()).isEqualTo(Duration.ofHours(2));
        assertThat(c.maxSize()).isEqualTo(64L * 1024 * 1024);
        assertThat(c.maxEntrySize()).isEqualTo(1024 * 1024);
        assertThat(c.scope()).isEqualTo(CacheConfig.Scope.GLOBAL);
        assertThat(c.coalesce()).isFalse();
        assertThat(c.coalesceStreams()).isTrue();
        assertThat(c.redisPrefix()).isEqualTo("x:");
        assertThat(c.models()).containsEntry("m", new CacheConfig.Override(Optional.empty(), Optional.of(Duration.ofMinutes(5))))
                .containsEntry("n", new CacheConfig.Override(Optional.of(false), Optional.empty()));
        assertThat(c.tenants()).containsKey("team-a");
        assertThat(c.keys().get("ci").ttl()).contains(Duration.ofSeconds(30));
    }

    @Test
    void problemsNameTheirKey() {
        assertThatThrownBy(() -> parse(BASE.replace("provider: p\n", "provider: p\n    cache: {ttl: 0s, forever: true}\n") + """
                cache:
                  ttl: soon
                  scope: team
                  max_size: 1MiB
                  max_entry_size: 2MiB
                  colesce: true
                  tenants: [a]
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cache.ttl: expected a duration")
                .hasMessageContaining("cache.scope: expected tenant or global, got \"team\"")
                .hasMessageContaining("cache.max_entry_size: must be more than 0 and at most cache.max_size")
                .hasMessageContaining("cache.colesce: unknown key")
                .hasMessageContaining("cache.tenants: expected a mapping")
                .hasMessageContaining("models[0].cache.ttl: must be more than 0")
                .hasMessageContaining("models[0].cache.forever: unknown key");
    }
}
