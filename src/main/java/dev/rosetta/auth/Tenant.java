package dev.rosetta.auth;

import java.util.Map;
import java.util.Objects;

/**
 * A team or project sharing the gateway. Limits and budgets will attach here as further components.
 *
 * @param models the models its keys may use
 * @param metadata free-form labels, never interpreted by the gateway
 * @param declared whether it comes from the configuration file (read-only at runtime) rather than the store
 * @param passthrough whether its keys may use the provider APIs passed through without naming a model
 *        (files, batches, uploads, vector stores...), which every tenant shares in the provider's one
 *        account: off unless given, so one tenant cannot list or read another's files by default
 */
public record Tenant(String name, ModelPatterns models, Map<String, String> metadata, boolean disabled,
                     boolean declared, boolean passthrough) {

    public Tenant(String name, ModelPatterns models, Map<String, String> metadata, boolean disabled, boolean declared) {
        this(name, models, metadata, disabled, declared, false);
    }

    public Tenant {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(models, "models");
        metadata = Map.copyOf(metadata);
    }
}
