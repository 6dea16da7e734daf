package dev.rosetta.route;

import dev.rosetta.config.ProviderConfig;

/**
 * Where a request for a model goes.
 *
 * @param clientModel the model name the client sent
 * @param upstreamModel the model name to send to the provider
 */
public record Route(String clientModel, ProviderConfig provider, String upstreamModel) {
}
