package dev.rosetta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoutingConfigTest {

    private static final String PROVIDERS = """
            providers:
              - {name: ant, type: anthropic, api_key: k}
              - {name: oai, type: openai, api_keys: [k1, "${K2}"]}
            """;

    @Test
    void aGroupIsReadWithItsTargetsStrategyRetryTimeoutsAndFallbacks() {
        GatewayConfig c = ConfigLoader.parse(PROVIDERS + """
                models:
                  - name: smart
                    strategy: weighted
                    targets:
                      - {provider: ant, upstream_model: claude-sonnet-4-5, weight: 3}
                      - {provider: oai, upstream_model: gpt-5, cost: 2}
                    retry: {attempts: 3, backoff: 250ms, max_backoff: 5s}
                    timeouts: {connect: 5s, first_token: 20s, idle: 60s, total: 600s}
                    context_window_fallbacks: [big]
                  - {name: big, provider: oai, upstream_model: gpt-5-long}
                  - {name: plain, provider: ant}
                """, Map.of("K2", "k2")::get);
        ModelGroupConfig g = c.routing().groups().get("smart");
        assertThat(g.strategy()).isEqualTo(ModelGroupConfig.Strategy.WEIGHTED);
        assertThat(g.targets()).containsExactly(
                new ModelGroupConfig.Target("ant", Optional.of("claude-sonnet-4-5"), 3, Optional.empty()),
                new ModelGroupConfig.Target("oai", Optional.of("gpt-5"), 1, Optional.of(2.0)));
        assertThat(g.retry()).isEqualTo(new ModelGroupConfig.Retry(Optional.of(3), Duration.ofMillis(250), Duration.ofSeconds(5)));
        assertThat(g.timeouts().firstToken()).hasValue(Duration.ofSeconds(20));
        assertThat(g.contextWindowFallbacks()).containsExactly("big");
        // the entry stands for its first target where one provider is asked for
        assertThat(c.models().get(0).provider()).isEqualTo("ant");
        assertThat(c.models().get(0).upstreamModel()).isEqualTo("claude-sonnet-4-5");
        // a model of a pooled provider is routed (its keys are chosen per attempt); a plain one is not
        assertThat(c.routing().groups()).containsKeys("smart", "big").doesNotContainKey("plain");
        assertThat(c.routing().keyPools().get("oai")).extracting(Secret::value).containsExactly("k1", "k2");
        assertThat(c.providers().get(1).apiKey().value()).isEqualTo("k1");
    }

    @Test
    void everyProblemIsListedWithItsPath() {
        assertThatThrownBy(() -> ConfigLoader.parse(PROVIDERS + """
                models:
                  - name: smart
                    provider: ant
                    strategy: fastest
                    targets:
                      - {provider: claud}
                      - {provider: oai, weight: -1, colour: red}
                    retry: {attempts: 0, backoff: 5s, max_backoff: 1s}
                    content_policy_fallbacks: [nowhere, smart]
                    hedge: {max: 1}
                routing:
                  breaker: {window: 5, min_calls: 10}
                """, Map.of("K2", "k2")::get))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).contains(
                        "models[0].targets: give either provider or targets, not both",
                        "models[0].strategy: expected ordered, weighted, least_busy, lowest_latency or lowest_cost, got \"fastest\"",
                        "models[0].targets[0].provider: unknown provider \"claud\"",
                        "models[0].targets[1].weight: expected a whole number from 0 to 1000000, got -1",
                        "models[0].retry.attempts: expected a whole number from 1 to 20, got 0",
                        "models[0].retry.max_backoff: must not be shorter than backoff",
                        "models[0].content_policy_fallbacks[0]: unknown model \"nowhere\"",
                        "models[0].content_policy_fallbacks[1]: a model cannot be its own fallback",
                        "models[0].hedge.after: required",
                        "routing.breaker.min_calls: must not be more than window (5)"));
    }
}
