package dev.rosetta.auth;

import dev.rosetta.config.AuthConfig;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The tenants and keys declared in the configuration file, as snapshot entries (read-only at runtime). */
public final class DeclaredKeys {

    /** Declared keys' ids: the name under a prefix no generated id uses. */
    public static final String ID_PREFIX = "cfg_";

    private DeclaredKeys() {
    }

    public static List<Tenant> tenants(AuthConfig config) {
        return config.tenants().stream().map(t -> new Tenant(t.name(), ModelPatterns.of(t.models()), t.metadata(),
                t.disabled(), true, t.passthrough(), t.limits())).toList();
    }

    /** @param loadedAt the creation time given to every declared key */
    public static List<ApiKey> keys(AuthConfig config, Instant loadedAt) {
        return config.keys().stream().map(k -> new ApiKey(ID_PREFIX + k.name(), k.name(), k.tenant(),
                KeySecret.visiblePrefix(k.key().value()), KeySecret.hash(k.key().value()), ModelPatterns.of(k.models()),
                k.expiresAt(), k.disabled(), k.metadata(), loadedAt, true, Optional.empty(), k.passthrough(),
                k.limits())).toList();
    }

    public static KeySnapshot snapshot(AuthConfig config, Instant loadedAt) {
        return KeySnapshot.of(tenants(config), keys(config, loadedAt));
    }
}
