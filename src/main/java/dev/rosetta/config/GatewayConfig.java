package dev.rosetta.config;

import java.util.List;

/** The whole configuration, validated: every model names a provider that exists, names are unique. */
public record GatewayConfig(ServerConfig server, List<ProviderConfig> providers, List<ModelConfig> models) {

    public GatewayConfig {
        providers = List.copyOf(providers);
        models = List.copyOf(models);
    }

    public GatewayConfig withPort(int port) {
        return new GatewayConfig(server.withPort(port), providers, models);
    }
}
