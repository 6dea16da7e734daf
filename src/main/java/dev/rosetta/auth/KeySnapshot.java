package dev.rosetta.auth;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every tenant and key at one moment, immutable, indexed by key hash: what the admit stage reads on
 * every request, so the hot path never touches a database. A change builds a new snapshot and
 * {@link KeyRing} swaps it in whole; a request keeps the snapshot it started with.
 */
public final class KeySnapshot {

    /**
     * A key with its tenant and the principal it admits, resolved once when the snapshot is built.
     *
     * @param retiredAt for a rotated key's previous secret: when it stops working
     */
    public record Entry(ApiKey key, Tenant tenant, Principal principal, Optional<java.time.Instant> retiredAt) {
    }

    private final Map<String, Tenant> tenants;
    private final Map<String, Entry> byHash;
    private final List<ApiKey> keys;

    private KeySnapshot(Map<String, Tenant> tenants, Map<String, Entry> byHash, List<ApiKey> keys) {
        this.tenants = tenants;
        this.byHash = byHash;
        this.keys = keys;
    }

    /**
     * @throws IllegalArgumentException if a key names a tenant that is not given or two keys share a hash
     */
    public static KeySnapshot of(Collection<Tenant> tenants, Collection<ApiKey> keys) {
        Map<String, Tenant> byName = new HashMap<>();
        tenants.forEach(t -> byName.put(t.name(), t));
        Map<String, Entry> byHash = new HashMap<>();
        for (ApiKey k : keys) {
            Tenant t = byName.get(k.tenant());
            if (t == null) {
                throw new IllegalArgumentException("key " + k.id() + " names unknown tenant " + k.tenant());
            }
            Principal p = new Principal(t.name(), k.id(), k.name(), t.models(), k.models(),
                    t.passthrough() && k.passthrough(), t.limits(), k.limits());
            if (byHash.putIfAbsent(k.hash(), new Entry(k, t, p, Optional.empty())) != null) {
                throw new IllegalArgumentException("key " + k.id() + " has the same secret as another key");
            }
            k.previous().ifPresent(prev -> byHash.putIfAbsent(prev.hash(), new Entry(k, t, p, Optional.of(prev.until()))));
        }
        return new KeySnapshot(Map.copyOf(byName), Map.copyOf(byHash), List.copyOf(keys));
    }

    public static KeySnapshot empty() {
        return of(List.of(), List.of());
    }

    /** The key whose secret hashes to {@code hash} (see {@link KeySecret#hash}). */
    public Optional<Entry> byHash(String hash) {
        return Optional.ofNullable(byHash.get(hash));
    }

    public Optional<Tenant> tenant(String name) {
        return Optional.ofNullable(tenants.get(name));
    }

    public Collection<Tenant> tenants() {
        return tenants.values();
    }

    public List<ApiKey> keys() {
        return keys;
    }
}
