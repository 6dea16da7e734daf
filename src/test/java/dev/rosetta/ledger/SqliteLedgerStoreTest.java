package dev.rosetta.ledger;

import dev.rosetta.config.StoreLocation;
import java.util.Optional;
import java.util.UUID;

class SqliteLedgerStoreTest extends LedgerStoreContract {

    @Override
    protected StoreLocation freshLocation() {
        return new StoreLocation(StoreLocation.Kind.SQLITE, "jdbc:sqlite:file:ledger-" + UUID.randomUUID()
                + "?mode=memory&cache=shared", Optional.empty(), Optional.empty(), Optional.empty());
    }
}
