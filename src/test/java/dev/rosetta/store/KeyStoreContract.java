package dev.rosetta.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rosetta.limits.LimitPolicy;
import dev.rosetta.limits.Limits;
import dev.rosetta.auth.ApiKey;
import dev.rosetta.auth.KeyRing;
import dev.rosetta.auth.KeySecret;
import dev.rosetta.auth.KeySnapshot;
import dev.rosetta.auth.ModelPatterns;
import dev.rosetta.auth.Tenant;
import dev.rosetta.config.StoreLocation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KeyStore} promises, run against each implementation by a subclass that says
 * where its database is. Each test starts from a freshly migrated, empty store.
 */
abstract class KeyStoreContract {

    private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
    private static int events;

    /** A location no other test uses, migrated by the test. */
    protected abstract StoreLocation freshLocation();

    /** Drops what {@link #freshLocation} created. */
    protected void dispose(StoreLocation location) {
    }

    private StoreLocation location;
    private KeyStore store;

    /** Aborts (skips) or fails the test when the implementation's database is not there. */
    protected void requireDatabase() {
    }

    @BeforeEach
    void open() {
        requireDatabase();
        location = freshLocation();
        store = new JdbcKeyStore(location);
        store.migrate();
    }

    @AfterEach
    void close() {
        if (store == null) {
            return;
        }
        store.close();
        dispose(location);
    }

    private static AuditEvent audit(String action, String type, String id) {
        return new AuditEvent(String.format("evt_%06d", ++events), T0.plusSeconds(events), "127.0.0.1", action, type, id,
                "{\"n\":" + events + "}");
    }

    private static Tenant tenant(String name) {
        return new Tenant(name, ModelPatterns.of(List.of("gpt-*", "mock-gpt")), Map.of("owner", "search"), false, false);
    }

    private static ApiKey key(String id, String tenant, int seed) {
        String secret = KeySecret.generate(new Random(seed));
        return new ApiKey(id, id + "-name", tenant, KeySecret.visiblePrefix(secret), KeySecret.hash(secret),
                ModelPatterns.ALL, Optional.empty(), false, Map.of(), T0, false);
    }

    @Test
    void aFreshStoreIsEmptyAtVersionZeroAndMigratingAgainChangesNothing() {
        store.migrate();
        KeyStore.Contents c = store.load();
        assertThat(c.version()).isZero();
        assertThat(c.tenants()).isEmpty();
        assertThat(c.keys()).isEmpty();
        assertThat(store.audit(10)).isEmpty();
    }

    @Test
    void tenantsRoundTripAndEveryChangeBumpsTheVersionAndIsAudited() {
        store.createTenant(tenant("team-a"), audit("create", "tenant", "team-a"));
        Tenant open = new Tenant("team-b", ModelPatterns.ALL, Map.of(), false, false);
        store.createTenant(open, audit("create", "tenant", "team-b"));

        assertThat(store.tenant("team-a")).contains(tenant("team-a"));
        assertThat(store.tenant("team-b")).contains(open);
        assertThat(store.tenant("nobody")).isEmpty();
        assertThat(store.version()).isEqualTo(2);

        Tenant changed = new Tenant("team-a", ModelPatterns.of(List.of()), Map.of("x", "y"), true, false, true);
        assertThat(store.updateTenant(changed, audit("update", "tenant", "team-a"))).isTrue();
        assertThat(store.tenant("team-a")).contains(changed);
        assertThat(store.tenant("team-a").orElseThrow().passthrough()).isTrue();
        assertThat(store.tenant("team-b").orElseThrow().passthrough()).isFalse();
        assertThat(store.updateTenant(tenant("nobody"), audit("update", "tenant", "nobody"))).isFalse();
        assertThat(store.version()).isEqualTo(3);

        assertThat(store.deleteTenant("team-b", audit("delete", "tenant", "team-b"))).isTrue();
        assertThat(store.deleteTenant("team-b", audit("delete", "tenant", "team-b"))).isFalse();
        assertThat(store.load().tenants()).containsExactly(changed);
        assertThat(store.version()).isEqualTo(4);
        assertThat(store.audit(10)).extracting(AuditEvent::action).containsExactly("delete", "update", "create", "create");
        assertThat(store.audit(2)).hasSize(2);
    }

    @Test
    void aDuplicateTenantIsAConflictAndChangesNothing() {
        store.createTenant(tenant("team-a"), audit("create", "tenant", "team-a"));
        StoreException.Conflict e = catchThrowableOfType(StoreException.Conflict.class,
                () -> store.createTenant(tenant("team-a"), audit("create", "tenant", "team-a")));
        assertThat(e).hasMessageContaining("already exists");
        assertThat(store.version()).isEqualTo(1);
        assertThat(store.audit(10)).hasSize(1);
    }

    @Test
    void limitsOfTenantsAndKeysRoundTripAndChange() {
        LimitPolicy tenantLimits = new LimitPolicy(new Limits(0, 0, 1_000_000, 8),
                List.of(new LimitPolicy.ModelLimit("gpt-5*", new Limits(30, 0, 0, 0))));
        Tenant t = new Tenant("team-l", ModelPatterns.ALL, Map.of(), false, false, true, tenantLimits);
        store.createTenant(t, audit("create", "tenant", "team-l"));
        ApiKey k = key("key_l", "team-l", 9).withLimits(new LimitPolicy(new Limits(10, 5000, 0, 0), List.of()));
        store.createKey(k, audit("create", "key", "key_l"));

        assertThat(store.tenant("team-l")).contains(t);
        assertThat(store.key("key_l")).contains(k);
        assertThat(store.load().keys()).containsExactly(k);

        ApiKey changed = k.withLimits(new LimitPolicy(Limits.NONE,
                List.of(new LimitPolicy.ModelLimit("o3", new Limits(0, 0, 0, 2)))));
        assertThat(store.updateKey(changed, audit("update", "key", "key_l"))).isTrue();
        assertThat(store.key("key_l")).contains(changed);
        ApiKey cleared = k.withLimits(LimitPolicy.NONE);
        assertThat(store.updateKey(cleared, audit("update", "key", "key_l"))).isTrue();
        assertThat(store.key("key_l").orElseThrow().limits()).isEqualTo(LimitPolicy.NONE);
        Tenant open = new Tenant("team-l", ModelPatterns.ALL, Map.of(), false, false);
        assertThat(store.updateTenant(open, audit("update", "tenant", "team-l"))).isTrue();
        assertThat(store.tenant("team-l")).contains(open);
    }

    @Test
    void keysRoundTripWithoutTheirSecrets() {
        store.createTenant(tenant("team-a"), audit("create", "tenant", "team-a"));
        ApiKey k = key("key_1", "team-a", 1);
        ApiKey rich = new ApiKey("key_2", "ci", "team-a", "rk-abcdefgh", KeySecret.hash(KeySecret.generate(new Random(2))),
                ModelPatterns.of(List.of("gpt-4o")), Optional.of(Instant.parse("2027-01-01T00:00:00Z")), true,
                Map.of("owner", "ci"), T0, false,
                Optional.of(new ApiKey.Previous(KeySecret.hash(KeySecret.generate(new Random(3))), T0.plusSeconds(3600))));
        store.createKey(k, audit("create", "key", "key_1"));
        store.createKey(rich, audit("create", "key", "key_2"));

        assertThat(store.key("key_1")).contains(k);
        assertThat(store.key("key_2")).contains(rich);
        assertThat(store.load().keys()).containsExactly(k, rich);

        ApiKey disabled = new ApiKey("key_1", "renamed", "team-a", k.prefix(), k.hash(), ModelPatterns.of(List.of("mock-gpt")),
                Optional.of(T0), true, Map.of("a", "b"), T0, false).withPassthrough(false);
        assertThat(store.updateKey(disabled, audit("update", "key", "key_1"))).isTrue();
        assertThat(store.key("key_1")).contains(disabled);
        assertThat(store.key("key_1").orElseThrow().passthrough()).isFalse();
        assertThat(store.deleteKey("key_2", audit("delete", "key", "key_2"))).isTrue();
        assertThat(store.key("key_2")).isEmpty();
        assertThat(store.deleteKey("key_2", audit("delete", "key", "key_2"))).isFalse();
        assertThat(store.version()).isEqualTo(5);
    }

    @Test
    void aKeyWhoseIdOrSecretIsTakenIsAConflict() {
        store.createTenant(tenant("team-a"), audit("create", "tenant", "team-a"));
        store.createKey(key("key_1", "team-a", 1), audit("create", "key", "key_1"));
        catchThrowableOfType(StoreException.Conflict.class,
                () -> store.createKey(key("key_1", "team-a", 9), audit("create", "key", "key_1")));
        catchThrowableOfType(StoreException.Conflict.class,
                () -> store.createKey(key("key_9", "team-a", 1), audit("create", "key", "key_9")));
        assertThat(store.load().keys()).hasSize(1);
        assertThat(store.version()).isEqualTo(2);
    }

    @Test
    void useTimesKeepTheLatestAndAreNotChanges() {
        store.createTenant(tenant("team-a"), audit("create", "tenant", "team-a"));
        store.createKey(key("key_1", "team-a", 1), audit("create", "key", "key_1"));
        store.createKey(key("key_2", "team-a", 2), audit("create", "key", "key_2"));
        long version = store.version();

        store.touch(Map.of("key_1", 5_000L, "cfg_declared", 9_000L));
        store.touch(Map.of("key_1", 4_000L));
        assertThat(store.lastUsed()).isEqualTo(Map.of("key_1", 5_000L));
        store.touch(Map.of("key_1", 6_000L, "key_2", 1_000L));
        assertThat(store.lastUsed()).isEqualTo(Map.of("key_1", 6_000L, "key_2", 1_000L));
        assertThat(store.version()).isEqualTo(version);
        assertThat(store.audit(10)).hasSize(3);
    }

    @Test
    void keyUseNotedByTheAdmitStageIsWrittenInOneBatch() throws Exception {
        store.createTenant(tenant("team-a"), audit("create", "tenant", "team-a"));
        store.createKey(key("key_1", "team-a", 1), audit("create", "key", "key_1"));
        dev.rosetta.auth.LastUse lastUse = new dev.rosetta.auth.LastUse();
        KeyStore other = new JdbcKeyStore(location);
        try (StoreThread thread = new StoreThread(other)) {
            SnapshotSync sync = new SnapshotSync(thread, other, new KeyRing(), List.of(), List.of(), lastUse);
            lastUse.used("key_1", 7_000L);
            lastUse.used("key_1", 7_500L); // within a second of the last: not noted again
            thread.call(s -> {
                sync.flushLastUse();
                return null;
            }).get(30, TimeUnit.SECONDS);
            assertThat(store.lastUsed()).isEqualTo(Map.of("key_1", 7_000L));
            assertThat(lastUse.drain()).isEmpty();
            assertThat(lastUse.latest()).isEqualTo(Map.of("key_1", 7_000L));
        }
    }

    @Test
    void aTenantWithKeysCannotBeDeleted() {
        store.createTenant(tenant("team-a"), audit("create", "tenant", "team-a"));
        store.createKey(key("key_1", "team-a", 1), audit("create", "key", "key_1"));
        StoreException.Conflict e = catchThrowableOfType(StoreException.Conflict.class,
                () -> store.deleteTenant("team-a", audit("delete", "tenant", "team-a")));
        assertThat(e).hasMessageContaining("still has 1 key(s)");
        assertThat(store.tenant("team-a")).isPresent();
    }

    @Test
    void aChangeThroughOneReplicaReachesAnothersSnapshot() throws Exception {
        KeyStore other = new JdbcKeyStore(location);
        KeyRing ring = new KeyRing();
        Tenant declared = new Tenant("declared", ModelPatterns.ALL, Map.of(), false, true);
        try (StoreThread thread = new StoreThread(other)) {
            SnapshotSync sync = new SnapshotSync(thread, other, ring, List.of(declared), List.of());
            assertThat(sync.start(3_600_000).get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(ring.current().map(KeySnapshot::tenants).orElseThrow()).containsExactly(declared);

            store.createTenant(tenant("team-a"), audit("create", "tenant", "team-a"));
            ApiKey k = key("key_1", "team-a", 1);
            store.createKey(k, audit("create", "key", "key_1"));
            ApiKey onDeclared = key("key_2", "declared", 2);
            store.createKey(onDeclared, audit("create", "key", "key_2"));
            sync.refresh().get(30, TimeUnit.SECONDS);

            KeySnapshot seen = ring.current().orElseThrow();
            assertThat(seen.byHash(k.hash())).hasValueSatisfying(e -> assertThat(e.principal().tenant()).isEqualTo("team-a"));
            assertThat(seen.byHash(onDeclared.hash())).isPresent();
            assertThat(seen.tenant("declared")).contains(declared);

            store.deleteKey("key_1", audit("delete", "key", "key_1"));
            sync.refresh().get(30, TimeUnit.SECONDS);
            assertThat(ring.current().orElseThrow().byHash(k.hash())).isEmpty();
            assertThat(sync.healthy()).isTrue();
        }
    }
}
