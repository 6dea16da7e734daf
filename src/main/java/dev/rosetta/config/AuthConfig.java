package dev.rosetta.config;

import dev.rosetta.limits.LimitPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may call the gateway.
 *
 * @param mode {@code none}: anyone who reaches the port (allowed on a loopback address, or anywhere
 *     with {@code allowUnauthenticated}); {@code keys}: only holders of a gateway key
 * @param adminKey opens the admin API; not a client key
 * @param allowUnauthenticated the operator's explicit choice to serve {@code auth: none} beyond loopback
 * @param tenants tenants declared in the file (read-only at runtime)
 * @param keys keys declared in the file, secrets from the environment (read-only at runtime)
 * @param store where runtime tenants, keys and the audit trail live ({@code auth: keys} only)
 */
public record AuthConfig(Mode mode, Optional<Secret> adminKey, boolean allowUnauthenticated,
                         List<TenantConfig> tenants, List<KeyConfig> keys, StoreLocation store) {

    public enum Mode { NONE, KEYS }

    public static final AuthConfig NONE = new AuthConfig(Mode.NONE, Optional.empty(), false, List.of(), List.of(),
            StoreLocation.DEFAULT);

    public AuthConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(adminKey, "adminKey");
        tenants = List.copyOf(tenants);
        keys = List.copyOf(keys);
        Objects.requireNonNull(store, "store");
    }

    /**
     * @param models allowed model names and {@code *} prefix patterns; empty: every model
     * @param passthrough see {@link dev.rosetta.auth.Tenant#passthrough}
     */
    public record TenantConfig(String name, Optional<List<String>> models, Map<String, String> metadata,
                               boolean disabled, boolean passthrough, LimitPolicy limits) {
        public TenantConfig(String name, Optional<List<String>> models, Map<String, String> metadata,
                            boolean disabled, boolean passthrough) {
            this(name, models, metadata, disabled, passthrough, LimitPolicy.NONE);
        }

        public TenantConfig {
            models = models.map(List::copyOf);
            metadata = Map.copyOf(metadata);
        }

        public TenantConfig(String name, Optional<List<String>> models, Map<String, String> metadata, boolean disabled) {
            this(name, models, metadata, disabled, false);
        }
    }

    /**
     * @param models narrows the tenant's models; empty: the tenant's
     */
    public record KeyConfig(String name, String tenant, Secret key, Optional<List<String>> models,
                            Optional<Instant> expiresAt, boolean disabled, Map<String, String> metadata,
                            boolean passthrough, LimitPolicy limits) {
        public KeyConfig(String name, String tenant, Secret key, Optional<List<String>> models,
                         Optional<Instant> expiresAt, boolean disabled, Map<String, String> metadata,
                         boolean passthrough) {
            this(name, tenant, key, models, expiresAt, disabled, metadata, passthrough, LimitPolicy.NONE);
        }

        public KeyConfig {
            models = models.map(List::copyOf);
            metadata = Map.copyOf(metadata);
        }

        public KeyConfig(String name, String tenant, Secret key, Optional<List<String>> models,
                         Optional<Instant> expiresAt, boolean disabled, Map<String, String> metadata) {
            this(name, tenant, key, models, expiresAt, disabled, metadata, true);
        }
    }
}
