package dev.rosetta.auth;

import dev.rosetta.limits.LimitPolicy;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A client key as the gateway keeps it: never the secret, only its SHA-256 {@link KeySecret#hash}
 * and its visible prefix.
 *
 * @param id a stable identifier, safe to log and to use in the admin API
 * @param prefix the secret's visible start ({@link KeySecret#visiblePrefix}), to recognise it in listings
 * @param models narrows the tenant's models; {@link ModelPatterns#ALL} keeps them as they are
 * @param declared whether it comes from the configuration file (read-only at runtime) rather than the store
 * @param previous after a rotation with grace: the old secret's hash, which keeps working until then
 * @param passthrough false narrows its tenant's {@link Tenant#passthrough} away; true keeps the tenant's
 * @param limits what this key may take, within its tenant's
 */
public record ApiKey(String id, String name, String tenant, String prefix, String hash, ModelPatterns models,
                     Optional<Instant> expiresAt, boolean disabled, Map<String, String> metadata,
                     Instant createdAt, boolean declared, Optional<Previous> previous, boolean passthrough,
                     LimitPolicy limits) {

    /** The secret a rotation replaced, valid until {@code until}. */
    public record Previous(String hash, Instant until) {
    }

    public ApiKey(String id, String name, String tenant, String prefix, String hash, ModelPatterns models,
                  Optional<Instant> expiresAt, boolean disabled, Map<String, String> metadata, Instant createdAt,
                  boolean declared) {
        this(id, name, tenant, prefix, hash, models, expiresAt, disabled, metadata, createdAt, declared,
                Optional.empty());
    }

    public ApiKey(String id, String name, String tenant, String prefix, String hash, ModelPatterns models,
                  Optional<Instant> expiresAt, boolean disabled, Map<String, String> metadata, Instant createdAt,
                  boolean declared, Optional<Previous> previous) {
        this(id, name, tenant, prefix, hash, models, expiresAt, disabled, metadata, createdAt, declared, previous, true);
    }

    public ApiKey(String id, String name, String tenant, String prefix, String hash, ModelPatterns models,
                  Optional<Instant> expiresAt, boolean disabled, Map<String, String> metadata, Instant createdAt,
                  boolean declared, Optional<Previous> previous, boolean passthrough) {
        this(id, name, tenant, prefix, hash, models, expiresAt, disabled, metadata, createdAt, declared, previous,
                passthrough, LimitPolicy.NONE);
    }

    /** This key with {@code passthrough} set. */
    public ApiKey withPassthrough(boolean on) {
        return new ApiKey(id, name, tenant, prefix, hash, models, expiresAt, disabled, metadata, createdAt, declared,
                previous, on, limits);
    }

    public ApiKey withLimits(LimitPolicy newLimits) {
        return new ApiKey(id, name, tenant, prefix, hash, models, expiresAt, disabled, metadata, createdAt, declared,
                previous, passthrough, newLimits);
    }

    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(expiresAt, "expiresAt");
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(limits, "limits");
    }

    public boolean expiredAt(long epochMillis) {
        return expiresAt.isPresent() && expiresAt.get().toEpochMilli() <= epochMillis;
    }
}
