package dev.rosetta.auth;

import dev.rosetta.limits.LimitPolicy;
import java.util.Objects;

/**
 * Who a request is from, as the admit stage established it: the tenant, the key it presented (by id
 * and name, never its secret) and what it may use. Later stages (limits, budgets, the ledger) attach
 * to the tenant and key named here.
 *
 * @param tenantModels the tenant's allow-list
 * @param keyModels the key's own allow-list, which can only narrow the tenant's
 * @param passthrough whether it may use the provider APIs passed through without naming a model
 *        ({@link Tenant#passthrough} narrowed by {@link ApiKey#passthrough})
 * @param tenantLimits what the tenant's keys together may take
 * @param keyLimits what this key may take
 */
public record Principal(String tenant, String keyId, String keyName, ModelPatterns tenantModels,
                        ModelPatterns keyModels, boolean passthrough, LimitPolicy tenantLimits,
                        LimitPolicy keyLimits) {

    /** Every request with {@code auth: none}: no tenant, no key, every model, every API. */
    public static final Principal ANONYMOUS = new Principal("", "", "", ModelPatterns.ALL, ModelPatterns.ALL, true);

    public Principal(String tenant, String keyId, String keyName, ModelPatterns tenantModels, ModelPatterns keyModels) {
        this(tenant, keyId, keyName, tenantModels, keyModels, true);
    }

    public Principal(String tenant, String keyId, String keyName, ModelPatterns tenantModels, ModelPatterns keyModels,
                     boolean passthrough) {
        this(tenant, keyId, keyName, tenantModels, keyModels, passthrough, LimitPolicy.NONE, LimitPolicy.NONE);
    }

    public Principal {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(keyName, "keyName");
        Objects.requireNonNull(tenantModels, "tenantModels");
        Objects.requireNonNull(keyModels, "keyModels");
        Objects.requireNonNull(tenantLimits, "tenantLimits");
        Objects.requireNonNull(keyLimits, "keyLimits");
    }

    public boolean anonymous() {
        return keyId.isEmpty();
    }

    public boolean mayUse(String model) {
        return tenantModels.allows(model) && keyModels.allows(model);
    }
}
