package dev.rosetta.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.rosetta.config.StoreLocation;
import dev.rosetta.model.Usage;
import dev.rosetta.store.StoreConnections;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link LedgerStore} promises, run against SQLite and PostgreSQL by subclasses. */
abstract class LedgerStoreContract {

    static final long DAY = 86_400_000L;
    static final long T0 = 20_000 * DAY; // 2024-10-04T00:00Z

    protected abstract StoreLocation freshLocation();

    protected void dropLocation(StoreLocation location) {
    }

    protected StoreLocation location;
    private Connection keepAlive;
    protected LedgerStore store;

    @BeforeEach
    void open() throws Exception {
        location = freshLocation();
        keepAlive = StoreConnections.open(location); // an in-memory SQLite database lives while a connection does
        StoreConnections.migrate(location);
        store = new JdbcLedgerStore(location);
    }

    @AfterEach
    void closeStore() throws Exception {
        store.close();
        keepAlive.close();
        dropLocation(location);
    }

    static UsageQuery query(long from, long to, UsageQuery.Dimension... groupBy) {
        return new UsageQuery(from, to, List.of(groupBy), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 100, Optional.empty());
    }

    @Test
    void insertIsIdempotentByRequestIdAndRecordsRoundTrip() {
        LedgerRecord a = Records.of("req_a", T0 + 10, "acme", "gpt-5", 200, new Usage(600, 400, 0, 500, 200), 5_800_000);
        LedgerRecord b = Records.of("req_b", T0 + 20, "", "claude-sonnet-4-5", 499, new Usage(100, 1000, 200, 300, 100, 150), 5_850_000);
        store.insert(List.of(a, b));
        store.insert(List.of(a, b)); // a spool replayed after a write that did succeed
        assertThat(store.records(query(T0, T0 + DAY))).containsExactly(b, a);
    }

    @Test
    void aBatchOfRecordsSharingSomeTextsAndNotOthersRoundTripsExactly() {
        // PostgreSQL sends each distinct text of a batch once and the records point at it: every field must
        // still come back as it went in, whichever texts the records share, a duplicate id within the batch once
        List<LedgerRecord> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            batch.add(new LedgerRecord(T0 + 100 - i, "req_" + i, "tenant-" + i % 3, "key_" + i % 5, i % 2 == 0 ? "openai_chat"
                    : "anthropic", "ep-" + i % 4, "model-" + i % 7, "provider-" + i % 2, "up-" + i % 6, i % 3 == 0,
                    200 + i % 4, i % 4 == 0 ? "" : "upstream_error", new Usage(i, i + 1, i % 5, i + 3, i % 2, i % 3),
                    new Cost(1_000L * i, i % 6 != 0), 10L * i, i % 9 == 0 ? -1 : 5L * i, i % 8 == 0, i % 10 == 0,
                    i % 5 == 0 ? "" : "miss", i % 5 == 0 ? 0 : 77L * i));
        }
        List<LedgerRecord> withDuplicate = new java.util.ArrayList<>(batch);
        withDuplicate.add(batch.get(7));
        store.insert(withDuplicate);
        assertThat(store.records(query(T0, T0 + DAY))).containsExactlyElementsOf(batch);
    }

    @Test
    void textWithSeparatorsEscapesAndNonAsciiIsStoredAsSent() {
        // what a client may put in a model name reaches the record (PostgreSQL gets it inside a text array)
        LedgerRecord odd = Records.of("req_odd", T0 + 30, "acme", "my\tmodel\\v2\nnext\r \\N é 模型 🙂", 200,
                new Usage(1, 2, 0, 3, 0), 10);
        LedgerRecord plain = Records.of("req_plain", T0 + 40, "acme", "gpt-5", 200, new Usage(1, 2, 0, 3, 0), 10);
        store.insert(List.of(odd, plain));
        assertThat(store.records(query(T0, T0 + DAY))).containsExactly(plain, odd);
    }

    @Test
    void aNulInTextIsDroppedNotAFailureThatWouldSpoolEveryLaterBatch() {
        // a client can name a model "a\u0000b" (JSON escapes it); PostgreSQL's text refuses a NUL, and a batch the
        // store refuses goes to the spool, replayed, refused again: every later record would stay out of the store
        LedgerRecord nul = Records.of("req_nul", T0 + 30, "acme", "gpt\u0000-5", 404, new Usage(1, 2, 0, 3, 0), 10);
        LedgerRecord next = Records.of("req_next", T0 + 40, "acme", "gpt-5", 200, new Usage(1, 2, 0, 3, 0), 10);
        store.insert(List.of(nul, next));
        assertThat(store.records(query(T0, T0 + DAY))).extracting(LedgerRecord::requestId, LedgerRecord::model)
                .containsExactly(tuple("req_next", "gpt-5"), tuple("req_nul", "gpt-5"));
    }

    @Test
    void textLongerThanItsColumnIsCutToTheColumnNotRefused() {
        String provider = "p".repeat(100); // a provider's name in the config is not bounded by the column (64)
        LedgerRecord r = new LedgerRecord(T0 + 30, "req_long", "acme", "key_acme", "openai_chat", "chat_completions",
                "m".repeat(300), provider, "gpt-5", false, 200, "", new Usage(1, 2, 0, 3, 0), new Cost(10, true),
                1234, 567, false, false);
        store.insert(List.of(r));
        assertThat(store.records(query(T0, T0 + DAY))).extracting(LedgerRecord::provider, LedgerRecord::model)
                .containsExactly(tuple("p".repeat(64), "m".repeat(256)));
    }

    @Test
    void aValueTheDatabaseRefusesIsToldApartFromAStoreThatIsAwayOrBusy() throws Exception {
        // as a batch (SQLite's inserts; PostgreSQL's driver then throws a BatchUpdateException around the error)
        // and as one statement (PostgreSQL's inserts: one statement of arrays per batch)
        for (boolean batch : new boolean[] {true, false}) {
            try (Connection c = StoreConnections.open(location);
                 java.sql.PreparedStatement s = c.prepareStatement("INSERT INTO rosetta_ledger (request_id) VALUES (?)")) {
                s.setString(1, "req_x"); // NOT NULL columns left out
                if (batch) {
                    s.addBatch();
                    s.executeBatch();
                } else {
                    s.executeUpdate();
                }
                org.assertj.core.api.Assertions.fail("the database took a row without its required columns");
            } catch (java.sql.SQLException e) {
                assertThat(store.refused(new dev.rosetta.store.StoreException("refused", e))).as(e.toString()).isTrue();
            }
        }
        assertThat(store.refused(new dev.rosetta.store.StoreException("away",
                new java.sql.SQLException("Connection refused", "08001", 0)))).isFalse();
        assertThat(store.refused(new dev.rosetta.store.StoreException("busy",
                new java.sql.SQLException("[SQLITE_BUSY] The database file is locked", null, 5)))).isFalse();
        assertThat(store.refused(new dev.rosetta.store.StoreException("no cause"))).isFalse();
    }

    @Test
    void recordsArePagedNewestFirstWithFilters() {
        for (int i = 0; i < 5; i++) {
            store.insert(List.of(Records.of("req_" + i, T0 + i, i % 2 == 0 ? "acme" : "beta", "gpt-5", 200, Usage.ZERO, 0)));
        }
        var first = store.records(new UsageQuery(T0, T0 + DAY, List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), 2, Optional.empty()));
        assertThat(first).extracting(LedgerRecord::requestId).containsExactly("req_4", "req_3");
        LedgerRecord last = first.get(1);
        var second = store.records(new UsageQuery(T0, T0 + DAY, List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), 2, Optional.of(new UsageQuery.Cursor(last.at(), last.requestId()))));
        assertThat(second).extracting(LedgerRecord::requestId).containsExactly("req_2", "req_1");
        var acme = store.records(new UsageQuery(T0, T0 + DAY, List.of(), Optional.of("acme"), Optional.empty(),
                Optional.empty(), Optional.empty(), 10, Optional.empty()));
        assertThat(acme).extracting(LedgerRecord::requestId).containsExactly("req_4", "req_2", "req_0");
    }

    @Test
    void aggregatesSumEachKindGroupedAndCountErrorsAndUnpriced() {
        store.insert(List.of(
                Records.of("r1", T0 + 1, "acme", "gpt-5", 200, new Usage(10, 1, 2, 30, 5, 1), 100),
                Records.of("r2", T0 + 2, "acme", "gpt-5", 429, Usage.ZERO, 0),
                Records.of("r3", T0 + DAY + 3, "acme", "gpt-5", 200, new Usage(20, 0, 0, 40, 0), 200),
                Records.of("r4", T0 + 4, "beta", "unpriced-model", 200, new Usage(7, 0, 0, 8, 0), 0)));
        List<UsageRow> rows = store.aggregate(query(T0, T0 + 2 * DAY, UsageQuery.Dimension.DAY,
                UsageQuery.Dimension.TENANT));
        assertThat(rows).containsExactly(
                new UsageRow(Map.of(UsageQuery.Dimension.DAY, "2024-10-04", UsageQuery.Dimension.TENANT, "acme"),
                        2, 1, 10, 30, 1, 2, 5, 100, 0, 1),
                new UsageRow(Map.of(UsageQuery.Dimension.DAY, "2024-10-04", UsageQuery.Dimension.TENANT, "beta"),
                        1, 0, 7, 8, 0, 0, 0, 0, 1, 0),
                new UsageRow(Map.of(UsageQuery.Dimension.DAY, "2024-10-05", UsageQuery.Dimension.TENANT, "acme"),
                        1, 0, 20, 40, 0, 0, 0, 200, 0, 0));
        assertThat(store.aggregate(query(T0, T0 + 2 * DAY))).containsExactly(
                new UsageRow(Map.of(), 4, 1, 37, 78, 1, 2, 5, 300, 1, 1));
        assertThat(store.aggregate(query(T0 + 5 * DAY, T0 + 6 * DAY))).isEmpty();
    }

    @Test
    void pruningFoldsOldRecordsIntoDailyRollupsWithoutChangingTotals() {
        store.insert(List.of(
                Records.of("r1", T0 + 1, "acme", "gpt-5", 200, new Usage(10, 1, 2, 30, 5, 1), 100),
                Records.of("r2", T0 + 2, "acme", "gpt-5", 500, new Usage(1, 0, 0, 0, 0), 3),
                Records.of("r3", T0 + DAY + 3, "acme", "gpt-5", 200, new Usage(20, 0, 0, 40, 0), 200)));
        var before = store.aggregate(query(T0, T0 + 2 * DAY, UsageQuery.Dimension.DAY, UsageQuery.Dimension.MODEL));
        assertThat(store.prune(T0 + DAY)).isEqualTo(2);
        assertThat(store.records(query(T0, T0 + 2 * DAY))).extracting(LedgerRecord::requestId).containsExactly("r3");
        assertThat(store.aggregate(query(T0, T0 + 2 * DAY, UsageQuery.Dimension.DAY, UsageQuery.Dimension.MODEL)))
                .isEqualTo(before);
        // a late record for a day already rolled up (a spool replayed after pruning) adds to it
        store.insert(List.of(Records.of("r0", T0 + 5, "acme", "gpt-5", 200, new Usage(1, 0, 0, 1, 0), 7)));
        store.prune(T0 + DAY);
        assertThat(store.aggregate(query(T0, T0 + DAY))).containsExactly(
                new UsageRow(Map.of(), 3, 1, 12, 31, 1, 2, 5, 110, 0, 1));
    }
}
