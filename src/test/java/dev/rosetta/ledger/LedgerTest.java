package dev.rosetta.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.config.StoreLocation;
import dev.rosetta.model.Usage;
import dev.rosetta.store.StoreConnections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger's writer: batches to the store, the spool while the store is away, replay, flush on close. */
class LedgerTest {

    @TempDir
    Path dir;
    private StoreLocation location;
    private Connection keepAlive;
    private JdbcLedgerStore real;
    private SwitchableStore store;

    @BeforeEach
    void open() throws Exception {
        location = new StoreLocation(StoreLocation.Kind.SQLITE, "jdbc:sqlite:file:ledger-" + UUID.randomUUID()
                + "?mode=memory&cache=shared", Optional.empty(), Optional.empty(), Optional.empty());
        keepAlive = StoreConnections.open(location);
        StoreConnections.migrate(location);
        real = new JdbcLedgerStore(location);
        store = new SwitchableStore(real);
    }

    @AfterEach
    void close() throws Exception {
        real.close();
        keepAlive.close();
    }

    private Ledger ledger(long spoolMax) {
        return new Ledger(store, PriceTable.shippedOnly(), dir.resolve("ledger.spool"), spoolMax, 10_000,
                Duration.ZERO, Duration.ZERO, Clock.systemUTC()).start();
    }

    private static List<LedgerRecord> records(String prefix, int n) {
        List<LedgerRecord> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            out.add(Records.of(prefix + i, now, "acme", "gpt-5", 200, new Usage(i, 1, 2, 2 * i, 0, i % 3), 10L * i));
        }
        return out;
    }

    private List<LedgerRecord> stored() {
        long now = System.currentTimeMillis();
        return real.records(new UsageQuery(now - 3_600_000, now + 3_600_000, List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), 10_000, Optional.empty()));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void storeAwaySpoolsAndReplaysEachRecordExactlyOnce() throws Exception {
        Ledger ledger = ledger(1 << 20);
        List<LedgerRecord> all = records("req_", 300);
        all.subList(0, 100).forEach(ledger::offer);
        await(() -> ledger.written() == 100);
        store.down = true;
        all.subList(100, 200).forEach(ledger::offer);
        await(() -> ledger.spooled() == 100);
        assertThat(ledger.problem()).hasValueSatisfying(p ->
                assertThat(p).contains("ledger store is unavailable").contains("100 records spooled"));
        // the answer to one replayed batch is lost after it committed: replayed again, stored once
        store.commitThenFail.set(1);
        store.down = false;
        all.subList(200, 300).forEach(ledger::offer);
        ledger.close();
        assertThat(stored()).hasSize(300).extracting(LedgerRecord::requestId)
                .containsExactlyInAnyOrderElementsOf(all.stream().map(LedgerRecord::requestId).toList());
        assertThat(ledger.problem()).isEmpty();
        assertThat(ledger.lost()).isZero();
        assertThat(dir.resolve("ledger.spool")).as("an empty spool is deleted on close").doesNotExist();
    }

    @Test
    void aRecordTheStoreRefusesWhileItAnswersIsSetAsideAndTheOthersAreStored() throws Exception {
        Ledger ledger = ledger(1 << 20);
        store.refused.add("req_7"); // a value the database will not take, while it answers
        records("req_", 50).forEach(ledger::offer);
        await(() -> ledger.written() == 49);
        assertThat(stored()).extracting(LedgerRecord::requestId).hasSize(49).doesNotContain("req_7");
        assertThat(ledger.spooled()).as("nothing waits in the spool behind it").isZero();
        assertThat(ledger.problem()).hasValueSatisfying(p ->
                assertThat(p).contains("1 records refused by the store, set aside in"));
        records("late_", 10).forEach(ledger::offer);
        await(() -> ledger.written() == 59);
        ledger.close();
        assertThat(Files.readAllLines(dir.resolve("ledger.spool.refused"))).singleElement().asString().contains("req_7");
        // the next start still says so, until someone deals with the file
        Ledger next = ledger(1 << 20);
        assertThat(next.refused()).isEqualTo(1);
        next.close();
    }

    @Test
    void aRefusedRecordInTheSpoolIsSetAsideOnReplayAndDoesNotKeepTheRestOut() throws Exception {
        Ledger ledger = ledger(1 << 20);
        store.down = true;
        records("req_", 20).forEach(ledger::offer);
        await(() -> ledger.spooled() == 20);
        store.refused.add("req_3");
        store.down = false;
        await(() -> ledger.spooled() == 0);
        assertThat(stored()).extracting(LedgerRecord::requestId).hasSize(19).doesNotContain("req_3");
        assertThat(ledger.written()).isEqualTo(19);
        assertThat(ledger.refused()).isEqualTo(1);
        ledger.close();
    }

    @Test
    void closeFlushesEverythingQueued() {
        Ledger ledger = ledger(1 << 20);
        records("req_", 2000).forEach(ledger::offer);
        ledger.close();
        assertThat(stored()).hasSize(2000);
    }

    @Test
    void closedWhileTheStoreIsAwayTheSpoolKeepsTheRecordsForTheNextStart() {
        store.down = true;
        Ledger first = ledger(1 << 20);
        List<LedgerRecord> spooled = records("req_", 50);
        spooled.forEach(first::offer);
        first.close();
        assertThat(stored()).isEmpty();
        store.down = false;
        Ledger second = ledger(1 << 20);
        second.close();
        // every field survives the spool file, the 1-hour cache writes included
        assertThat(stored()).containsExactlyInAnyOrderElementsOf(spooled);
    }

    @Test
    void aFullSpoolIsCountedAndReportedNeverSilent() throws Exception {
        store.down = true;
        Ledger ledger = ledger(2_000); // room for a few records only
        records("req_", 100).forEach(ledger::offer);
        await(() -> ledger.spooled() + ledger.lost() == 100);
        assertThat(ledger.lost()).isPositive();
        assertThat(ledger.problem()).hasValueSatisfying(p -> assertThat(p).contains(ledger.lost() + " records lost"));
        store.down = false;
        ledger.close();
        assertThat((long) stored().size()).isEqualTo(100 - ledger.lost());
    }

    @Test
    void aLineCutByACrashIsSkippedAndDoesNotSwallowTheNextRecord() throws Exception {
        Path spool = dir.resolve("ledger.spool");
        store.down = true;
        Ledger first = ledger(1 << 20);
        records("a", 3).forEach(first::offer);
        first.close();
        Files.writeString(spool, "[1700000000000,\"cut", java.nio.file.StandardOpenOption.APPEND);
        Ledger second = ledger(1 << 20);
        records("b", 2).forEach(second::offer);
        await(() -> second.spooled() == 6); // three, the cut line, two
        store.down = false;
        second.close();
        assertThat(stored()).extracting(LedgerRecord::requestId).containsExactlyInAnyOrder("a0", "a1", "a2", "b0", "b1");
    }

    @Test
    void recordsOlderThanTheRetentionAreFoldedIntoDailyRollupsByTheWriter() throws Exception {
        long now = System.currentTimeMillis();
        long day = 86_400_000L;
        Ledger ledger = new Ledger(store, PriceTable.shippedOnly(), dir.resolve("ledger.spool"), 1 << 20, 100,
                Duration.ofDays(2), Duration.ZERO, Clock.systemUTC());
        ledger.offer(Records.of("old", now - 5 * day, "acme", "gpt-5", 200, new Usage(10, 0, 0, 5, 0), 70));
        ledger.offer(Records.of("new", now, "acme", "gpt-5", 200, new Usage(1, 0, 0, 1, 0), 3));
        ledger.start().close();
        UsageQuery all = new UsageQuery(now - 10 * day, now + day, List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), 100, Optional.empty());
        assertThat(real.records(all)).extracting(LedgerRecord::requestId).containsExactly("new");
        assertThat(real.aggregate(all)).containsExactly(new UsageRow(java.util.Map.of(), 2, 0, 11, 6, 0, 0, 0, 73, 0, 0));
    }
}
