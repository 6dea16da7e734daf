package dev.rosetta.store;

import static org.junit.jupiter.api.Assertions.fail;

import dev.rosetta.config.StoreLocation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on a real PostgreSQL: {@code ROSETTA_TEST_PG} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test}, user {@code postgres}, trust auth). Each test gets a
 * schema of its own, dropped after. Without a server the tests are skipped, saying how to run them,
 * except in CI ({@code CI=true}), where they fail: there they must run.
 */
class PostgresKeyStoreTest extends KeyStoreContract {

    static final String URL = Optional.ofNullable(System.getenv("ROSETTA_TEST_PG"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = Optional.ofNullable(System.getenv("ROSETTA_TEST_PG_USER")).orElse("postgres");

    /** Why PostgreSQL cannot be used, checked once; empty when it can. */
    private static String unavailable;

    @BeforeAll
    static void checkPostgres() {
        try (Connection c = connect()) {
            c.isValid(2);
            unavailable = "";
        } catch (SQLException e) {
            unavailable = "PostgreSQL is not answering at " + URL + " as " + USER + " (" + e.getMessage() + "). To run"
                    + " these tests start one with trust auth and a database named test (e.g. pg_ctlcluster"
                    + " --skip-systemctl-redirect $(ls /etc/postgresql) main start), or point ROSETTA_TEST_PG and"
                    + " ROSETTA_TEST_PG_USER at one.";
        }
    }

    @Override
    protected void requireDatabase() {
        if (unavailable.isEmpty()) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true: the PostgreSQL store tests must run. " + unavailable);
        }
        Assumptions.abort(unavailable);
    }

    private static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("connectTimeout", "3");
        return DriverManager.getConnection(URL, p);
    }

    @Override
    protected StoreLocation freshLocation() {
        String schema = "rosetta_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return new StoreLocation(StoreLocation.Kind.POSTGRESQL, URL, Optional.of(USER), Optional.empty(),
                Optional.of(schema));
    }

    @Override
    protected void dispose(StoreLocation location) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + location.schema().orElseThrow() + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop the test schema " + location.schema().orElseThrow(), e);
        }
    }
}
