package dev.rosetta.store;

import dev.rosetta.config.StoreLocation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.flywaydb.core.Flyway;

/**
 * Opening a JDBC connection to the store and migrating its schema: shared by the key store and the
 * ledger, which keep a connection each (each on its own thread).
 */
public final class StoreConnections {

    private StoreConnections() {
    }

    /**
     * A new connection: PostgreSQL with short connect and socket timeouts and batched inserts sent as
     * multi-row statements; SQLite waiting out a busy file, in WAL mode with {@code synchronous=NORMAL}.
     *
     * <p>WAL with {@code NORMAL}: a commit appends to the write-ahead log without an fsync (the log is
     * synced at checkpoints), so a transaction costs a few page writes instead of two fsyncs and a
     * rewritten journal. What is committed survives the process being killed; a power cut or a kernel
     * crash can lose the last commits before the next checkpoint. docs/ledger.md states the trade-off.
     */
    public static Connection open(StoreLocation location) throws SQLException {
        Properties props = new Properties();
        location.user().ifPresent(u -> props.setProperty("user", u));
        location.password().ifPresent(p -> props.setProperty("password", p.value()));
        location.schema().ifPresent(s -> props.setProperty("currentSchema", s));
        if (location.kind() == StoreLocation.Kind.POSTGRESQL) {
            props.setProperty("connectTimeout", "5");
            props.setProperty("socketTimeout", "10");
            props.setProperty("ApplicationName", "rosetta");
            props.setProperty("reWriteBatchedInserts", "true");
        }
        Connection connection = DriverManager.getConnection(location.jdbcUrl(), props);
        if (location.kind() == StoreLocation.Kind.SQLITE) {
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
                if (!location.jdbcUrl().contains("mode=memory")) {
                    s.execute("PRAGMA journal_mode = WAL");
                }
                s.execute("PRAGMA synchronous = NORMAL");
            }
        }
        return connection;
    }

    /**
     * Runs the migrations in {@code db/rosetta} (one set for both databases). For an in-memory SQLite
     * database, hold a connection open first, or the database vanishes with Flyway's.
     */
    public static void migrate(StoreLocation location) {
        var flyway = Flyway.configure(StoreConnections.class.getClassLoader())
                .dataSource(location.jdbcUrl(), location.user().orElse(null),
                        location.password().map(p -> p.value()).orElse(null))
                .locations("classpath:db/rosetta")
                .table("rosetta_schema_history")
                .failOnMissingLocations(true);
        location.schema().ifPresent(s -> flyway.schemas(s).createSchemas(true));
        try {
            flyway.load().migrate();
        } catch (RuntimeException e) {
            throw new StoreException("cannot migrate the store at " + location.display() + ": " + e.getMessage(), e);
        }
    }
}
