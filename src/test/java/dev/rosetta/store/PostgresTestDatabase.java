package dev.rosetta.store;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL the store tests run against: {@code ROSETTA_TEST_PG} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test}) as {@code ROSETTA_TEST_PG_USER} (default
 * {@code postgres}), trust auth. Without a server, tests that need it are skipped saying how to run
 * them, except in CI ({@code CI=true}), where they fail: there they must run.
 */
public final class PostgresTestDatabase {

    public static final String URL = Optional.ofNullable(System.getenv("ROSETTA_TEST_PG"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = Optional.ofNullable(System.getenv("ROSETTA_TEST_PG_USER")).orElse("postgres");
    private static String unavailable;

    private PostgresTestDatabase() {
    }

    /** Skips (or under CI fails) the calling test when PostgreSQL does not answer. */
    public static synchronized void require() {
        if (unavailable == null) {
            try (Connection c = connect()) {
                c.isValid(2);
                unavailable = "";
            } catch (SQLException e) {
                unavailable = "PostgreSQL is not answering at " + URL + " as " + USER + " (" + e.getMessage() + ")."
                        + " To run these tests start one with trust auth and a database named test (e.g. pg_ctlcluster"
                        + " --skip-systemctl-redirect $(ls /etc/postgresql) main start), or point ROSETTA_TEST_PG and"
                        + " ROSETTA_TEST_PG_USER at one.";
            }
        }
        if (unavailable.isEmpty()) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true: the PostgreSQL tests must run. " + unavailable);
        }
        Assumptions.abort(unavailable);
    }

    public static String freshSchema() {
        return "rosetta_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /**
     * Drops {@code schema} with everything in it. Some tests drop it under running gateways (the store going
     * away); a query of theirs taking its locks in another order can make PostgreSQL pick the drop as a
     * deadlock's victim (SQLSTATE 40P01), and then the drop is tried again.
     */
    public static void drop(String schema) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                return;
            } catch (SQLException e) {
                if (!"40P01".equals(e.getSQLState()) || attempt == 10) {
                    throw new IllegalStateException("could not drop the test schema " + schema, e);
                }
            }
            try {
                Thread.sleep(20L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted dropping the test schema " + schema, e);
            }
        }
    }

    private static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("connectTimeout", "3");
        return DriverManager.getConnection(URL, p);
    }
}
