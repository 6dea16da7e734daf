package dev.rosetta.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.auth.ApiKey;
import dev.rosetta.auth.ModelPatterns;
import dev.rosetta.auth.Tenant;
import dev.rosetta.config.LimitsReader;
import dev.rosetta.config.StoreLocation;
import dev.rosetta.limits.LimitPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store over JDBC, for SQLite and PostgreSQL alike: the schema and every statement are portable
 * (see {@code db/rosetta/V1__tenants_keys_audit.sql}), so the two differ only in how a connection is
 * opened. Plain JDBC rather than the Vert.x PostgreSQL client: Flyway needs JDBC anyway, one code path
 * serves both databases, and nothing here is on the request path, so a non-blocking driver would buy
 * nothing.
 *
 * <p>Implementation notes: one connection, opened lazily and reopened after a failure; used from one
 * thread ({@link StoreThread}), so no pool and no locking. Each change runs in one transaction with
 * its audit row and the version increment.
 */
public final class JdbcKeyStore implements KeyStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> LIST = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() { };

    private final StoreLocation location;
    private final JdbcSession session;

    public JdbcKeyStore(StoreLocation location) {
        this.location = location;
        this.session = new JdbcSession(location, "store", JdbcSession.AfterFailure.CLOSE);
    }

    @Override
    public void migrate() {
        try {
            session.connection(); // first, so that an in-memory SQLite database outlives the migrations' connection
        } catch (SQLException e) {
            close();
            throw new StoreException("cannot open the store at " + location.display() + ": " + e.getMessage(), e);
        }
        StoreConnections.migrate(location);
    }

    @Override
    public long version() {
        return session.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM rosetta_version WHERE id = 1")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public Contents load() {
        return session.transaction(c -> {
            long version;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM rosetta_version WHERE id = 1")) {
                rs.next();
                version = rs.getLong(1);
            }
            List<Tenant> tenants = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT name, models, metadata, disabled, passthrough, limits, budget FROM rosetta_tenants ORDER BY name")) {
                while (rs.next()) {
                    tenants.add(tenant(rs));
                }
            }
            List<ApiKey> keys = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(KEY_SELECT + " ORDER BY created_at, id")) {
                while (rs.next()) {
                    keys.add(key(rs));
                }
            }
            return new Contents(version, tenants, keys);
        });
    }

    @Override
    public Optional<Tenant> tenant(String name) {
        return session.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT name, models, metadata, disabled, passthrough, limits, budget FROM rosetta_tenants WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(tenant(rs)) : Optional.<Tenant>empty();
                }
            }
        });
    }

    @Override
    public void createTenant(Tenant t, AuditEvent audit) {
        change(audit, c -> {
            if (tenantExists(c, t.name())) {
                throw new StoreException.Conflict("tenant \"" + t.name() + "\" already exists");
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO rosetta_tenants"
                    + " (name, models, metadata, disabled, created_at, updated_at, passthrough) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setBoolean(7, t.passthrough());
                s.setString(1, t.name());
                setModels(s, 2, t.models());
                s.setString(3, json(t.metadata()));
                s.setBoolean(4, t.disabled());
                s.setLong(5, audit.at().toEpochMilli());
                s.setLong(6, audit.at().toEpochMilli());
                s.executeUpdate();
            }
            setLimits(c, "rosetta_tenants", "name", t.name(), t.limits());
            return true;
        });
    }

    @Override
    public boolean updateTenant(Tenant t, AuditEvent audit) {
        return change(audit, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE rosetta_tenants SET models = ?, metadata = ?, disabled = ?, updated_at = ?, passthrough = ?"
                            + " WHERE name = ?")) {
                setModels(s, 1, t.models());
                s.setString(2, json(t.metadata()));
                s.setBoolean(3, t.disabled());
                s.setLong(4, audit.at().toEpochMilli());
                s.setBoolean(5, t.passthrough());
                s.setString(6, t.name());
                return s.executeUpdate() == 1 && setLimits(c, "rosetta_tenants", "name", t.name(), t.limits());
            }
        });
    }

    @Override
    public boolean deleteTenant(String name, AuditEvent audit) {
        return change(audit, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM rosetta_keys WHERE tenant = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        throw new StoreException.Conflict("tenant \"" + name + "\" still has " + rs.getLong(1)
                                + " key(s); revoke them first");
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM rosetta_tenants WHERE name = ?")) {
                s.setString(1, name);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<ApiKey> key(String id) {
        return session.read(c -> {
            try (PreparedStatement s = c.prepareStatement(KEY_SELECT + " WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(key(rs)) : Optional.<ApiKey>empty();
                }
            }
        });
    }

    @Override
    public void createKey(ApiKey k, AuditEvent audit) {
        change(audit, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM rosetta_keys WHERE id = ? OR hash = ?"
                    + " OR previous_hash = ?")) {
                s.setString(1, k.id());
                s.setString(2, k.hash());
                s.setString(3, k.hash());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        throw new StoreException.Conflict("key " + k.id() + " or its secret already exists");
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO rosetta_keys (id, name, tenant, prefix, hash,"
                    + " models, expires_at, disabled, metadata, created_at, previous_hash, previous_until, passthrough)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setBoolean(13, k.passthrough());
                s.setString(1, k.id());
                s.setString(2, k.name());
                s.setString(3, k.tenant());
                s.setString(4, k.prefix());
                s.setString(5, k.hash());
                setModels(s, 6, k.models());
                setInstant(s, 7, k.expiresAt());
                s.setBoolean(8, k.disabled());
                s.setString(9, json(k.metadata()));
                s.setLong(10, k.createdAt().toEpochMilli());
                setPrevious(s, 11, k.previous());
                s.executeUpdate();
            }
            setLimits(c, "rosetta_keys", "id", k.id(), k.limits());
            return true;
        });
    }

    @Override
    public boolean updateKey(ApiKey k, AuditEvent audit) {
        return change(audit, c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE rosetta_keys SET name = ?, tenant = ?, prefix = ?,"
                    + " hash = ?, models = ?, expires_at = ?, disabled = ?, metadata = ?, previous_hash = ?,"
                    + " previous_until = ?, passthrough = ? WHERE id = ?")) {
                s.setBoolean(11, k.passthrough());
                s.setString(1, k.name());
                s.setString(2, k.tenant());
                s.setString(3, k.prefix());
                s.setString(4, k.hash());
                setModels(s, 5, k.models());
                setInstant(s, 6, k.expiresAt());
                s.setBoolean(7, k.disabled());
                s.setString(8, json(k.metadata()));
                setPrevious(s, 9, k.previous());
                s.setString(12, k.id());
                return s.executeUpdate() == 1 && setLimits(c, "rosetta_keys", "id", k.id(), k.limits());
            }
        });
    }

    @Override
    public boolean deleteKey(String id, AuditEvent audit) {
        return change(audit, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM rosetta_keys WHERE id = ?")) {
                s.setString(1, id);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void touch(Map<String, Long> lastUsed) {
        if (lastUsed.isEmpty()) {
            return;
        }
        session.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE rosetta_keys SET last_used_at = ? WHERE id = ?"
                    + " AND (last_used_at IS NULL OR last_used_at < ?)")) {
                for (Map.Entry<String, Long> e : lastUsed.entrySet()) {
                    s.setLong(1, e.getValue());
                    s.setString(2, e.getKey());
                    s.setLong(3, e.getValue());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    @Override
    public Map<String, Long> lastUsed() {
        return session.read(c -> {
            Map<String, Long> out = new java.util.HashMap<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT id, last_used_at FROM rosetta_keys WHERE last_used_at IS NOT NULL")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    @Override
    public List<AuditEvent> audit(int limit) {
        return session.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, at, actor, action, entity_type, entity_id, detail"
                    + " FROM rosetta_audit ORDER BY at DESC, id DESC LIMIT ?")) {
                s.setInt(1, limit);
                List<AuditEvent> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AuditEvent(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void close() {
        session.close();
    }

    // ---------------------------------------------------------------- plumbing

    private static final String KEY_SELECT = "SELECT id, name, tenant, prefix, hash, models, expires_at, disabled,"
            + " metadata, created_at, previous_hash, previous_until, passthrough, limits, budget FROM rosetta_keys";

    /** Runs {@code work}; if it changed anything, writes the audit row and bumps the version, all in one transaction. */
    private boolean change(AuditEvent audit, JdbcSession.Work<Boolean> work) {
        return session.transaction(c -> {
            boolean changed = work.run(c);
            if (changed) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO rosetta_audit"
                        + " (id, at, actor, action, entity_type, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    s.setString(1, audit.id());
                    s.setLong(2, audit.at().toEpochMilli());
                    s.setString(3, audit.actor());
                    s.setString(4, audit.action());
                    s.setString(5, audit.entityType());
                    s.setString(6, audit.entityId());
                    s.setString(7, audit.detail());
                    s.executeUpdate();
                }
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE rosetta_version SET version = version + 1 WHERE id = 1");
                }
            }
            return changed;
        });
    }

    private static boolean tenantExists(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM rosetta_tenants WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Tenant tenant(ResultSet rs) throws SQLException {
        return new Tenant(rs.getString(1), models(rs.getString(2)), map(rs.getString(3)), rs.getBoolean(4), false,
                rs.getBoolean(5), limits(rs.getString(6), rs.getString(7)));
    }

    private static ApiKey key(ResultSet rs) throws SQLException {
        long expires = rs.getLong(7);
        Optional<Instant> expiresAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expires));
        String previousHash = rs.getString(11);
        long until = rs.getLong(12);
        Optional<ApiKey.Previous> previous = previousHash == null ? Optional.empty()
                : Optional.of(new ApiKey.Previous(previousHash.trim(), Instant.ofEpochMilli(until)));
        return new ApiKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5).trim(),
                models(rs.getString(6)), expiresAt, rs.getBoolean(8), map(rs.getString(9)),
                Instant.ofEpochMilli(rs.getLong(10)), false, previous, rs.getBoolean(13), limits(rs.getString(14), rs.getString(15)));
    }

    private static void setModels(PreparedStatement s, int i, ModelPatterns models) throws SQLException {
        if (models.patterns().isEmpty()) {
            s.setNull(i, Types.VARCHAR);
        } else {
            s.setString(i, json(models.patterns().get()));
        }
    }

    private static void setInstant(PreparedStatement s, int i, Optional<Instant> t) throws SQLException {
        if (t.isEmpty()) {
            s.setNull(i, Types.BIGINT);
        } else {
            s.setLong(i, t.get().toEpochMilli());
        }
    }

    private static void setPrevious(PreparedStatement s, int i, Optional<ApiKey.Previous> p) throws SQLException {
        if (p.isEmpty()) {
            s.setNull(i, Types.VARCHAR);
            s.setNull(i + 1, Types.BIGINT);
        } else {
            s.setString(i, p.get().hash());
            s.setLong(i + 1, p.get().until().toEpochMilli());
        }
    }

    /**
     * Writes the limits and budget columns of one row; a statement of its own, in the caller's
     * transaction.
     */
    private static boolean setLimits(Connection c, String table, String idColumn, String id, LimitPolicy limits)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET limits = ?, budget = ? WHERE "
                + idColumn + " = ?")) {
            var json = LimitsReader.toJson(limits);
            var budget = json.remove("budget");
            if (json.isEmpty()) {
                s.setNull(1, Types.VARCHAR);
            } else {
                s.setString(1, json.toString());
            }
            if (budget == null) {
                s.setNull(2, Types.VARCHAR);
            } else {
                s.setString(2, budget.toString());
            }
            s.setString(3, id);
            return s.executeUpdate() == 1;
        }
    }

    private static LimitPolicy limits(String json, String budget) {
        if (json == null && budget == null) {
            return LimitPolicy.NONE;
        }
        try {
            List<String> problems = new ArrayList<>();
            com.fasterxml.jackson.databind.node.ObjectNode node = json == null ? JSON.createObjectNode()
                    : (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(json);
            if (budget != null) {
                node.set("budget", JSON.readTree(budget));
            }
            LimitPolicy p = LimitsReader.policy(node, "", problems::add);
            if (!problems.isEmpty()) {
                throw new StoreException("unreadable limits column: " + problems);
            }
            return p;
        } catch (JsonProcessingException e) {
            throw new StoreException("unreadable limits column: " + e.getOriginalMessage());
        }
    }

    private static ModelPatterns models(String json) {
        if (json == null) {
            return ModelPatterns.ALL;
        }
        try {
            return ModelPatterns.of(JSON.readValue(json, LIST));
        } catch (JsonProcessingException e) {
            throw new StoreException("unreadable models column: " + e.getOriginalMessage());
        }
    }

    private static Map<String, String> map(String json) {
        try {
            return JSON.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new StoreException("unreadable metadata column: " + e.getOriginalMessage());
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
