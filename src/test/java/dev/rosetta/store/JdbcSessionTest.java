package dev.rosetta.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.config.StoreLocation;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store (`store: sqlite::memory:`) is one shared-cache database behind the key store's and the
 * ledger's connections; SQLite locks a table one connection writes against the other, and its busy timeout
 * does not wait for that lock. A statement that meets it waits a moment and is tried again, instead of
 * failing (an admin API change answered 503, the ledger spooling) because the other was writing.
 */
class JdbcSessionTest {

    @Test
    void aWriteThatMeetsTheOtherConnectionsSharedCacheLockWaitsForIt() throws Exception {
        StoreLocation memory = new StoreLocation(StoreLocation.Kind.SQLITE,
                "jdbc:sqlite:file:rosetta-" + UUID.randomUUID() + "?mode=memory&cache=shared",
                Optional.empty(), Optional.empty(), Optional.empty());
        try (JdbcSession keys = new JdbcSession(memory, "key store", JdbcSession.AfterFailure.CLOSE_POSTGRESQL_ONLY);
             JdbcSession ledger = new JdbcSession(memory, "ledger store", JdbcSession.AfterFailure.CLOSE_POSTGRESQL_ONLY)) {
            keys.transaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE t (n INTEGER)");
                }
                return null;
            });
            CountDownLatch holding = new CountDownLatch(1);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> ledger.transaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO t VALUES (1)");
                }
                holding.countDown();
                try {
                    Thread.sleep(60); // the table stays locked until this transaction commits
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
            int rows = keys.transaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO t VALUES (2)");
                    var rs = s.executeQuery("SELECT COUNT(*) FROM t");
                    rs.next();
                    return rs.getInt(1);
                }
            });
            writer.get(5, TimeUnit.SECONDS);
            assertThat(rows).as("the second write waited for the first to commit").isEqualTo(2);
        }
    }
}
