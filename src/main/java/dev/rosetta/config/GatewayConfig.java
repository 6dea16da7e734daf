package dev.rosetta.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration, validated: every model names a provider that exists, names are unique.
 *
 * @param stateSecret the key that seals provider state handed to clients (tool-call ids, signatures, encrypted reasoning); empty to
 *                    have one generated at start, which only works with a single replica
 * @param auth who may call the gateway
 * @param ledger prices and the usage ledger's retention and spool
 * @param limiter where limit counters live, and the limits on providers and models
 * @param budgetAlerts where budget alerts go ({@code budget_alerts})
 * @param routing model groups (targets, strategies, retries), key pools and circuit breakers
 * @param cache the response cache ({@code cache})
 * @param observability {@code /metrics} and traces
 * @param network CORS, TLS on the listener, and the egress proxy
 */
public record GatewayConfig(ServerConfig server, List<ProviderConfig> providers, List<ModelConfig> models,
                            Optional<Secret> stateSecret, AuthConfig auth, LedgerConfig ledger, LimiterConfig limiter,
                            BudgetAlertsConfig budgetAlerts, RoutingConfig routing, CacheConfig cache,
                            ObservabilityConfig observability, NetworkConfig network) {
    /** The shortest accepted {@code state_secret}, in UTF-8 bytes. */
    public static final int MIN_STATE_SECRET_BYTES = 16;

    public GatewayConfig {
        Objects.requireNonNull(server, "server");
        providers = List.copyOf(providers);
        models = List.copyOf(models);
        Objects.requireNonNull(stateSecret, "stateSecret");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(limiter, "limiter");
        Objects.requireNonNull(budgetAlerts, "budgetAlerts");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(observability, "observability");
        Objects.requireNonNull(network, "network");
    }

    public GatewayConfig(ServerConfig server, List<ProviderConfig> providers, List<ModelConfig> models,
                         Optional<Secret> stateSecret, AuthConfig auth, LedgerConfig ledger, LimiterConfig limiter) {
        this(server, providers, models, stateSecret, auth, ledger, limiter, BudgetAlertsConfig.NONE, RoutingConfig.NONE,
                CacheConfig.OFF, ObservabilityConfig.DEFAULT, NetworkConfig.NONE);
    }

    public GatewayConfig(ServerConfig server, List<ProviderConfig> providers, List<ModelConfig> models,
                         Optional<Secret> stateSecret, AuthConfig auth) {
        this(server, providers, models, stateSecret, auth, LedgerConfig.DEFAULT);
    }

    public GatewayConfig(ServerConfig server, List<ProviderConfig> providers, List<ModelConfig> models,
                         Optional<Secret> stateSecret, AuthConfig auth, LedgerConfig ledger) {
        this(server, providers, models, stateSecret, auth, ledger, LimiterConfig.NONE);
    }

    /** Without client authentication ({@code auth: none}). */
    public GatewayConfig(ServerConfig server, List<ProviderConfig> providers, List<ModelConfig> models,
                         Optional<Secret> stateSecret) {
        this(server, providers, models, stateSecret, AuthConfig.NONE);
    }

    public GatewayConfig withPort(int port) {
        return new GatewayConfig(server.withPort(port), providers, models, stateSecret, auth, ledger, limiter, budgetAlerts,
                routing, cache, observability, network);
    }

    public GatewayConfig withObservability(ObservabilityConfig o) {
        return new GatewayConfig(server, providers, models, stateSecret, auth, ledger, limiter, budgetAlerts, routing,
                cache, o, network);
    }
}
