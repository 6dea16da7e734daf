package dev.rosetta.route;

import dev.rosetta.config.ProviderConfig;

/**
 * One place a model group is served: a provider and the model name it knows.
 *
 * @param upstreamModel empty to send the client's model name (a pattern entry)
 * @param weight the share of first attempts under {@code weighted}
 * @param cost relative cost per token under {@code lowest_cost}, from the price table or the configuration
 * @param id {@code provider/upstream_model} ({@code provider/*} for the client's name), as the health listing names it
 */
public record Target(ProviderConfig provider, String upstreamModel, int weight, double cost, String id) {

    public Target(ProviderConfig provider, String upstreamModel, int weight, double cost) {
        this(provider, upstreamModel, weight, cost, provider.name() + "/" + (upstreamModel.isEmpty() ? "*" : upstreamModel));
    }

    String upstreamFor(String clientModel) {
        return upstreamModel.isEmpty() ? clientModel : upstreamModel;
    }
}
