package dev.rosetta.store;

import dev.rosetta.config.StoreLocation;
import java.util.Optional;

/**
 * The store contract on a real PostgreSQL ({@link PostgresTestDatabase}); each test gets a schema of
 * its own, dropped after.
 */
class PostgresKeyStoreTest extends KeyStoreContract {

    @Override
    protected void requireDatabase() {
        PostgresTestDatabase.require();
    }

    @Override
    protected StoreLocation freshLocation() {
        return new StoreLocation(StoreLocation.Kind.POSTGRESQL, PostgresTestDatabase.URL,
                Optional.of(PostgresTestDatabase.USER), Optional.empty(), Optional.of(PostgresTestDatabase.freshSchema()));
    }

    @Override
    protected void dispose(StoreLocation location) {
        PostgresTestDatabase.drop(location.schema().orElseThrow());
    }
}
