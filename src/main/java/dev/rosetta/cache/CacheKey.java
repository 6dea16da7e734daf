package dev.rosetta.cache;

import dev.rosetta.model.ChatRequest;
import java.util.Objects;

/**
 * What a store is asked for: the exact key, and the request it was computed from. An exact store uses
 * {@link #id()} only; a similarity store (not built) would embed {@link #request()} and search within
 * {@link #scope()} and {@link #target()}, which is why the request travels with its digest.
 *
 * @param scope whose entries may answer (a tenant, or {@code *} for all)
 * @param target the model and provider the request resolved to
 * @param digest {@link RequestKey#of} the target and request
 */
public record CacheKey(String scope, String target, String digest, ChatRequest request) {
    public CacheKey {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(request, "request");
    }

    /** The exact-match key: scope and digest (the target is inside the digest). */
    public String id() {
        return scope + ":" + digest;
    }
}
