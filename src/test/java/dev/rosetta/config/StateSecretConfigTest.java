package dev.rosetta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StateSecretConfigTest {
    private static final String PROVIDERS = "providers:\n  - {name: mock, type: mock}\n";

    @Test
    void readsTheSecretFromTheEnvironment() {
        GatewayConfig c = ConfigLoader.parse("state_secret: ${ROSETTA_STATE_SECRET}\n" + PROVIDERS,
                ConfigLoader.envOf(Map.of("ROSETTA_STATE_SECRET", "0123456789abcdef0123")));
        assertThat(c.stateSecret()).hasValueSatisfying(s -> assertThat(s.value()).isEqualTo("0123456789abcdef0123"));
        assertThat(c.stateSecret().get().toString()).doesNotContain("0123");
    }

    @Test
    void absentOrEmptyMeansGenerateOne() {
        assertThat(ConfigLoader.parse(PROVIDERS, ConfigLoader.envOf(Map.of())).stateSecret()).isEmpty();
        assertThat(ConfigLoader.parse("state_secret: ${ROSETTA_STATE_SECRET:-}\n" + PROVIDERS,
                ConfigLoader.envOf(Map.of())).stateSecret()).isEmpty();
    }

    @Test
    void aShortSecretFailsWithItsKey() {
        assertThatThrownBy(() -> ConfigLoader.parse("state_secret: short\n" + PROVIDERS, ConfigLoader.envOf(Map.of())))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("state_secret: must be at least 16")));
    }

    @Test
    void theDefaultConfigTakesItFromRosettaStateSecret() {
        assertThat(DefaultConfig.create(Map.of("ROSETTA_STATE_SECRET", "0123456789abcdef0123")::get).stateSecret())
                .isPresent();
        assertThat(DefaultConfig.create(Map.<String, String>of()::get).stateSecret()).isEmpty();
        assertThatThrownBy(() -> DefaultConfig.create(Map.of("ROSETTA_STATE_SECRET", "short")::get))
                .isInstanceOf(ConfigException.class);
    }
}
