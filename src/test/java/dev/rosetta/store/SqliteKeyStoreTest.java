package dev.rosetta.store;

import dev.rosetta.config.StoreLocation;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite: a file per test, as {@code store: sqlite:PATH} gives. */
class SqliteKeyStoreTest extends KeyStoreContract {

    @TempDir
    Path dir;

    @Override
    protected StoreLocation freshLocation() {
        return new StoreLocation(StoreLocation.Kind.SQLITE, "jdbc:sqlite:" + dir.resolve(UUID.randomUUID() + ".db"),
                Optional.empty(), Optional.empty(), Optional.empty());
    }
}
