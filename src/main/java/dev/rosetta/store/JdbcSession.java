package dev.rosetta.store;

import dev.rosetta.config.StoreLocation;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One JDBC connection to the store, opened lazily and reopened after a failure, with statements run on it
 * either autocommitted ({@link #read}) or in one transaction ({@link #transaction}); a failure becomes a
 * {@link StoreException} whose message starts with this session's name. The key store and the ledger keep
 * one each. Not thread-safe: each owner uses its session from one thread.
 */
public final class JdbcSession implements AutoCloseable {

    /** Statements run on the session's connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** What becomes of the connection after a failed statement. */
    public enum AfterFailure {
        /** Closed, so the next call reconnects. */
        CLOSE,
        /**
         * Closed only for PostgreSQL. A SQLite connection is kept: its failures are not the network's (a lock
         * held by another connection, say), and an in-memory database lives only while a connection to it is open.
         */
        CLOSE_POSTGRESQL_ONLY
    }

    private final StoreLocation location;
    private final String name;
    private final AfterFailure afterFailure;
    private Connection connection;

    /** {@code name} starts the messages of the exceptions thrown, before the location ("ledger store", say). */
    public JdbcSession(StoreLocation location, String name, AfterFailure afterFailure) {
        this.location = location;
        this.name = name;
        this.afterFailure = afterFailure;
    }

    /** The connection, opened if there is none or it was closed. */
    public Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = StoreConnections.open(location);
        }
        return connection;
    }

    /** Runs {@code work} with autocommit on; only an {@link SQLException} counts as the connection's failure. */
    public <T> T read(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                Connection c = connection();
                c.setAutoCommit(true);
                return work.run(c);
            } catch (SQLException e) {
                if (lockedBriefly(e, attempt)) {
                    continue;
                }
                afterFailure();
                throw new StoreException(name + " " + location.display() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Whether {@code e} is SQLite's shared-cache table lock (an in-memory database shared by the key store's
     * and the ledger's connections: a table one of them is writing is locked for the other), which SQLite's
     * busy timeout does not wait for; then this waits a moment and the statement is tried again, for
     * {@link #LOCKED_TRIES} tries at most. The caller is a store's own thread, never an event loop.
     */
    private boolean lockedBriefly(Exception e, int attempt) {
        if (location.kind() != StoreLocation.Kind.SQLITE || attempt >= LOCKED_TRIES
                || !String.valueOf(e.getMessage()).contains("SQLITE_LOCKED")) {
            return false;
        }
        try {
            Thread.sleep(2);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    /** Tries of a statement that met a shared-cache lock: about 200 ms of waiting in all. */
    private static final int LOCKED_TRIES = 100;

    /**
     * Runs {@code work} in one transaction, rolled back on any failure. A {@link StoreException} thrown by the
     * work itself (a conflict, say) is rethrown as it is and keeps the connection, which did not fail.
     */
    public <T> T transaction(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            Connection c = null;
            try {
                c = connection();
                c.setAutoCommit(false);
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                if (c != null) {
                    try {
                        c.rollback();
                    } catch (SQLException ignored) {
                        // the connection is gone; the transaction went with it
                    }
                }
                if (e instanceof StoreException se) {
                    throw se;
                }
                if (e instanceof SQLException && lockedBriefly(e, attempt)) {
                    continue;
                }
                afterFailure();
                throw new StoreException(name + " " + location.display() + ": " + e.getMessage(), e);
            }
        }
    }

    private void afterFailure() {
        if (afterFailure == AfterFailure.CLOSE || location.kind() == StoreLocation.Kind.POSTGRESQL) {
            close();
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a connection that failed: nothing left to release
            }
            connection = null;
        }
    }
}
