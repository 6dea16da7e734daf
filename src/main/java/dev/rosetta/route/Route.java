package dev.rosetta.route;

import dev.rosetta.config.ModelConfig;
import dev.rosetta.config.OpenAiApi;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.dialect.ProviderType;
import java.util.Optional;

/**
 * Where a request for a model goes.
 *
 * @param clientModel the model name the client sent
 * @param upstreamModel the model name to send to the provider
 * @param model the configuration entry that matched
 */
public record Route(String clientModel, ProviderConfig provider, String upstreamModel, ModelConfig model) {

    /** A call to the provider for no model in particular (the rest of its API, passed through). */
    public static Route toProvider(ProviderConfig provider) {
        return new Route("", provider, "", new ModelConfig("", provider.name(), ""));
    }

    /** The first-party type whose dialect the provider speaks for this model ({@link ProviderType#family}). */
    public ProviderType family() {
        return provider.type().family(upstreamModel, model.publisher());
    }

    /** The OpenAI API configured for this model or its provider, if any. */
    public Optional<OpenAiApi> api() {
        return model.api().or(provider::api);
    }
}
