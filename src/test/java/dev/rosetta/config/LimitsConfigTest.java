package dev.rosetta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rosetta.auth.KeySecret;
import dev.rosetta.limits.FailurePolicy;
import dev.rosetta.limits.LimitPolicy;
import dev.rosetta.limits.Limits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LimitsConfigTest {

    private static final String KEY = KeySecret.generate(new Random(21));

    private static GatewayConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, Map.of("K", KEY, "OPENAI_API_KEY", "sk-test")::get);
    }

    private static List<String> problems(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml)).problems();
    }

    @Test
    void limitsAttachToTenantsKeysModelsAndProviders() {
        GatewayConfig c = parse("""
                auth: keys
                store: "sqlite::memory:"
                redis: redis://127.0.0.1:6379
                redis_timeout: 80ms
                limits_on_redis_failure: deny
                limits_output_tokens: 2000
                providers:
                  - name: oai
                    type: openai
                    api_key: ${OPENAI_API_KEY}
                    limits: {rpm: 500, tpm: 200000}
                models:
                  - name: gpt-5
                    provider: oai
                    limits: {concurrent: 20}
                tenants:
                  - name: search
                    limits: {tpd: 1000000}
                    model_limits: {"gpt-5*": {rpm: 30}}
                keys:
                  - name: bot
                    tenant: search
                    key: ${K}
                    limits: {rpm: 10, tpm: 5000, concurrent: 2}
                """);
        LimiterConfig l = c.limiter();
        assertThat(l.redis()).hasValue("redis://127.0.0.1:6379");
        assertThat(l.timeout()).isEqualTo(Duration.ofMillis(80));
        assertThat(l.onFailure()).isEqualTo(FailurePolicy.DENY);
        assertThat(l.outputTokens()).isEqualTo(2000);
        assertThat(l.providers()).containsEntry("oai", new Limits(500, 200000, 0, 0));
        assertThat(l.models()).containsEntry("gpt-5", new Limits(0, 0, 0, 20));
        assertThat(c.auth().tenants().get(0).limits()).isEqualTo(new LimitPolicy(new Limits(0, 0, 1000000, 0),
                List.of(new LimitPolicy.ModelLimit("gpt-5*", new Limits(30, 0, 0, 0)))));
        assertThat(c.auth().keys().get(0).limits()).isEqualTo(new LimitPolicy(new Limits(10, 5000, 0, 2), List.of()));
    }

    @Test
    void withoutLimitsNothingIsSetAndCountersStayInProcess() {
        GatewayConfig c = parse("""
                providers:
                  - name: oai
                    type: openai
                    api_key: ${OPENAI_API_KEY}
                """);
        assertThat(c.limiter().redis()).isEqualTo(Optional.empty());
        assertThat(c.limiter().timeout()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.limiter().onFailure()).isEqualTo(FailurePolicy.ALLOW);
        assertThat(dev.rosetta.limits.Police.needed(c)).isFalse();
    }

    @Test
    void badLimitsAreReportedWithTheirPath() {
        assertThat(problems("""
                limits_on_redis_failure: maybe
                redis: http://secret@somewhere
                providers:
                  - name: oai
                    type: openai
                    api_key: ${OPENAI_API_KEY}
                    limits: {rpm: -1, rph: 3}
                models:
                  - name: gpt-5
                    provider: oai
                    limits: 12
                """)).containsExactlyInAnyOrder(
                "limits_on_redis_failure: expected allow or deny, got \"maybe\"",
                "redis: expected a redis://[:password@]host:port URL",
                "providers[0].limits.rph: unknown limit (expected rpm, tpm, tpd or concurrent)",
                "providers[0].limits.rpm: expected a positive whole number, got -1",
                "models[0].limits: expected a mapping of rpm, tpm, tpd, concurrent");
        assertThat(problems("""
                auth: keys
                store: "sqlite::memory:"
                providers:
                  - name: oai
                    type: openai
                    api_key: ${OPENAI_API_KEY}
                tenants:
                  - name: t
                    model_limits: {"gpt*5": {rpm: 1}, "o3": {tpm: 1.5}}
                """)).containsExactlyInAnyOrder(
                "tenants[0].model_limits.gpt*5: expected a model name or a prefix ending in *",
                "tenants[0].model_limits.o3.tpm: expected a positive whole number, got 1.5");
    }
}
