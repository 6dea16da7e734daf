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

    /** A new connection: PostgreSQL with short connect and socket timeouts, SQLite waiting out a busy file. */
    public static Connection open(StoreLocation location) throws SQLException {
        Properties props = new Properties();
        location.user().ifPresent(u -> props.setProperty("user", u));
        location.password().ifPresent(p -> props.setProperty("password", p.value()));
        location.schema().ifPresent(s -> props.setProperty("currentSchema", s));
        if (location.kind() == StoreLocation.Kind.POSTGRESQL) {
            props.setProperty("connectTimeout", "5");
            props.setProperty("socketTimeout", "10");
            props.setProperty("ApplicationName", "rosetta");
        }
        Connection connection = DriverManager.getConnection(location.jdbcUrl(), props);
        if (location.kind() == StoreLocation.Kind.SQLITE) {
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
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
