package dev.rosetta.ledger;

import dev.rosetta.config.StoreLocation;
import dev.rosetta.store.PostgresTestDatabase;
import java.util.Optional;

/** The ledger contract on the real PostgreSQL, a schema per test. */
class PostgresLedgerStoreTest extends LedgerStoreContract {

    @Override
    protected StoreLocation freshLocation() {
        PostgresTestDatabase.require();
        return new StoreLocation(StoreLocation.Kind.POSTGRESQL, PostgresTestDatabase.URL,
                Optional.of(PostgresTestDatabase.USER), Optional.empty(), Optional.of(PostgresTestDatabase.freshSchema()));
    }

    @Override
    protected void dropLocation(StoreLocation location) {
        PostgresTestDatabase.drop(location.schema().orElseThrow());
    }
}
