package dev.rosetta.config;

import dev.rosetta.dialect.ProviderType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The configuration used when no file is given: a provider for each of {@code OPENAI_API_KEY},
 * {@code ANTHROPIC_API_KEY} and {@code GEMINI_API_KEY} that is set, each serving its well-known models
 * and any other model name of its family (a {@code *} pattern), plus the offline {@code mock} provider.
 * {@code ROSETTA_STATE_SECRET}, when set, is the {@code state_secret}; the proxy variables
 * ({@code HTTPS_PROXY}, ...) are honoured as with a file.
 */
public final class DefaultConfig {

    private DefaultConfig() {
    }

    public static GatewayConfig create(Function<String, String> env) {
        List<ProviderConfig> providers = new ArrayList<>();
        List<ModelConfig> models = new ArrayList<>();
        addIfKeySet(env, "OPENAI_API_KEY", "openai", ProviderType.OPENAI, providers, models,
                List.of("gpt-5", "gpt-5-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini", "o4-mini",
                        "text-embedding-3-small", "text-embedding-3-large", "gpt-*", "o1*", "o3*", "o4*"));
        addIfKeySet(env, "ANTHROPIC_API_KEY", "anthropic", ProviderType.ANTHROPIC, providers, models,
                List.of("claude-sonnet-4-5", "claude-opus-4-5", "claude-haiku-4-5", "claude-*"));
        addIfKeySet(env, "GEMINI_API_KEY", "gemini", ProviderType.GEMINI, providers, models,
                List.of("gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-embedding-001",
                        "gemini-*"));
        providers.add(new ProviderConfig("mock", ProviderType.MOCK, "", new Secret(""), Duration.ofSeconds(600),
                Duration.ofSeconds(10), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        for (String m : List.of("mock-gpt", "mock-claude", "mock-gemini")) {
            models.add(new ModelConfig(m, "mock", m));
        }
        ServerConfig server = new ServerConfig("127.0.0.1", 8080, ServerConfig.DEFAULT_MAX_BODY_BYTES,
                ServerConfig.DEFAULT_SHUTDOWN_GRACE, true, false,
                MediaFetchConfig.DEFAULT, StreamConfig.DEFAULT);
        Optional<Secret> stateSecret = Optional.ofNullable(env.apply("ROSETTA_STATE_SECRET")).map(String::trim)
                .filter(s -> !s.isEmpty()).map(Secret::new);
        if (stateSecret.isPresent() && stateSecret.get().value().getBytes(java.nio.charset.StandardCharsets.UTF_8)
                .length < GatewayConfig.MIN_STATE_SECRET_BYTES) {
            throw new ConfigException(List.of("ROSETTA_STATE_SECRET: must be at least "
                    + GatewayConfig.MIN_STATE_SECRET_BYTES + " characters"));
        }
        List<String> problems = new ArrayList<>();
        EgressConfig egress = NetworkConfigReader.fromEnvironment(env, problems::add);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new GatewayConfig(server, providers, models, stateSecret, AuthConfig.NONE, LedgerConfig.DEFAULT,
                LimiterConfig.NONE, BudgetAlertsConfig.NONE, RoutingConfig.NONE, CacheConfig.OFF, ObservabilityConfig.DEFAULT,
                new NetworkConfig(Optional.empty(), Optional.empty(), egress));
    }

    private static void addIfKeySet(Function<String, String> env, String variable, String name, ProviderType type,
                                    List<ProviderConfig> providers, List<ModelConfig> models, List<String> names) {
        String key = env.apply(variable);
        if (key == null || key.isBlank()) {
            return;
        }
        providers.add(new ProviderConfig(name, type, type.defaultBaseUrl(), new Secret(key.trim()),
                Duration.ofSeconds(600), Duration.ofSeconds(10), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        for (String m : names) {
            models.add(new ModelConfig(m, name, m));
        }
    }
}
