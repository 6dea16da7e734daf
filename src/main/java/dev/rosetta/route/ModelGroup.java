package dev.rosetta.route;

import dev.rosetta.config.ModelConfig;
import dev.rosetta.config.ModelGroupConfig;
import dev.rosetta.config.ModelGroupConfig.Strategy;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.config.Secret;
import dev.rosetta.config.StreamConfig;
import java.util.List;
import java.util.Optional;

/**
 * A model served by one or more targets, compiled from its {@code models[]} entry: the targets, how
 * they are ordered per request, how often and how long to try, and what to fall back to.
 *
 * @param entry the model entry (its api, max_tokens, chat_reasoning apply to every target)
 * @param streams the stream timeouts of this model, or null to keep the server's
 */
public record ModelGroup(ModelConfig entry, List<Target> targets, Strategy strategy, ModelGroupConfig.Retry retry,
                         ModelGroupConfig.Timeouts timeouts, StreamConfig streams,
                         Optional<ModelGroupConfig.Hedge> hedge, List<String> contextWindowFallbacks,
                         List<String> contentPolicyFallbacks) {

    /** Attempts in all: the configured number, else each target once. */
    public int attempts() {
        return retry.attempts().orElse(targets.size());
    }

    /** The route of one attempt: the target's provider with this attempt's key and the group's bounds. */
    Route route(Target t, String clientModel, Optional<Secret> key) {
        ProviderConfig p = t.provider();
        if (key.isPresent() || timeouts.connect().isPresent() || timeouts.total().isPresent()) {
            p = new ProviderConfig(p.name(), p.type(), p.baseUrl(), key.orElse(p.apiKey()),
                    timeouts.total().orElse(p.timeout()), timeouts.connect().orElse(p.connectTimeout()),
                    p.organization(), p.project(), p.caFile(), p.api(), p.passthrough());
        }
        return new Route(clientModel, p, t.upstreamFor(clientModel), entry);
    }
}
